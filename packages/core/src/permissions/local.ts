// Client-side enforcement for a Db: PermissiveLocal until the server's bundle arrives, then
// Enforcing — every local batch is checked before it is applied (a denied write throws
// PolicyDeniedError synchronously and changes nothing) and local reads run under the read
// policy ($canRead/$canEdit/$canDelete become selectable). Admin Dbs never enforce locally.

import type { RuntimeSchema } from "../schema/runtime.ts";
import type { Batch } from "../engine/batch.ts";
import type { Store } from "../engine/store.ts";
import type { PolicySession } from "./bundle.ts";
import type { PolicyHook } from "./compile.ts";
import { PermissionsState, checkBatch, readPolicyScope } from "./enforce.ts";

export class LocalPermissions {
  readonly state = new PermissionsState();

  constructor(
    private readonly session: () => PolicySession | null,
    private readonly bypass: () => boolean,
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
    const denied = checkBatch(p, store, batch);
    if (denied) throw denied;
  }

  readHook(schema: RuntimeSchema): PolicyHook | undefined {
    return this.policies(schema)?.hook;
  }

  /** The tables a live query must watch: its own plus those its read policies read. */
  tablesFor(hook: PolicyHook | undefined, tables: Set<string>): Set<string> {
    const extra = readPolicyScope(hook, tables);
    if (!extra) return tables;
    return new Set([...tables, ...extra.tables]);
  }
}
