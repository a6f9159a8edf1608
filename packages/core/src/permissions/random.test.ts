// Brute force: random bundles (every expression kind, nested exists and allowedTo chains,
// recursion through a self-reference), random data and random sessions. What the compiled SQL
// selects from a real SQLite must equal what the independent JS evaluator accepts — for reads,
// update/delete predicates and write checks.
import { describe, expect, it } from "vitest";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import type { ColumnType, RuntimeSchema } from "../schema/runtime.ts";
import { visibleRowPredicate } from "../engine/layout.ts";
import { encodeForColumn, compilePolicies, columnKind } from "./compile.ts";
import { isWriteAllowed, type StoredRow } from "./check.ts";
import type { CmpOp, Literal, Operand, PermissionsBundle, PolicyExpr, PolicySession, TablePolicies } from "./bundle.ts";
import { ReferenceEvaluator, type JsDb, type JsRow } from "./testing/reference-evaluator.ts";
import { col, createTables, putRow, ref, str } from "./testing/fixtures.ts";

const schema: RuntimeSchema = {
  tables: {
    projects: {
      columns: {
        name: str(),
        owner: str(true),
        archived: col({ kind: "boolean" }),
        priority: col({ kind: "int" }),
        parentId: ref("projects", true),
        tags: col({ kind: "array", element: { kind: "string" } }),
      },
    },
    members: {
      columns: { projectId: ref("projects"), user_id: str(), role: col({ kind: "enum", variants: ["admin", "reader", "writer"] }) },
    },
    tasks: {
      columns: {
        title: str(),
        projectId: ref("projects"),
        assignee: str(true),
        due: col({ kind: "timestamp" }, true),
        score: col({ kind: "float" }),
      },
    },
    comments: { columns: { body: str(), taskId: ref("tasks", true) } },
  },
};
const TABLES = Object.keys(schema.tables);
const REFS: Record<string, Record<string, string>> = {};
for (const [t, ts] of Object.entries(schema.tables))
  for (const [c, cs] of Object.entries(ts.columns)) if (cs.type.kind === "ref") (REFS[t] ??= {})[c] = cs.type.table;

const USERS = ["alice", "bob", "carol", "dave"];
const WORDS = ["alpha", "Alpha", "alphabet", "beta", "", "ph"];

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T,>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof rng>;

function valueFor(r: Rng, t: ColumnType | { kind: "id" | "micros" }, ids: Record<string, string[]>, optional: boolean): unknown {
  if (optional && r.chance(0.2)) return null;
  switch (t.kind) {
    case "string":
      return r.chance(0.5) ? r.pick(USERS) : r.pick(WORDS);
    case "enum":
      return r.pick(t.variants);
    case "boolean":
      return r.chance(0.5);
    case "int":
      return r.int(5);
    case "float":
      return r.pick([0, 0.5, 1.5, 2]);
    case "timestamp":
      return new Date(r.pick([0, 1000, 2000]));
    case "ref":
      return ids[t.table].length ? r.pick(ids[t.table]) : null;
    case "array":
      return ["a", "b", "c"].filter(() => r.chance(0.4));
    default:
      return r.pick(USERS);
  }
}

function randomData(r: Rng): JsDb {
  const db: JsDb = {};
  const ids: Record<string, string[]> = {};
  let n = 0;
  const counts: Record<string, number> = { projects: 8, members: 10, tasks: 14, comments: 12 };
  for (const t of TABLES) {
    db[t] = [];
    ids[t] = [];
    for (let i = 0; i < counts[t]; i++) {
      const id = `00000000-0000-7000-8000-${(++n).toString(16).padStart(12, "0")}`;
      const row: JsRow = { id, $createdBy: r.pick(USERS), $updatedBy: r.pick(USERS), $deleted: r.chance(0.1) };
      for (const [c, cs] of Object.entries(schema.tables[t].columns)) {
        // Self-references point backwards, so parent chains are acyclic and of random length.
        row[c] = valueFor(r, cs.type, ids, cs.optional);
      }
      db[t].push(row);
      ids[t].push(id);
    }
  }
  return db;
}

function encodeRow(table: string, row: JsRow): StoredRow {
  const out: StoredRow = { id: row.id, $createdBy: row.$createdBy as string, $updatedBy: row.$updatedBy as string };
  for (const [c, cs] of Object.entries(schema.tables[table].columns)) out[c] = encodeForColumn(cs.type, row[c]);
  return out;
}

const OPS_BY_KIND: Record<string, CmpOp[]> = {
  string: ["eq", "ne", "in", "contains", "isNull", "gt", "lte"],
  enum: ["eq", "ne", "in", "isNull"],
  ref: ["eq", "ne", "isNull"],
  id: ["eq", "ne", "in"],
  boolean: ["eq", "ne", "isNull"],
  int: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "isNull"],
  float: ["eq", "ne", "gt", "lt", "isNull"],
  timestamp: ["eq", "ne", "gt", "gte", "lt", "lte", "isNull"],
  array: ["contains", "isNull"],
};

function toLiteral(v: unknown): Literal {
  if (v instanceof Date) return { $date: v.getTime() };
  if (Array.isArray(v)) return v.map(toLiteral);
  return v as Literal;
}

function randomExpr(r: Rng, stack: string[], depth: number, ids: Record<string, string[]>): PolicyExpr {
  const here = stack[stack.length - 1];
  const roll = r.int(depth <= 0 ? 4 : 10);
  if (roll <= 3 || depth <= 0) return randomCmp(r, stack, ids);
  switch (roll) {
    case 4:
      return { t: "and", of: [randomExpr(r, stack, depth - 1, ids), randomExpr(r, stack, depth - 1, ids)] };
    case 5:
      return { t: "or", of: [randomExpr(r, stack, depth - 1, ids), randomExpr(r, stack, depth - 1, ids)] };
    case 6:
      return { t: "not", of: randomExpr(r, stack, depth - 1, ids) };
    case 7: {
      const table = r.pick(TABLES);
      return { t: "exists", table, where: randomExpr(r, [...stack, table], depth - 1, ids) };
    }
    case 8: {
      const fks = Object.keys(REFS[here] ?? {});
      if (!fks.length) return { t: "const", v: r.chance(0.5) };
      return { t: "allowedTo", op: r.pick(["read", "insert", "update", "delete"] as const), col: r.pick(fks), maxDepth: 1 + r.int(4) };
    }
    default: {
      const referencing = TABLES.flatMap((t) => Object.entries(REFS[t] ?? {}).filter(([, tt]) => tt === here).map(([c]) => [t, c] as const));
      if (!referencing.length) return { t: "const", v: r.chance(0.5) };
      const [table, c] = r.pick(referencing);
      return { t: "allowedToReferencing", op: r.pick(["read", "update"] as const), table, col: c, maxDepth: 1 + r.int(3) };
    }
  }
}

const SESSION_PATHS = [["user_id"], ["claims", "role"], ["claims", "team"], ["authMode"], ["role"]];

function randomCmp(r: Rng, stack: string[], ids: Record<string, string[]>): PolicyExpr {
  if (r.chance(0.1)) {
    // A session-only condition (session.where).
    const op = r.pick(["eq", "ne", "in"] as CmpOp[]);
    const v = r.pick(["admin", "local-first", "alice", "red", null]);
    return { t: "cmp", l: { session: r.pick(SESSION_PATHS) }, op, r: { lit: op === "in" ? [v, "external"] : v } };
  }
  const up = r.int(stack.length);
  const table = stack[stack.length - 1 - up];
  const cols = ["id", "$createdBy", "$updatedBy", ...Object.keys(schema.tables[table].columns)];
  const c = r.pick(cols);
  const kind = columnKind(schema, table, c);
  const optional = schema.tables[table].columns[c]?.optional ?? false;
  const op = r.pick(OPS_BY_KIND[kind.kind]);
  const left: Operand = { col: c, up };
  let right: Operand;
  if (op === "isNull") right = { lit: r.chance(0.5) };
  else if (op === "in") right = { lit: [valueFor(r, kind, ids, false), valueFor(r, kind, ids, true)].map(toLiteral) };
  else if (op === "contains" && kind.kind === "array") right = { lit: r.pick(["a", "b", "c"]) };
  else if ((kind.kind === "string" || kind.kind === "id") && r.chance(0.4)) {
    // Column against a session value or another text column in scope.
    if (r.chance(0.5)) right = { session: r.pick(SESSION_PATHS) };
    else {
      const up2 = r.int(stack.length);
      const t2 = stack[stack.length - 1 - up2];
      const textCols = ["id", "$createdBy", ...Object.keys(schema.tables[t2].columns).filter((x) => ["string", "ref"].includes(schema.tables[t2].columns[x].type.kind))];
      right = { col: r.pick(textCols), up: up2 };
    }
  } else right = { lit: toLiteral(valueFor(r, kind, ids, optional)) };
  const e: PolicyExpr = { t: "cmp", l: left, op, r: right };
  // Sometimes write it the other way round (value OP column), as session.where({k: row.c}) does.
  if (r.chance(0.15) && !("col" in right) && (op === "eq" || op === "ne" || op === "gt" || op === "lte")) {
    const mirror: Record<string, CmpOp> = { eq: "eq", ne: "ne", gt: "lt", lte: "gte" };
    return { t: "cmp", l: right, op: mirror[op], r: left };
  }
  return e;
}

function randomBundle(r: Rng, ids: Record<string, string[]>): PermissionsBundle {
  const tables: Record<string, TablePolicies> = {};
  for (const t of TABLES) {
    if (r.chance(0.05)) continue; // a table with no grants at all
    const tp: TablePolicies = {};
    const d = () => (r.chance(0.1) ? ({ t: "const", v: true } as PolicyExpr) : randomExpr(r, [t], 3, ids));
    if (r.chance(0.9)) tp.read = d();
    if (r.chance(0.8)) tp.insert = d();
    if (r.chance(0.8)) tp.update = Array.from({ length: 1 + r.int(2) }, () => ({ old: d(), new: d() }));
    if (r.chance(0.6)) tp.delete = d();
    tables[t] = tp;
  }
  return { format: "jazz-permissions", version: 1, tables };
}

function randomSession(r: Rng): PolicySession {
  const claims: Record<string, unknown> = {};
  if (r.chance(0.5)) claims.role = r.pick(["admin", "red", "alice"]);
  if (r.chance(0.3)) claims.team = r.pick(USERS);
  return { user_id: r.pick(USERS), claims, authMode: r.pick(["local-first", "external", "anonymous"]) };
}

describe("compiled SQL agrees with a brute-force evaluation", () => {
  it("over random bundles, data and sessions (reads, update/delete predicates, write checks)", { timeout: 60_000 }, () => {
    const SEEDS = Number(process.env.PERM_SEEDS ?? 30);
    let compared = 0;
    let granted = 0;
    let candidates = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = rng(seed);
      const db = randomData(r);
      const ids = Object.fromEntries(TABLES.map((t) => [t, db[t].map((x) => x.id)]));
      const bundle = randomBundle(r, ids);
      const driver = createNodeSqlDriver();
      createTables(driver, schema);
      for (const t of TABLES) {
        for (const row of db[t]) {
          const stored = encodeRow(t, row);
          putRow(driver, t, { ...stored, id: row.id, ...(row.$deleted ? { $deletedAt: 1 } : {}) } as StoredRow & { id: string }, row.$createdBy as string);
        }
      }
      for (let k = 0; k < 4; k++) {
        const s = randomSession(r);
        const compiled = compilePolicies(bundle, schema, s);
        const ref = new ReferenceEvaluator(bundle, db, s);
        ref.refs = REFS;
        const ctx = `seed ${seed}, session ${JSON.stringify(s)}`;
        for (const t of TABLES) {
          for (const op of ["read", "insert", "update", "delete"] as const) {
            const pred = compiled.predicate(t, op, "t0");
            const sqlIds = driver
              .all(`SELECT t0.id FROM "${t}" AS t0 WHERE ${visibleRowPredicate("t0")} AND (${pred.sql}) ORDER BY t0.id`, pred.params)
              .map((x) => x[0]);
            const jsIds = ref.visible(t).filter((row) => ref.allows(t, op, row)).map((x) => x.id);
            expect(sqlIds, `${ctx}: ${op} ${t}\n${JSON.stringify(bundle.tables[t])}`).toEqual(jsIds);
            compared++;
            granted += jsIds.length;
            candidates += ref.visible(t).length;
          }
          // Write checks on random old/new pairs (rows of the table, not necessarily visible).
          for (let j = 0; j < 3; j++) {
            const oldRow = r.pick(db[t]);
            const newRow: JsRow = { ...r.pick(db[t]), id: oldRow.id, $createdBy: oldRow.$createdBy };
            const enc = (x: JsRow): StoredRow => encodeRow(t, x);
            expect(isWriteAllowed(compiled, driver, "update", t, enc(oldRow), enc(newRow)), `${ctx}: update check ${t}`).toBe(
              ref.allowsUpdate(t, oldRow, newRow),
            );
            expect(isWriteAllowed(compiled, driver, "insert", t, null, enc(newRow)), `${ctx}: insert check ${t}`).toBe(
              ref.allows(t, "insert", newRow),
            );
            expect(isWriteAllowed(compiled, driver, "delete", t, enc(oldRow), null), `${ctx}: delete check ${t}`).toBe(
              ref.allows(t, "delete", oldRow),
            );
          }
        }
      }
      driver.close();
    }
    // The comparison is only meaningful if policies both grant and deny a fair share.
    expect(compared).toBe(SEEDS * 4 * TABLES.length * 4);
    expect(granted / candidates).toBeGreaterThan(0.15);
    expect(granted / candidates).toBeLessThan(0.85);
  });
});

