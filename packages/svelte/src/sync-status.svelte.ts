import type { SyncStatus as SyncStatusValue } from "@jazz-tools/core";
import { getJazzContext } from "./context.ts";

const NOT_READY: SyncStatusValue = Object.freeze({ connection: "connecting", pendingBatches: 0 });

/**
 * The provider's db.getSyncStatus() for Svelte 5 components: `.current` is replaced on every
 * change (connection, reason, pending writes), and the listener ends with the component.
 */
export class SyncStatus {
  current = $state.raw<SyncStatusValue>(NOT_READY);

  constructor() {
    const ctx = getJazzContext();
    $effect.pre(() => {
      const client = ctx.client;
      if (!client) return;
      this.current = client.syncStatus;
      return client.onSyncStatusChanged((s) => (this.current = s));
    });
  }
}
