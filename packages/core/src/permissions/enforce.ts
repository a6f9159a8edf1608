// Enforcement glue shared by the server and the Db: which bundle is active, the per-session
// compiled policies, whole-batch write checks, and projection of outgoing batches onto the
// rows a session may read.

import type { SqlDriver } from "../sql/driver.ts";
import type { RuntimeSchema } from "../schema/runtime.ts";
import type { Batch } from "../engine/batch.ts";
import type { Store } from "../engine/store.ts";
import { quoteIdent, visibleRowPredicate } from "../engine/layout.ts";
import { parsePermissionsBundle, type PermissionsBundle, type PolicyExpr, type PolicySession } from "./bundle.ts";
import { CompiledPolicies, PolicyCompileError, policyExpr, type PolicyHook } from "./compile.ts";
import { checkRowWrite, effectiveWriteOp, PolicyDeniedError } from "./check.ts";

class Rollback extends Error {}

/**
 * Throws (PolicyCompileError, naming the table and column) when a bundle does not fit a
 * schema: every predicate is compiled once for a sample session, so a stale bundle is refused
 * at deploy time instead of failing reads and writes later.
 */
export function assertBundleFitsSchema(bundle: PermissionsBundle, schema: RuntimeSchema): void {
  const p = new CompiledPolicies(bundle, schema, { user_id: "", claims: {}, authMode: "anonymous" });
  for (const table of Object.keys(bundle.tables)) {
    if (!schema.tables[table]) throw new PolicyCompileError(`permissions name table "${table}", which the schema does not have`);
    for (const op of ["read", "insert", "update", "delete"] as const) p.predicate(table, op, "t");
    p.updatePredicate(table, "o", "n");
  }
}

/** The active bundle (or none: PermissiveLocal) and compiled policies per session. */
export class PermissionsState {
  private bundle: PermissionsBundle | null = null;
  private version = 0;
  private cache = new WeakMap<RuntimeSchema, Map<string, CompiledPolicies>>();

  get active(): PermissionsBundle | null {
    return this.bundle;
  }

  /** Install a bundle (validated) or remove it with null/undefined. */
  setBundle(value: unknown): void {
    this.bundle = value === null || value === undefined ? null : parsePermissionsBundle(value);
    this.version++;
    this.cache = new WeakMap();
  }

  /** Identifies the read policy a session is under (same key = same predicates). */
  sessionKey(session: PolicySession): string {
    return this.bundle ? `${this.version}\u0000${JSON.stringify([session.user_id, session.authMode ?? null, session.claims ?? {}])}` : "";
  }

  /** Compiled policies for a session, or null when no bundle is active. */
  policiesFor(schema: RuntimeSchema, session: PolicySession): CompiledPolicies | null {
    if (!this.bundle) return null;
    let m = this.cache.get(schema);
    if (!m) this.cache.set(schema, (m = new Map()));
    const key = this.sessionKey(session);
    let p = m.get(key);
    if (!p) {
      if (m.size > 1000) m.clear();
      p = new CompiledPolicies(this.bundle, schema, session);
      m.set(key, p);
    }
    return p;
  }

  /** The query compiler hook for a session, or undefined when no bundle is active. */
  readHook(schema: RuntimeSchema, session: PolicySession): PolicyHook | undefined {
    return this.policiesFor(schema, session)?.hook;
  }
}

/**
 * Checks every write of a batch in order, each against the database with the batch's earlier
 * writes applied (inside a transaction that is always rolled back). Returns the first denial,
 * or null when the whole batch is granted. Nothing is left changed.
 */
export function checkBatch(
  p: CompiledPolicies,
  store: Store,
  batch: Batch,
  shouldCheck: (w: Batch["writes"][number]) => boolean = () => true,
): PolicyDeniedError | null {
  const driver = store.driver;
  // `shouldCheck` sees each write as it is checked (an insert of a stored row as an update).
  const check = (w: Batch["writes"][number]) => shouldCheck({ ...w, op: effectiveWriteOp(p, driver, w) } as Batch["writes"][number]);
  try {
    if (batch.writes.length === 1) {
      if (check(batch.writes[0])) checkRowWrite(p, driver, batch.writes[0], batch.author, batch.ts);
      return null;
    }
    store.transaction(() => {
      batch.writes.forEach((w, i) => {
        if (check(w)) checkRowWrite(p, driver, w, batch.author, batch.ts);
        if (i < batch.writes.length - 1) {
          store.applyBatch({ ...batch, batchId: `${batch.batchId}~check${i}`, writes: [w] }, { ephemeral: true });
        }
      });
      throw new Rollback();
    });
  } catch (e) {
    if (e instanceof PolicyDeniedError) return e;
    if (e instanceof Rollback) return null;
    throw e;
  }
  return null;
}

/**
 * Drops from outgoing batches every insert/update of a row the session cannot read now, so a
 * denied row's values never leave the server. Deletes carry no values and pass (a replica must
 * learn that a row it holds is gone). Batches left empty are dropped.
 */
export function projectBatches(p: CompiledPolicies, driver: SqlDriver, batches: Batch[]): Batch[] {
  const ids = new Map<string, Set<string>>();
  for (const b of batches) {
    for (const w of b.writes) {
      if (w.op === "delete") continue;
      let s = ids.get(w.table);
      if (!s) ids.set(w.table, (s = new Set()));
      s.add(w.id);
    }
  }
  const readable = new Map<string, Set<string>>();
  for (const [table, set] of ids) {
    const ok = new Set<string>();
    readable.set(table, ok);
    if (!p.schema.tables[table]) continue;
    const all = [...set];
    for (let i = 0; i < all.length; i += 500) {
      const chunk = all.slice(i, i + 500);
      const pred = p.predicate(table, "read", "r0");
      const sql = `SELECT r0.id FROM ${quoteIdent(table)} AS r0 WHERE r0.id IN (${chunk.map(() => "?").join(", ")}) AND ${visibleRowPredicate("r0")} AND (${pred.sql})`;
      for (const row of driver.all(sql, [...chunk, ...pred.params])) ok.add(row[0] as string);
    }
  }
  const out: Batch[] = [];
  for (const b of batches) {
    const writes = b.writes.filter((w) => w.op === "delete" || readable.get(w.table)?.has(w.id));
    if (writes.length === b.writes.length) out.push(b);
    else if (writes.length > 0) out.push({ ...b, writes });
  }
  return out;
}

/** Every table whose rows can change the outcome of `table`'s policies (itself included). */
export function policyTables(bundle: PermissionsBundle, schema: RuntimeSchema, table: string): Set<string> {
  const out = new Set<string>([table]);
  const seen = new Set<string>();
  const visitTable = (t: string) => {
    if (seen.has(t)) return;
    seen.add(t);
    out.add(t);
    for (const op of ["read", "insert", "update", "delete"] as const) visit(policyExpr(bundle.tables[t], op), t);
    for (const g of bundle.tables[t]?.update ?? []) visit(g.new, t);
  };
  const visit = (e: PolicyExpr, here: string): void => {
    switch (e.t) {
      case "and":
      case "or":
        e.of.forEach((x) => visit(x, here));
        return;
      case "not":
        visit(e.of, here);
        return;
      case "exists":
        out.add(e.table);
        visit(e.where, e.table);
        return;
      case "allowedTo": {
        const c = schema.tables[here]?.columns[e.col];
        if (c?.type.kind === "ref") visitTable(c.type.table);
        return;
      }
      case "allowedToReferencing":
        visitTable(e.table);
        return;
      default:
        return;
    }
  };
  visitTable(table);
  return out;
}

/**
 * For a subscription compiled with `hook` over `tables`: every table whose writes can change
 * which rows the session may read, and whether the read policies depend on the row alone (so a
 * touched row can be re-checked by itself). Null when the hook is not a permissions hook.
 */
export function readPolicyScope(hook: unknown, tables: Iterable<string>): { tables: Set<string>; rowLocal: boolean } | null {
  const p = (hook as { policies?: unknown } | undefined)?.policies;
  if (!(p instanceof CompiledPolicies)) return null;
  const out = new Set<string>();
  let rowLocal = true;
  for (const t of tables) {
    for (const x of policyTables(p.bundle, p.schema, t)) out.add(x);
    if (!isRowLocal(policyExpr(p.bundle.tables[t], "read"))) rowLocal = false;
  }
  return { tables: out, rowLocal };
}

/** Whether deciding `op` on `table` needs only the row itself (no exists / allowedTo). */
export function isRowLocalWrite(bundle: PermissionsBundle, table: string, op: "insert" | "update" | "delete"): boolean {
  const tp = bundle.tables[table];
  if (op === "update") return (tp?.update ?? []).every((g) => isRowLocal(g.old) && isRowLocal(g.new));
  return isRowLocal(policyExpr(tp, op));
}

export function isRowLocal(e: PolicyExpr): boolean {
  switch (e.t) {
    case "and":
    case "or":
      return e.of.every(isRowLocal);
    case "not":
      return isRowLocal(e.of);
    case "const":
    case "cmp":
      return true;
    default:
      return false;
  }
}
