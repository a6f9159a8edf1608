// Client-side enforcement for a Db: PermissiveLocal until the server's bundle arrives, then
// Enforcing — local batches are checked before they are applied (a denied write throws
// PolicyDeniedError synchronously and changes nothing). Admin Dbs never enforce locally.
//
// A client only holds the rows the server sent it, not the rows other policies read (other
// users' memberships, parents it cannot see). So locally we check only policies that depend on
// the written row alone; exists/allowedTo policies are left to the server (its rejection
// reaches wait() and onMutationError), which avoids false local denials. Likewise local reads
// are not filtered again (the server sent only readable rows): $canRead is true for local
// rows, while $canEdit/$canDelete evaluate the policies on local data.

import type { RuntimeSchema } from "../schema/runtime.ts";
import type { Batch } from "../engine/batch.ts";
import type { Store } from "../engine/store.ts";
import type { PolicySession } from "./bundle.ts";
import type { PolicyHook } from "./compile.ts";
import { PermissionsState, checkBatch, isRowLocalWrite, readPolicyScope } from "./enforce.ts";

export class LocalPermissions {
  readonly state = new PermissionsState();

  constructor(
    private readonly session: () => PolicySession | null,
    private readonly bypass: () => boolean,
    /** The Db is the authority (embedded backend): full read filtering and write checks. */
    private readonly authority = false,
  ) {}

  /** The bundle from the server's catalogue (null/undefined: none, back to permissive). */
  setBundle(bundle: unknown): void {
    this.state.setBundle(bundle);
  }

  get enforcing(): boolean {
    return !!this.state.active && !this.bypass();
  }

  private policies(schema: RuntimeSchema) {
    if (!this.enforcing) return null;
    // No session yet (external auth pending): check as nobody, which only "always" grants pass.
    return this.state.policiesFor(schema, this.session() ?? { user_id: "", claims: {}, authMode: "anonymous" });
  }

  /** Throws PolicyDeniedError when a write of the batch is not granted; changes nothing. */
  check(store: Store, batch: Batch): void {
    const p = this.policies(store.getSchema());
    if (!p) return;
    const denied = checkBatch(p, store, batch, this.authority ? undefined : (w) => isRowLocalWrite(p.bundle, w.table, w.op));
    if (denied) throw denied;
  }

  /** For local queries: no read filtering (see above); update/delete flags evaluated. */
  readHook(schema: RuntimeSchema): PolicyHook | undefined {
    const p = this.policies(schema);
    if (!p) return undefined;
    if (this.authority) return p.hook;
    const hook: PolicyHook = (table, op, alias) => (op === "read" ? null : p.predicate(table, op, alias));
    // Carry the policies so live queries also watch the tables the flags depend on.
    return Object.assign(hook, { policies: p });
  }

  /** The tables a live query must watch: its own plus those its read policies read. */
  tablesFor(hook: PolicyHook | undefined, tables: Set<string>): Set<string> {
    const extra = readPolicyScope(hook, tables);
    if (!extra) return tables;
    return new Set([...tables, ...extra.tables]);
  }
}
