// What a column name in a query refers to: the id, a schema column, a provenance column or a
// permission flag, with the SQL expression that reads it.

import type { ColumnType } from "../../schema/runtime.ts";
import { quoteIdent } from "../../engine/layout.ts";
import { QueryError } from "../errors.ts";
import type { Ctx, PolicyOp } from "./context.ts";
import { cat, type Frag } from "./frag.ts";

export type ColumnRef =
  | { kind: "id"; name: "id" }
  | { kind: "column"; name: string; type: ColumnType; optional: boolean }
  | { kind: "provenance"; name: string; timestamp: boolean }
  | { kind: "permission"; name: string; op: PolicyOp };

const PERMISSION_OPS: Record<string, PolicyOp> = { $canRead: "read", $canEdit: "update", $canDelete: "delete" };
const PROVENANCE = new Set(["$createdBy", "$createdAt", "$updatedBy", "$updatedAt"]);

export function resolveColumn(ctx: Ctx, table: string, name: string, usage: string): ColumnRef {
  if (name === "id") return { kind: "id", name: "id" };
  if (PROVENANCE.has(name)) return { kind: "provenance", name, timestamp: name.endsWith("At") };
  if (name in PERMISSION_OPS) return { kind: "permission", name, op: PERMISSION_OPS[name] };
  const col = ctx.table(table).columns[name];
  if (!col || !Object.hasOwn(ctx.table(table).columns, name))
    throw new QueryError(
      `Unknown column "${name}" in ${usage} on table "${table}". Known columns: id, ${Object.keys(ctx.table(table).columns).join(", ")}, ` +
        `and the magic columns $createdBy, $createdAt, $updatedBy, $updatedAt, $canRead, $canEdit, $canDelete.`,
    );
  return { kind: "column", name, type: col.type, optional: col.optional };
}

/** SQL expression reading `ref` on the row aliased `alias` (permission flags → 0|1). */
export function columnExpr(ctx: Ctx, table: string, alias: string, ref: ColumnRef): Frag {
  if (ref.kind === "id") return { sql: `${alias}.id`, params: [] };
  if (ref.kind === "permission") {
    const p = ctx.policy(table, ref.op, alias);
    return p ? cat("(CASE WHEN ", p, " THEN 1 ELSE 0 END)") : { sql: "1", params: [] };
  }
  return { sql: `${alias}.${quoteIdent(ref.name)}`, params: [] };
}

export function describeType(ref: ColumnRef): string {
  switch (ref.kind) {
    case "id":
      return "id";
    case "provenance":
      return ref.timestamp ? "provenance timestamp" : "provenance session";
    case "permission":
      return "permission flag";
    case "column":
      return ref.type.kind === "array" ? `array<${ref.type.element.kind}>` : ref.type.kind;
  }
}
