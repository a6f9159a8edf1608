import { describe, expectTypeOf, it } from "vitest";
import { schema as s } from "../index.ts";
import type { StandardSchemaV1 } from "./standard-schema.ts";

declare const point: StandardSchemaV1<unknown, { x: number; y: number }>;

type Priority = "low" | "medium" | "high";
type Flat<T> = { [K in keyof T]: T[K] };

// The docs' canonical style.
const schema = {
  users: s.table({ name: s.string() }),
  projects: s.table({ name: s.string(), ownerId: s.ref("users").optional() }),
  tags: s.table({ label: s.string() }),
  todos: s.table({
    title: s.string(),
    done: s.boolean(),
    note: s.string().optional(),
    prio: s.int(),
    score: s.float().default(0),
    due: s.timestamp().optional(),
    blob: s.bytes(),
    meta: s.json(),
    pos: s.json(point),
    status: s.enum("open", "closed").default("open"),
    role: s.enum(["reader", "writer"]),
    projectId: s.ref("projects"),
    tagIds: s.array(s.ref("tags")),
    words: s.array(s.string()),
    priority: s.int().transform({
      from: (score) => (score >= 8 ? "high" : score >= 4 ? "medium" : "low"),
      to: (p) => ({ low: 1, medium: 5, high: 10 })[p],
    }),
    hits: s.int().merge("counter"),
  }),
  teams: s.table({ name: s.string(), parent_id: s.ref("teams").optional() }),
};
type AppSchema = s.Schema<typeof schema>;
export const app: s.App<AppSchema> = s.defineApp(schema);

type TodoRow = {
  id: string;
  title: string;
  done: boolean;
  note: string | null;
  prio: number;
  score: number;
  due: Date | null;
  blob: Uint8Array;
  meta: unknown;
  pos: { x: number; y: number };
  status: "open" | "closed";
  role: "reader" | "writer";
  projectId: string;
  tagIds: string[];
  words: string[];
  priority: Priority;
  hits: number;
};
type ProjectRow = { id: string; name: string; ownerId: string | null };
type UserRow = { id: string; name: string };
type TagRow = { id: string; label: string };

describe("rows", () => {
  it("gives { id, ...columns } with exact types for every column type", () => {
    expectTypeOf<s.RowOf<typeof app.todos>>().toEqualTypeOf<TodoRow>();
    expectTypeOf<s.RowOf<typeof app.projects>>().toEqualTypeOf<ProjectRow>();
  });

  it("types app.wasmSchema and the handle's QueryLike members", () => {
    expectTypeOf(app.wasmSchema.tables).toEqualTypeOf<Record<string, import("./runtime.ts").TableSchema>>();
    expectTypeOf(app.todos._table).toEqualTypeOf<"todos">();
  });
});

describe("inserts and updates", () => {
  it("makes optional and defaulted columns optional keys, the rest required", () => {
    expectTypeOf<s.InsertOf<typeof app.todos>>().toEqualTypeOf<{
      title: string;
      done: boolean;
      prio: number;
      blob: Uint8Array;
      meta: unknown;
      pos: { x: number; y: number };
      role: "reader" | "writer";
      projectId: string;
      tagIds: string[];
      words: string[];
      priority: Priority;
      hits: number;
      note?: string | null;
      score?: number;
      due?: Date | null;
      status?: "open" | "closed";
    }>();
    expectTypeOf<s.InsertOf<typeof app.users>>().toEqualTypeOf<{ name: string }>();
    // @ts-expect-error required column missing
    const missing: s.InsertOf<typeof app.users> = {};
    void missing;
    expectTypeOf<s.UpdateOf<typeof app.projects>>().toEqualTypeOf<{ name?: string; ownerId?: string | null }>();
  });
});

describe("where inputs", () => {
  it("accepts the reference operators per column type", () => {
    app.todos.where({ title: "a" });
    app.todos.where({ title: { eq: "a", ne: "b", contains: "c", in: ["d"] } });
    app.todos.where({ note: null });
    app.todos.where({ note: { eq: null, isNull: true } });
    app.todos.where({ done: false });
    app.todos.where({ prio: { eq: 1, ne: 2, gt: 3, gte: 4, lt: 5, lte: 6 } });
    app.todos.where({ score: { gt: 0.5 } });
    app.todos.where({ due: new Date() });
    app.todos.where({ due: 5 });
    app.todos.where({ due: { gt: new Date(), lt: 10, isNull: false } });
    app.todos.where({ projectId: "p" });
    app.todos.where({ projectId: { eq: "p", ne: "q", in: ["r"] } });
    app.projects.where({ ownerId: { isNull: true } });
    app.projects.where({ ownerId: null });
    app.todos.where({ status: "open" });
    app.todos.where({ status: { in: ["open", "closed"], ne: "closed" } });
    app.todos.where({ blob: new Uint8Array(), role: { eq: "reader" } });
    app.todos.where({ blob: { ne: new Uint8Array() } });
    app.todos.where({ pos: { eq: { x: 1, y: 2 } } });
    app.todos.where({ pos: { in: [{ x: 1, y: 2 }] } });
    app.todos.where({ words: ["a"] });
    app.todos.where({ words: { contains: "a", ne: [] } });
    app.todos.where({ tagIds: { contains: "t" } });
    app.todos.where({ priority: { gte: 8 } }); // filters use the stored (int) value
    app.todos.where({ id: "x" });
    app.todos.where({ id: { in: ["x"], ne: "y" } });
    app.todos.where({ $createdBy: "u", $updatedBy: { in: ["u"] } });
    app.todos.where({ $createdAt: new Date(), $updatedAt: { gte: 5, lt: new Date() } });
    app.todos.where({ $canRead: true, $canEdit: false, $canDelete: true });
    expectTypeOf<s.WhereOf<typeof app.users>>().toEqualTypeOf<
      Parameters<typeof app.users.where>[0]
    >();
  });

  it("rejects operators the column type does not support", () => {
    // @ts-expect-error gt on a string column
    app.todos.where({ title: { gt: "a" } });
    // @ts-expect-error booleans take a plain value only
    app.todos.where({ done: { eq: true } });
    // @ts-expect-error contains on an int column
    app.todos.where({ prio: { contains: 1 } });
    // @ts-expect-error in on bytes
    app.todos.where({ blob: { in: [new Uint8Array()] } });
    // @ts-expect-error gt on a ref
    app.todos.where({ projectId: { gt: "p" } });
    // @ts-expect-error isNull on a non-optional column
    app.todos.where({ projectId: { isNull: true } });
    // @ts-expect-error null on a non-optional column
    app.todos.where({ title: null });
    // @ts-expect-error enum value outside the variants
    app.todos.where({ status: "nope" });
    // @ts-expect-error contains on an enum
    app.todos.where({ status: { contains: "o" } });
    // @ts-expect-error array contains takes an element
    app.todos.where({ words: { contains: 1 } });
    // @ts-expect-error gt on an array
    app.todos.where({ words: { gt: [] } });
    // @ts-expect-error gt on json
    app.todos.where({ pos: { gt: { x: 1, y: 1 } } });
    // @ts-expect-error filters use the stored type, not the transformed one
    app.todos.where({ priority: "high" });
    // @ts-expect-error timestamps take Date | number
    app.todos.where({ due: "2024-01-01" });
    // @ts-expect-error unknown column
    app.todos.where({ nope: 1 });
    // @ts-expect-error contains on id
    app.todos.where({ id: { contains: "x" } });
    // @ts-expect-error permission columns take booleans
    app.todos.where({ $canEdit: { eq: true } });
    // @ts-expect-error provenance timestamps take Date | number
    app.todos.where({ $createdAt: "yesterday" });
  });
});

describe("includes", () => {
  it("types forward includes as T | null and reverse ones as arrays", () => {
    const q = app.todos.include({ project: true, tags: true });
    expectTypeOf<s.RowOf<typeof q>>().toEqualTypeOf<Flat<TodoRow & { project: ProjectRow | null; tags: TagRow[] }>>();
    type R = s.RowOf<typeof q>;
    expectTypeOf<R["project"]>().toEqualTypeOf<ProjectRow | null>();
    expectTypeOf<R["tags"]>().toEqualTypeOf<TagRow[]>();
    expectTypeOf<R["title"]>().toEqualTypeOf<string>();
    const p = app.projects.include({ todosViaProject: true, owner: true });
    expectTypeOf<s.RowOf<typeof p>>().toEqualTypeOf<{
      id: string;
      name: string;
      ownerId: string | null;
      todosViaProject: TodoRow[];
      owner: UserRow | null;
    }>();
    const u = app.users.include({ projectsViaOwner: true });
    expectTypeOf<s.RowOf<typeof u>["projectsViaOwner"]>().toEqualTypeOf<ProjectRow[]>();
  });

  it("requireIncludes makes forward includes of non-null FKs non-null", () => {
    const q = app.todos.include({ project: { owner: true } }).requireIncludes();
    type R = s.RowOf<typeof q>;
    expectTypeOf<R["project"]>().toEqualTypeOf<Flat<ProjectRow & { owner: UserRow | null }>>();
    expectTypeOf<R["project"]>().toEqualTypeOf<{ id: string; name: string; ownerId: string | null; owner: UserRow | null }>();
    const t = app.teams.include({ parent: true }).requireIncludes();
    expectTypeOf<s.RowOf<typeof t>["parent"]>().toEqualTypeOf<{ id: string; name: string; parent_id: string | null } | null>();
  });

  it("types nested includes and query-valued includes", () => {
    const q = app.projects.include({
      todosViaProject: app.todos.where({ done: false }).select("title").include({ tags: true }),
      owner: { projectsViaOwner: true },
    });
    type R = s.RowOf<typeof q>;
    expectTypeOf<R["todosViaProject"]>().toEqualTypeOf<{ id: string; title: string; tags: TagRow[] }[]>();
    expectTypeOf<R["owner"]>().toEqualTypeOf<{ id: string; name: string; projectsViaOwner: ProjectRow[] } | null>();
    const self = app.teams.include({ teamsViaParent: { teamsViaParent: true } });
    expectTypeOf<s.RowOf<typeof self>["teamsViaParent"][number]["teamsViaParent"]>().toEqualTypeOf<
      { id: string; name: string; parent_id: string | null }[]
    >();
  });

  it("rejects unknown relations and queries over the wrong table", () => {
    // @ts-expect-error unknown relation
    app.todos.include({ nope: true });
    // @ts-expect-error unknown relation next to a known one
    app.todos.include({ project: true, nope: true });
    // @ts-expect-error the query must be over the relation's target table
    app.todos.include({ project: app.users });
    // @ts-expect-error reverse relation names are ${table}Via${Forward}
    app.projects.include({ todos: true });
  });
});

describe("select", () => {
  it("narrows rows to the selected columns plus id and named magic columns", () => {
    const q = app.todos.select("title", "done", "$canEdit", "$createdAt");
    expectTypeOf<s.RowOf<typeof q>>().toEqualTypeOf<{
      id: string;
      title: string;
      done: boolean;
      $canEdit: boolean | null;
      $createdAt: Date;
    }>();
    const all = app.users.select("*", "$createdBy");
    expectTypeOf<s.RowOf<typeof all>>().toEqualTypeOf<{ id: string; name: string; $createdBy: string }>();
    const withInclude = app.todos.select("title").include({ project: true });
    expectTypeOf<s.RowOf<typeof withInclude>>().toEqualTypeOf<{ id: string; title: string; project: ProjectRow | null }>();
    // @ts-expect-error unknown column
    app.todos.select("nope");
  });
});

describe("orderBy, limit, offset", () => {
  it("accepts columns, id and provenance columns; keeps the row type", () => {
    const q = app.todos.orderBy("prio").orderBy("$createdAt", "desc").orderBy("id").limit(1).offset(2);
    expectTypeOf<s.RowOf<typeof q>>().toEqualTypeOf<TodoRow>();
    // @ts-expect-error unknown column
    app.todos.orderBy("nope");
    // @ts-expect-error bad direction
    app.todos.orderBy("prio", "up");
  });
});

describe("hopTo and gather", () => {
  it("hopTo changes the result to the target table", () => {
    const q = app.todos.where({ done: false }).hopTo("project");
    expectTypeOf<s.RowOf<typeof q>>().toEqualTypeOf<ProjectRow>();
    expectTypeOf(q._table).toEqualTypeOf<"projects">();
    const users = q.hopTo("owner");
    expectTypeOf<s.RowOf<typeof users>>().toEqualTypeOf<UserRow>();
    const tags = app.todos.hopTo("tags");
    expectTypeOf<s.RowOf<typeof tags>>().toEqualTypeOf<TagRow>();
    const back = app.projects.hopTo("todosViaProject");
    expectTypeOf<s.RowOf<typeof back>>().toEqualTypeOf<TodoRow>();
    // @ts-expect-error unknown relation
    app.todos.hopTo("owner");
  });

  it("gather keeps the table's row type and requires a step over the same table", () => {
    const q = app.teams.where({ name: "x" }).gather({
      step: ({ current }) => app.teams.where({ id: current }).hopTo("parent"),
      maxDepth: 3,
    });
    expectTypeOf<s.RowOf<typeof q>>().toEqualTypeOf<{ id: string; name: string; parent_id: string | null }>();
    // @ts-expect-error the step must lead back to teams
    app.teams.gather({ step: ({ current }) => app.users.where({ id: current }) });
  });
});

describe("relation naming at the type level", () => {
  it("strips FK suffixes and pluralises array FKs", () => {
    const d = {
      people: s.table({ name: s.string() }),
      boxes: s.table({ name: s.string() }),
      categories: s.table({ name: s.string() }),
      things: s.table({
        owner_id: s.ref("people"),
        box_ids: s.array(s.ref("boxes")),
        categoryIds: s.array(s.ref("categories")),
        maker: s.ref("people"),
      }),
    };
    const a = s.defineApp(d);
    const q = a.things.include({ owner: true, boxes: true, categories: true, maker: true });
    type R = s.RowOf<typeof q>;
    expectTypeOf<R["owner"]>().toEqualTypeOf<{ id: string; name: string } | null>();
    expectTypeOf<R["boxes"]>().toEqualTypeOf<{ id: string; name: string }[]>();
    expectTypeOf<R["categories"]>().toEqualTypeOf<{ id: string; name: string }[]>();
    // A ref column without a suffix keeps its name; the include replaces the id in the row.
    expectTypeOf<R["maker"]>().toEqualTypeOf<{ id: string; name: string } | null>();
    const rev = a.boxes.include({ thingsViaBoxes: true });
    expectTypeOf<s.RowOf<typeof rev>["thingsViaBoxes"]>().toBeArray();
    a.people.include({ thingsViaOwner: true, thingsViaMaker: true });
    a.categories.include({ thingsViaCategories: true });
  });
});

describe("sliceable apps", () => {
  it("types relations only inside the slice; refs outside stay string columns", () => {
    const full = {
      users: s.table({ name: s.string() }),
      catalog_items: s.table({ title: s.string() }),
      orders: s.table({ number: s.string(), catalogItemId: s.ref("catalog_items"), buyerId: s.ref("users") }),
    };
    const sliceable = s.defineSliceableApp(full);
    const commerce = sliceable.slice("catalog_items", "orders");
    type Order = s.RowOf<typeof commerce.orders>;
    expectTypeOf<Order["buyerId"]>().toEqualTypeOf<string>();
    commerce.orders.include({ catalogItem: true });
    commerce.catalog_items.include({ ordersViaCatalogItem: true });
    // @ts-expect-error users is not in the slice
    commerce.orders.include({ buyer: true });
    // @ts-expect-error no handle outside the slice
    void commerce.users;
    expectTypeOf(commerce.wasmSchema).toEqualTypeOf(sliceable.wasmSchema);
  });
});

describe("TableMetaOf", () => {
  it("bundles the table's name, row, insert and where types", () => {
    type M = s.TableMetaOf<typeof app.users>;
    expectTypeOf<M["name"]>().toEqualTypeOf<"users">();
    expectTypeOf<M["row"]>().toEqualTypeOf<UserRow>();
    expectTypeOf<M["insert"]>().toEqualTypeOf<{ name: string }>();
  });
});

describe("helpers on untyped QueryLike values", () => {
  it("fall back to records instead of never", () => {
    type Q = import("../query/ir.ts").QueryLike;
    expectTypeOf<s.RowOf<Q>>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<s.InsertOf<Q>>().toEqualTypeOf<Record<string, unknown>>();
    expectTypeOf<s.RowOf<import("../query/ir.ts").QueryLike<{ id: string; a: number }>>>().toEqualTypeOf<{ id: string; a: number }>();
  });

  it("exposes s.definePermissions", () => {
    expectTypeOf(s.definePermissions).toBeFunction();
  });
});

describe("QueryLike inference (what db.all / useAll see)", () => {
  it("infers the row type of handles and queries through QueryLike<R>", () => {
    type QL<R> = import("../query/ir.ts").QueryLike<R>;
    const all = <R,>(q: QL<R> | undefined): R[] => (q ? [] : []);
    expectTypeOf(all(app.users)).toEqualTypeOf<UserRow[]>();
    expectTypeOf(all(app.projects.include({ owner: true }).requireIncludes())).toEqualTypeOf<
      { id: string; name: string; ownerId: string | null; owner: UserRow | null }[]
    >();
    expectTypeOf(all(app.todos.hopTo("project").select("name"))).toEqualTypeOf<{ id: string; name: string }[]>();
  });
});

describe("raw s.App", () => {
  it("accepts any app", () => {
    const raw: s.App = app;
    expectTypeOf(raw.wasmSchema).toEqualTypeOf<import("./runtime.ts").RuntimeSchema>();
    const sliced: s.App = s.defineSliceableApp(schema).slice("users");
    void sliced;
    // @ts-expect-error not an app
    const bad: s.App = { tables: {} };
    void bad;
  });
});

describe("s.enum forms", () => {
  it("types both literal forms as the variant union, a runtime list as string", () => {
    expectTypeOf(s.enum("a", "b")._app).toEqualTypeOf<"a" | "b">();
    expectTypeOf(s.enum(["a", "b"])._app).toEqualTypeOf<"a" | "b">();
    expectTypeOf(s.enum(["a", "b"] as const)._app).toEqualTypeOf<"a" | "b">();
    const list: string[] = ["x"];
    expectTypeOf(s.enum(list)._app).toEqualTypeOf<string>();
  });
});
