// where() input → IR conditions: resolves the column (own, id or magic), checks the operator
// against the column type (reference §2.4) and cheap value shapes, and encodes values for the IR.

import type { ColumnSchema, ColumnType } from "../schema/runtime.ts";
import { describe, describeValueMismatch, encodeIrValue } from "../schema/values.ts";
import { QueryError } from "./errors.ts";
import type { Condition, Op } from "./ir.ts";

/**
 * The `current` value handed to a gather step: use it as a where value (`{ parentId: current }`).
 * It is encoded in the IR as `{ $current: true }`, meaning "the id of the row being expanded".
 */
export const GATHER_CURRENT = Object.freeze({ $current: true }) as unknown as string & { readonly __gatherCurrent: true };
export type GatherCurrent = typeof GATHER_CURRENT;

const OPS: readonly Op[] = ["eq", "ne", "gt", "gte", "lt", "lte", "in", "contains", "isNull"];
export const PROVENANCE: readonly string[] = ["$createdBy", "$createdAt", "$updatedBy", "$updatedAt"];
const PERMISSION: readonly string[] = ["$canRead", "$canEdit", "$canDelete"];
export const MAGIC: readonly string[] = [...PROVENANCE, ...PERMISSION];

/** The conditions for one where() object on `table` (keys with undefined values are skipped). */
export function buildConditions(columns: Record<string, ColumnSchema>, table: string, cond: object): Condition[] {
  const out: Condition[] = [];
  for (const [column, value] of Object.entries(cond)) {
    if (value === undefined) continue; // lets dynamic filters leave keys out
    out.push(...conditionsFor(columns, table, column, value));
  }
  return out;
}

function conditionsFor(columns: Record<string, ColumnSchema>, table: string, column: string, value: unknown): Condition[] {
  const target = whereTarget(columns, column);
  if (!target) {
    throw new QueryError(
      `Unknown column "${column}" in where() on table "${table}"; known columns: id, ${Object.keys(columns).join(", ")}, ${MAGIC.join(", ")}`,
    );
  }
  const allowed = allowedOps(target);
  const isOpsObject =
    isPlainObject(value) &&
    value !== (GATHER_CURRENT as unknown) &&
    (target.kind !== "json" || (Object.keys(value).length > 0 && Object.keys(value).every((k) => OPS.includes(k as Op))));
  if (!isOpsObject) return [condition(table, target, column, "eq", value)];
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) {
    throw new QueryError(`where(): empty operator object for "${column}" on table "${table}"; use one of ${allowed.join(", ")}`);
  }
  return entries.map(([op, v]) => {
    if (!allowed.includes(op as Op)) {
      throw new QueryError(
        `Operator "${op}" is not allowed on ${target.label} column "${column}" of table "${table}"; allowed: ${allowed.length ? allowed.join(", ") : "a plain value only"}`,
      );
    }
    return condition(table, target, column, op as Op, v);
  });
}

function condition(table: string, target: WhereTarget, column: string, op: Op, value: unknown): Condition {
  const where = `where() on "${table}.${column}"`;
  if (op === "isNull") {
    if (typeof value !== "boolean") throw new QueryError(`${where}: isNull takes true or false, got ${describe(value)}`);
    return { column, op, value };
  }
  if (value === null) {
    if (op !== "eq" && op !== "ne") throw new QueryError(`${where}: ${op} cannot compare with null`);
    if (!target.optional) {
      throw new QueryError(`${where}: the column is not optional, so it is never null; remove the null filter`);
    }
    // Normalised so the compiler emits IS NULL / IS NOT NULL.
    return { column, op: "isNull", value: op === "eq" };
  }
  if (op === "in") {
    if (!Array.isArray(value)) throw new QueryError(`${where}: in takes an array, got ${describe(value)}`);
    value.forEach((v) => checkValue(target, v, where));
    return { column, op, value: value.map(encodeValue) };
  }
  if (op === "contains") {
    if (target.type?.kind === "array") checkValue({ ...target, label: target.type.element.kind, kind: target.type.element.kind, type: target.type.element }, value, where);
    else if (typeof value !== "string") throw new QueryError(`${where}: contains takes a string, got ${describe(value)}`);
    return { column, op, value: encodeValue(value) };
  }
  if (op !== "eq" && op !== "ne" && target.label !== "timestamp" && target.label !== "magic timestamp") {
    if (typeof value !== "number") throw new QueryError(`${where}: ${op} takes a number, got ${describe(value)}`);
    return { column, op, value };
  }
  checkValue(target, value, where);
  return { column, op, value: encodeValue(value) };
}

interface WhereTarget {
  label: string;
  kind: ColumnType["kind"] | "id" | "magic";
  type?: ColumnType;
  optional: boolean;
}

function whereTarget(columns: Record<string, ColumnSchema>, column: string): WhereTarget | undefined {
  if (column === "id") return { label: "id", kind: "id", optional: false };
  if ((PROVENANCE as readonly string[]).includes(column)) {
    return column.endsWith("At")
      ? { label: "magic timestamp", kind: "magic", optional: false }
      : { label: "magic string", kind: "magic", optional: false };
  }
  if ((PERMISSION as readonly string[]).includes(column)) return { label: "magic boolean", kind: "magic", optional: false };
  const col = Object.hasOwn(columns, column) ? columns[column] : undefined;
  if (!col) return undefined;
  return { label: col.type.kind, kind: col.type.kind, type: col.type, optional: col.optional };
}

function allowedOps(t: WhereTarget): Op[] {
  const nullOps: Op[] = t.optional ? ["isNull"] : [];
  switch (t.label) {
    case "id":
      return ["eq", "ne", "in"];
    case "magic string":
      return ["eq", "ne", "in", "contains"];
    case "magic timestamp":
      return ["eq", "ne", "gt", "gte", "lt", "lte"];
    case "magic boolean":
      return [];
  }
  switch (t.kind) {
    case "string":
      return ["eq", "ne", "contains", "in", ...nullOps];
    case "boolean":
      return nullOps;
    case "int":
    case "float":
    case "timestamp":
      return ["eq", "ne", "gt", "gte", "lt", "lte", ...nullOps];
    case "ref":
    case "enum":
    case "json":
      return ["eq", "ne", "in", ...nullOps];
    case "bytes":
      return ["eq", "ne", ...nullOps];
    case "array":
      return ["eq", "ne", "contains", ...nullOps];
  }
  return [];
}

function checkValue(t: WhereTarget, value: unknown, where: string): void {
  let problem: string | null;
  const current = value === (GATHER_CURRENT as unknown);
  switch (t.label) {
    case "id":
    case "magic string":
      problem = typeof value === "string" || current ? null : `expected a string, got ${describe(value)}`;
      break;
    case "magic boolean":
      problem = typeof value === "boolean" ? null : `expected true or false, got ${describe(value)}`;
      break;
    case "magic timestamp":
      problem = typeof value === "number" || value instanceof Date ? null : `expected a Date or ms number, got ${describe(value)}`;
      break;
    default:
      if (current) {
        problem = t.kind === "ref" || t.kind === "string" ? null : "gather's current row id can only be compared with a ref or string column";
      } else if (t.kind === "timestamp" && typeof value === "number") {
        problem = null;
      } else {
        problem = describeValueMismatch(t.type!, value);
      }
  }
  if (problem) throw new QueryError(`${where}: ${problem}`);
}

function encodeValue(value: unknown): unknown {
  return value === (GATHER_CURRENT as unknown) ? { $current: true } : encodeIrValue(value);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
