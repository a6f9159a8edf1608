// The docs' own snippets (seeds/001_docs-as-of-alpha50-reconstructed.txt: user-owned data,
// nested data, real-time collaborative list, column types, writing) run against `jazz-tools`
// on Node with the memory driver. React-only lines (useAll/useDb) are replaced by the
// db.subscribeAll / db calls they stand for; everything else is as printed.
import { afterEach, describe, expect, it } from "vitest";
import { createDb, schema as s, generateAuthSecret, deriveLocalFirstIdentity, type Db } from "jazz-tools";

const dbs: Db[] = [];
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
});
async function open(): Promise<{ db: Db; userId: string }> {
  const secret = generateAuthSecret();
  const db = await createDb({ appId: "docs-app", driver: { type: "memory" }, secret });
  dbs.push(db);
  return { db, userId: deriveLocalFirstIdentity(secret).userId };
}
function live<T>(db: Db, query: Parameters<Db["subscribeAll"]>[0]): { current: () => T[] | undefined; stop: () => void } {
  let rows: T[] | undefined;
  const stop = db.subscribeAll(query as never, ({ all }) => {
    rows = all as T[];
  });
  return { current: () => rows, stop };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe("recipe: user-owned data", () => {
  it("inserts without an owner column; $createdBy is the session's user", async () => {
    const schema = {
      todos: s.table({
        title: s.string(),
        done: s.boolean(),
      }),
    };
    type AppSchema = s.Schema<typeof schema>;
    const app: s.App<AppSchema> = s.defineApp(schema);
    const { db, userId } = await open();

    const todos = live<{ id: string; title: string }>(db, app.todos.where({ done: false }));
    await tick();
    expect(todos.current()).toEqual([]);

    function handleAdd(title: string) {
      db.insert(app.todos, { title, done: false });
    }
    handleAdd("Buy milk");
    expect(todos.current()?.map((t) => t.title)).toEqual(["Buy milk"]);
    const mine = await db.all(app.todos.where({ $createdBy: userId }));
    expect(mine.map((t) => t.title)).toEqual(["Buy milk"]);
    await db.insert(app.todos, { title: "Wait for it", done: false }).wait({ tier: "local" });
    todos.stop();
  });

  it("explicit owner_id variant", async () => {
    const schemaExplicit = {
      todos: s.table({
        title: s.string(),
        done: s.boolean(),
        owner_id: s.string(),
      }),
    };
    type ExplicitAppSchema = s.Schema<typeof schemaExplicit>;
    const explicitApp: s.App<ExplicitAppSchema> = s.defineApp(schemaExplicit);
    const { db, userId } = await open();
    db.insert(explicitApp.todos, { title: "Mine", done: false, owner_id: userId });
    expect((await db.all(explicitApp.todos.where({ owner_id: userId }))).map((t) => t.title)).toEqual(["Mine"]);
  });
});

describe("recipe: nested data", () => {
  it("inserts top-down and queries tasks by project ordered by $createdAt desc", async () => {
    const schema = {
      projects: s.table({
        name: s.string(),
      }),
      tasks: s.table({
        title: s.string(),
        done: s.boolean(),
        projectId: s.ref("projects"),
      }),
      comments: s.table({
        body: s.string(),
        taskId: s.ref("tasks"),
      }),
    };
    type AppSchema = s.Schema<typeof schema>;
    const app: s.App<AppSchema> = s.defineApp(schema);
    const { db } = await open();

    async function handleCreate() {
      const { value: project } = db.insert(app.projects, {
        name: "Website redesign",
      });

      db.insert(app.tasks, {
        title: "Design homepage",
        done: false,
        projectId: project.id,
      });
      return project.id;
    }
    const projectId = await handleCreate();
    db.insert(app.tasks, { title: "Write copy", done: false, projectId });

    const tasks = live<{ title: string }>(db, app.tasks.where({ projectId }).orderBy("$createdAt", "desc"));
    await tick();
    expect(tasks.current()?.map((t) => t.title)).toEqual(["Write copy", "Design homepage"]);
    const withProject = await db.all(app.tasks.include({ project: true }));
    expect(withProject[0].project?.name).toBe("Website redesign");
    tasks.stop();
  });
});

describe("recipe: real-time collaborative list", () => {
  it("add and complete tasks; the subscription follows", async () => {
    const schema = {
      projects: s.table({
        name: s.string(),
      }),
      tasks: s.table({
        title: s.string(),
        done: s.boolean(),
        assignee_id: s.string().optional(),
        projectId: s.ref("projects"),
      }),
      projectMembers: s.table({
        projectId: s.ref("projects"),
        user_id: s.string(),
      }),
    };
    type AppSchema = s.Schema<typeof schema>;
    const app: s.App<AppSchema> = s.defineApp(schema);
    const { db, userId } = await open();
    const { value: project } = db.insert(app.projects, { name: "Shared" });
    const projectId = project.id;
    db.insert(app.projectMembers, { projectId, user_id: userId });

    const tasks = live<{ id: string; title: string; assignee_id: string | null }>(
      db,
      app.tasks.where({ projectId, done: false }).orderBy("$createdAt", "desc"),
    );
    await tick();

    function addTask(title: string) {
      db.insert(app.tasks, { title, done: false, projectId });
    }

    function completeTask(taskId: string) {
      db.update(app.tasks, taskId, { done: true });
    }
    addTask("First");
    addTask("Second");
    expect(tasks.current()?.map((t) => t.title)).toEqual(["Second", "First"]);
    expect(tasks.current()?.[0].assignee_id).toBeNull();
    completeTask(tasks.current()![1].id);
    expect(tasks.current()?.map((t) => t.title)).toEqual(["Second"]);
    tasks.stop();
  });
});

describe("column types: transformed columns", () => {
  it("stores the int, reads and writes the transformed value, filters on the stored value", async () => {
    type Priority = "low" | "medium" | "high";

    const schema = {
      tasks: s.table({
        title: s.string(),
        priority: s.int().transform({
          from: (score) => (score >= 8 ? "high" : score >= 4 ? "medium" : "low"),
          to: (priority: Priority) => ({ low: 1, medium: 5, high: 10 })[priority],
        }),
      }),
    };
    const app = s.defineApp(schema);
    const { db } = await open();
    const { value: inserted } = db.insert(app.tasks, {
      title: "Write launch notes",
      priority: "high",
    });
    expect(inserted.priority).toBe("high");
    const urgent = await db.all(app.tasks.where({ priority: { gte: 8 } }));
    expect(urgent.map((t) => t.title)).toEqual(["Write launch notes"]);

    db.update(app.tasks, inserted.id, {
      priority: "medium",
    });

    const task = await db.one(app.tasks.where({ id: inserted.id }));
    expect(task?.priority).toBe("medium");
  });
});

describe("writing: upsert and batches", () => {
  it("upsert with a known id, batch with one batch id", async () => {
    const schema = { todos: s.table({ title: s.string(), done: s.boolean() }) };
    const app = s.defineApp(schema);
    const { db } = await open();
    const importedTodoId = "0190a5c4-8f1e-7c3a-9b2d-4e5f6a7b8c9d";
    const write = db.upsert(
      app.todos,
      {
        title: "Imported task",
        done: false,
      },
      { id: importedTodoId },
    );

    await write.wait({ tier: "local" });
    expect((await db.one(app.todos.where({ id: importedTodoId })))?.title).toBe("Imported task");

    const result = db.batch((batch) => {
      batch.insert(app.todos, { title: "a", done: false });
      batch.insert(app.todos, { title: "b", done: false });
    });
    await result.wait({ tier: "local" });
    expect(result.batchId).toMatch(/^[0-9a-f]{32}$/);
    expect((await db.all(app.todos)).length).toBe(3);
  });
});
