// The permissions bundle: the JSON the server stores, sends to clients in its welcome/catalogue
// message, and compiles (per session) into SQL predicates. Plain JSON on purpose: it travels
// over the wire unchanged and one compiler (compile.ts) serves every replica.
//
// Expressions are evaluated against a stack of rows ("scopes"): the policy's own row is the
// outermost scope, and every `exists` pushes the row it ranges over. A column operand names its
// scope by `up` = how many scopes outwards it sits from the innermost one (0 = innermost).

import { JazzError } from "../errors/base.ts";

export const BUNDLE_FORMAT = "jazz-permissions";
export const BUNDLE_VERSION = 1;

export const DEFAULT_MAX_DEPTH = 10;
export const MAX_DEPTH_CAP = 64;

export type CmpOp = "eq" | "ne" | "gt" | "gte" | "lt" | "lte" | "in" | "contains" | "isNull";

/** A literal in app terms, JSON-safe: Date → {$date: ms}, Uint8Array → {$bytes: base64}. */
export type Literal =
  | string
  | number
  | boolean
  | null
  | { $date: number }
  | { $bytes: string }
  | { $json: unknown }
  | Literal[];

export type Operand =
  | { col: string; up: number }
  /** A session path: ["user_id"], ["authMode"], ["claims", "role"], ... */
  | { session: string[] }
  | { lit: Literal };

export type PolicyExpr =
  | { t: "const"; v: boolean }
  | { t: "and"; of: PolicyExpr[] }
  | { t: "or"; of: PolicyExpr[] }
  | { t: "not"; of: PolicyExpr }
  | { t: "cmp"; l: Operand; op: CmpOp; r: Operand }
  /** True when some visible row of `table` satisfies `where` (evaluated with that row pushed). */
  | { t: "exists"; table: string; where: PolicyExpr }
  /**
   * The row that the innermost scope's `col` references may itself be read/inserted/updated/
   * deleted under its own table's policy; at most `maxDepth` references are followed.
   */
  | { t: "allowedTo"; op: "read" | "insert" | "update" | "delete"; col: string; maxDepth: number }
  /**
   * Some visible row of `table` whose `col` references the innermost row passes its table's
   * `op` policy (reverse inheritance).
   */
  | {
      t: "allowedToReferencing";
      op: "read" | "insert" | "update" | "delete";
      table: string;
      col: string;
      maxDepth: number;
    };

/** One update grant: the stored row must pass `old`, the row after the write must pass `new`. */
export interface UpdateGrant {
  old: PolicyExpr;
  new: PolicyExpr;
}

export interface TablePolicies {
  read?: PolicyExpr;
  insert?: PolicyExpr;
  /** Alternatives: an update is allowed when one grant accepts both its rows. */
  update?: UpdateGrant[];
  /** Absent: falls back to the update grants' `old` clauses (reference §2.5). */
  delete?: PolicyExpr;
}

export interface PermissionsBundle {
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  /** Tables without an entry deny everything once the bundle is active. */
  tables: Record<string, TablePolicies>;
}

/** The session policies are evaluated for (the wire's WireSession is compatible). */
export interface PolicySession {
  user_id: string;
  claims?: Record<string, unknown>;
  authMode?: string;
}

export class InvalidPermissionsBundleError extends JazzError {
  readonly code: string = "invalid_permissions_bundle";
  override name = "InvalidPermissionsBundleError";
}

/** Accepts a bundle received from elsewhere (wire, disk); throws on anything malformed. */
export function parsePermissionsBundle(value: unknown): PermissionsBundle {
  const bad = (what: string): never => {
    throw new InvalidPermissionsBundleError(`Invalid permissions bundle: ${what}. Build it with definePermissions().`);
  };
  if (!value || typeof value !== "object") bad("expected an object");
  const b = value as Record<string, unknown>;
  if (b.format !== BUNDLE_FORMAT) bad(`format must be "${BUNDLE_FORMAT}"`);
  if (b.version !== BUNDLE_VERSION) bad(`unsupported version ${JSON.stringify(b.version)}`);
  if (!b.tables || typeof b.tables !== "object" || Array.isArray(b.tables)) bad("tables must be an object");
  for (const [table, p] of Object.entries(b.tables as Record<string, unknown>)) {
    if (!p || typeof p !== "object") bad(`tables.${table} must be an object`);
    const tp = p as Record<string, unknown>;
    for (const k of ["read", "insert", "delete"]) if (tp[k] !== undefined) checkExpr(tp[k], `tables.${table}.${k}`, bad);
    if (tp.update !== undefined) {
      if (!Array.isArray(tp.update)) bad(`tables.${table}.update must be an array`);
      (tp.update as unknown[]).forEach((g, i) => {
        const grant = g as Record<string, unknown>;
        checkExpr(grant?.old, `tables.${table}.update[${i}].old`, bad);
        checkExpr(grant?.new, `tables.${table}.update[${i}].new`, bad);
      });
    }
  }
  return value as PermissionsBundle;
}

function checkExpr(e: unknown, at: string, bad: (what: string) => never): void {
  if (!e || typeof e !== "object") bad(`${at} must be an expression`);
  const x = e as Record<string, unknown>;
  switch (x.t) {
    case "const":
      if (typeof x.v !== "boolean") bad(`${at}.v must be a boolean`);
      return;
    case "and":
    case "or":
      if (!Array.isArray(x.of)) bad(`${at}.of must be an array`);
      (x.of as unknown[]).forEach((c, i) => checkExpr(c, `${at}.of[${i}]`, bad));
      return;
    case "not":
      checkExpr(x.of, `${at}.of`, bad);
      return;
    case "cmp":
      if (typeof x.op !== "string") bad(`${at}.op must be a string`);
      return;
    case "exists":
      if (typeof x.table !== "string") bad(`${at}.table must be a string`);
      checkExpr(x.where, `${at}.where`, bad);
      return;
    case "allowedTo":
    case "allowedToReferencing":
      if (typeof x.col !== "string") bad(`${at}.col must be a string`);
      if (typeof x.maxDepth !== "number") bad(`${at}.maxDepth must be a number`);
      return;
    default:
      bad(`${at} has unknown kind ${JSON.stringify(x.t)}`);
  }
}
