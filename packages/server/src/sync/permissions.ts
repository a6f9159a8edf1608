// Row-level permissions on the server (the logic lives in core's permissions module): every
// non-privileged batch is checked write by write before it is merged, and every batch sent to
// a connection is projected onto the rows its session may read.

import type { Batch } from "@jazz-tools/core";
import { checkBatch, projectBatches } from "@jazz-tools/core/permissions";
import type { SyncService } from "./service.ts";
import type { Connection } from "./connection.ts";

export function enforcePermissions(service: SyncService): void {
  const { engine } = service;
  try {
    service.permissions.setBundle(engine.permissions);
  } catch (e) {
    // A stored bundle that no longer parses must not open the data to everyone.
    throw new Error(`the stored permissions bundle is invalid (${(e as Error).message}); redeploy permissions`);
  }
  engine.writePolicy = {
    check(batch, session, store) {
      const p = service.permissions.policiesFor(engine.schema, session);
      if (!p) return null;
      const denied = checkBatch(p, store, batch);
      return denied ? { code: "forbidden", reason: denied.message } : null;
    },
  };
}

export function projectForConnection(c: Connection, batches: Batch[]): Batch[] {
  const session = c.session;
  if (!session || c.isPrivileged) return batches;
  const service = (c as unknown as { service: SyncService }).service;
  const p = service.permissions.policiesFor(service.engine.schema, session);
  return p ? projectBatches(p, service.engine.driver, batches) : batches;
}
