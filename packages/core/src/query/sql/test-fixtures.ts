// Shared by the compiler tests: a schema covering every column type and relation kind, and a
// helper that writes rows in the layout.ts storage form (via the store's encoder).

import type { SqlDriver, SqlValue } from "../../sql/driver.ts";
import type { ColumnSchema, ColumnType, RuntimeSchema } from "../../schema/runtime.ts";
import { createTableStatements } from "../../engine/ddl.ts";
import { encodeColumn } from "../../engine/encoding.ts";
import { quoteIdent } from "../../engine/layout.ts";
import { createNodeSqlDriver } from "../../../../sqlite-node/src/index.ts";

const c = (type: ColumnType, optional = false): ColumnSchema => ({ type, optional, merge: "lww" });

export const schema: RuntimeSchema = {
  tables: {
    projects: { columns: { name: c({ kind: "string" }) } },
    tags: { columns: { label: c({ kind: "string" }) } },
    todos: {
      columns: {
        title: c({ kind: "string" }),
        done: c({ kind: "boolean" }),
        priority: c({ kind: "int" }, true),
        score: c({ kind: "float" }, true),
        due: c({ kind: "timestamp" }, true),
        blob: c({ kind: "bytes" }, true),
        meta: c({ kind: "json" }, true),
        status: c({ kind: "enum", variants: ["doing", "done", "todo"] }, true),
        projectId: c({ kind: "ref", table: "projects" }, true),
        tagIds: c({ kind: "array", element: { kind: "ref", table: "tags" } }, true),
        labels: c({ kind: "array", element: { kind: "string" } }, true),
        dates: c({ kind: "array", element: { kind: "timestamp" } }, true),
      },
    },
    comments: {
      columns: { body: c({ kind: "string" }), todoId: c({ kind: "ref", table: "todos" }) },
    },
    teams: { columns: { name: c({ kind: "string" }), parentId: c({ kind: "ref", table: "teams" }, true) } },
    team_edges: {
      columns: {
        childTeamId: c({ kind: "ref", table: "teams" }),
        parentTeamId: c({ kind: "ref", table: "teams" }),
      },
    },
  },
};

export function openDb(s: RuntimeSchema = schema, d: SqlDriver = createNodeSqlDriver()): SqlDriver {
  for (const [name, t] of Object.entries(s.tables)) for (const st of createTableStatements(name, t)) d.exec(st);
  return d;
}

export interface Meta {
  createdAt?: number | null; // µs
  createdBy?: string;
  updatedAt?: number;
  updatedBy?: string;
  deletedAt?: number | null;
}

let clock = 1_700_000_000_000_000;

// The compiler tests use short readable ids ("p1"), which the engine refuses in ref columns.
function refsAsText(t: ColumnType): ColumnType {
  if (t.kind === "ref") return { kind: "string" };
  if (t.kind === "array") return { kind: "array", element: refsAsText(t.element) };
  return t;
}

/** Write a row directly in storage form (bypassing the store), visible unless meta says not. */
export function put(d: SqlDriver, table: string, id: string, values: Record<string, unknown>, meta: Meta = {}, s = schema): void {
  const ts = s.tables[table];
  const names = ["id"];
  const params: SqlValue[] = [id];
  for (const [col, cs] of Object.entries(ts.columns)) {
    if (!(col in values) && cs.optional) continue;
    names.push(col);
    params.push(encodeColumn(table, col, { ...cs, type: refsAsText(cs.type) }, values[col]));
  }
  const created = meta.createdAt === undefined ? (clock += 1000) : meta.createdAt;
  names.push("$createdAt", "$createdBy", "$updatedAt", "$updatedBy", "$ts", "$batch", "$deletedAt");
  params.push(created, meta.createdBy ?? "alice", meta.updatedAt ?? created, meta.updatedBy ?? "alice", created, "b-" + id, meta.deletedAt ?? null);
  d.run(
    `INSERT INTO ${quoteIdent(table)} (${names.map(quoteIdent).join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
    params,
  );
}
