// The worker's API (exposed through Comlink by worker.ts): open the namespace's OPFS database,
// commit local batches durably, serve the hydration image, fan out to tabs, run upstream.

import type { Batch, BatchFate, DurabilityTier, QueryIR, RuntimeSchema, SqlDriver } from "@jazz-tools/core";
import { transfer } from "comlink";
import { loadWaSqlite } from "../sqlite/load.ts";
import { openTabChannel, type TabMessage } from "../tabs/channel.ts";
import { DurableReplica, type BatchApplier } from "./durable-replica.ts";
import type { RetractedRow } from "./undo-log.ts";
import { OpfsDatabase, OpfsUnavailableError, type JournalMode } from "./opfs.ts";
import type { WorkerSync } from "../sync/worker-sync.ts";
import { holdTabLease } from "../sync/messages.ts";
import { serialTransactions } from "./serial-transactions.ts";

export interface WorkerInit {
  wasmModule: WebAssembly.Module;
  namespace: string;
  /** Tables known at start (more arrive with commits). */
  schema: RuntimeSchema;
  /** Identifies the tab, so it can skip its own batches on the tab channel. */
  tabId: string;
  journal?: JournalMode;
  config?: Record<string, unknown>;
}

export type InitResult = { ok: true } | { ok: false; opfsUnavailable: boolean; reason: string };

export type EngineFactory = (driver: SqlDriver, schema: RuntimeSchema) => BatchApplier;

export class WorkerHost {
  private replica: DurableReplica | null = null;
  private channel: BroadcastChannel | null = null;
  private sync: WorkerSync | null = null;
  private tabId = "";
  private releaseTab: (() => void) | null = null;
  /** Staged batches waiting for their tab's word (see stage). */
  private readonly holds = new Map<string, (ok: boolean) => void>();

  constructor(private readonly makeEngine: EngineFactory) {}

  /** Answers once the worker's module has loaded and Comlink is listening (the bootstrap check). */
  alive(): true {
    return true;
  }

  async init(init: WorkerInit): Promise<InitResult> {
    this.tabId = init.tabId;
    let db: OpfsDatabase;
    // The VFS reports the cause of a failed open (e.g. a handle conflict) only on console.error.
    // Keep it for the failure reason; an open that succeeds after retrying is no error (a
    // closing tab briefly holding the file), so it is logged at debug level only.
    const vfsErrors: string[] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => {
      vfsErrors.push(args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : String(a))).join(" "));
      console.debug("[jazz] retried after:", ...args);
    };
    try {
      const m = await loadWaSqlite({ module: init.wasmModule });
      db = await OpfsDatabase.open(m, init.namespace, init.journal);
    } catch (e) {
      const reason = [String((e as Error)?.message ?? e), ...new Set(vfsErrors)].join("; ");
      return { ok: false, opfsUnavailable: e instanceof OpfsUnavailableError, reason };
    } finally {
      console.error = consoleError;
    }
    const config = init.config ?? {};
    // With a server, it decides local batches: keep them retractable until it has.
    const upstream = typeof config.serverUrl === "string" && config.serverUrl !== "";
    // The lease on this tab's subscriptions (held before any subscription leaves this worker).
    this.releaseTab = await holdTabLease(init.namespace, init.tabId);
    this.replica = await DurableReplica.open(serialTransactions(db), (d) => this.makeEngine(d, init.schema), { upstream });
    this.channel = openTabChannel(init.namespace);
    const channel = this.channel;
    // Without a server there is nothing to sync: the sync code is not even loaded.
    if (!upstream) return { ok: true };
    const { WorkerSync } = await import("../sync/worker-sync.ts");
    // The server link starts later (startSync), once the tab's Db knows its session token.
    this.sync = new WorkerSync({
      namespace: init.namespace,
      tabId: init.tabId,
      context: {
        replica: this.replica,
        namespace: init.namespace,
        schema: init.schema,
        config,
        publishRemote: (batches) =>
          channel.postMessage({ type: "batches", origin: "upstream", batches, schema: this.replica?.schema() } satisfies TabMessage),
        publishFates: (fates, retracted) =>
          channel.postMessage({ type: "fates", fates, ...(retracted?.length ? { retracted, schema: this.replica?.schema() } : {}) } satisfies TabMessage),
        publishEvicted: (table, ids) => channel.postMessage({ type: "evict", table, ids } satisfies TabMessage),
      },
    });
    return { ok: true };
  }

  /** Compete for the namespace's server connection (no-op without serverUrl). */
  startSync(token: string | null): void {
    this.sync?.start(token);
  }

  /** `schema`: the mirror's tables (the query's tables may be new to this worker). */
  subscribeQuery(queryId: string, query: QueryIR, tier: DurabilityTier, schema?: RuntimeSchema): void {
    this.sync?.subscribe(this.tabId, queryId, query, tier, schema);
  }

  unsubscribeQuery(queryId: string): void {
    this.sync?.unsubscribe(this.tabId, queryId);
  }

  updateAuthToken(jwt: string | null): void {
    this.sync?.updateToken(jwt);
  }

  async image(): Promise<Uint8Array> {
    const image = await this.ready().image();
    return transfer(image, [image.buffer as ArrayBuffer]);
  }

  /**
   * `schema`: the mirror's current tables, sent when it has learned new ones. `declared`: the
   * app schema the tab's writes use, sent when it changes; batches bound for a server are
   * stamped with its version before they are recorded (they may be sent after a reload onto
   * another version).
   */
  async commit(batches: Batch[], schema?: RuntimeSchema, declared?: RuntimeSchema): Promise<BatchFate[]> {
    this.stampVersion(batches, declared);
    return this.committed(batches, await this.ready().commitLocal(batches, { schema }));
  }

  private declared: RuntimeSchema | undefined;

  private stampVersion(batches: Batch[], declared: RuntimeSchema | undefined): void {
    if (declared) this.declared = declared;
    if (this.declared) this.sync?.stampVersion(batches, this.declared);
  }

  /**
   * A large batch its tab is applying to its mirror right now: apply it here in parallel, and
   * commit it once `release(batchId, true)` says the mirror applied it too (false: dropped).
   */
  async stage(batch: Batch, schema?: RuntimeSchema, declared?: RuntimeSchema): Promise<BatchFate> {
    this.stampVersion([batch], declared);
    const released = new Promise<boolean>((resolve) => this.holds.set(batch.batchId, resolve));
    const fates = await this.ready().commitLocal([batch], { schema, hold: () => released });
    return this.committed([batch], fates)[0]!;
  }

  release(batchId: string, ok: boolean): void {
    this.holds.get(batchId)?.(ok);
    this.holds.delete(batchId);
  }

  private committed(batches: Batch[], fates: BatchFate[]): BatchFate[] {
    // Other tabs heard of these batches from this tab's mirror, unconfirmed (tabs/channel.ts).
    const committed = batches.filter((_, i) => fates[i]!.kind === "accepted");
    if (committed.length) this.sync?.onLocalCommitted(committed);
    return fates;
  }

  /**
   * The durable state of some rows (null: no such row), for a tab whose mirror merged another
   * tab's batch that never became durable. `schema`: the tab's tables (may be new here).
   */
  async readRows(keys: { table: string; id: string }[], schema?: RuntimeSchema): Promise<RetractedRow[]> {
    if (schema) await this.ready().addTables(schema);
    return this.ready().readRows(keys);
  }

  integrityCheck(): Promise<string> {
    return this.ready().integrityCheck();
  }

  /** Closes the database and releases the OPFS handles and lock (idempotent). */
  async shutdown(): Promise<void> {
    const { replica, sync } = this;
    for (const release of this.holds.values()) release(false);
    this.holds.clear();
    this.replica = null;
    this.sync = null;
    await sync?.close();
    replica?.close();
    this.channel?.close();
    this.channel = null;
    this.releaseTab?.();
    this.releaseTab = null;
  }

  /** The server query ids this worker keeps for the namespace's tabs (tests, devtools). */
  syncedQueryIds(): string[] {
    return this.sync?.subscriptionIds() ?? [];
  }

  private ready(): DurableReplica {
    if (!this.replica) throw new Error("The Jazz worker is not open (init failed or it was shut down)");
    return this.replica;
  }
}
