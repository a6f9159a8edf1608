// The devtools bridge: an inspector (browser extension, in-page overlay) drives a live Db over
// request/response messages on the "jazz-devtools-v1" channel, and hears of its live queries.
// Transport-free here (the browser wires it to window.postMessage, see attachDevTools), so it
// is tested in Node with an in-memory transport.
//
//   request   { channel, kind: "request", requestId, command, payload }
//   response  { channel, kind: "response", requestId, ok, payload? , error?: { message } }
//   event     { channel, kind: "event", event, payload }
//
// Commands: bridge.handshake, devtools.announce, client.query, client.insertDurable,
// client.updateDurable, client.deleteDurable, client.subscribe, client.unsubscribe,
// client.listActiveQuerySubscriptions. Events sent: client.subscription.delta,
// client.activeQuerySubscriptions.changed; events heard: devtools.connected,
// devtools.disconnected (the inspector went away: its subscriptions end).

import { JazzError } from "../errors/base.ts";
import type { Db } from "../db/db.ts";
import type { DbConfig } from "../db/types.ts";
import type { DurabilityTier } from "../engine/batch.ts";
import type { QueryIR, QueryLike } from "../query/ir.ts";
import type { RuntimeSchema } from "../schema/runtime.ts";

export const DEVTOOLS_CHANNEL = "jazz-devtools-v1";

export interface DevtoolsTransport {
  post(message: unknown): void;
  /** Every message that may be for the bridge (it filters by channel); returns unlisten. */
  listen(onMessage: (message: unknown) => void): () => void;
}

/** A devtools request the bridge cannot carry out (its text is what the inspector shows). */
export class DevtoolsBridgeError extends JazzError {
  readonly code: string = "devtools_bridge";
  override name = "DevtoolsBridgeError";
}

type Payload = Record<string, unknown>;
const TIERS = new Set(["local", "edge", "global"]);

/**
 * Serve `db` to devtools over `transport` until the returned function is called. `schema`: the
 * app's tables (`app.wasmSchema`), announced to the inspector and used to read its queries.
 */
export function startDevtoolsBridge(db: Db, schema: RuntimeSchema, transport: DevtoolsTransport): () => void {
  const subscriptions = new Map<string, () => void>();
  const post = (m: object) => transport.post({ channel: DEVTOOLS_CHANNEL, ...m });
  const emit = (event: string, payload: unknown) => post({ kind: "event", event, payload });

  const handle = (table: string): QueryLike => {
    if (!schema.tables[table]) throw new DevtoolsBridgeError(`Unknown table "${table}". Tables: ${Object.keys(schema.tables).join(", ") || "(none)"}.`);
    return { _table: table, _schema: schema, _build: () => ({ table, conditions: [], orderBy: [], includes: [] }) };
  };
  const query = (input: unknown): QueryLike => {
    let ir = input;
    if (typeof ir === "string") {
      try {
        ir = JSON.parse(ir);
      } catch {
        throw new DevtoolsBridgeError("payload.query is not valid JSON");
      }
    }
    if (!ir || typeof ir !== "object" || typeof (ir as QueryIR).table !== "string")
      throw new DevtoolsBridgeError("payload.query must be a query ({ table, conditions, ... }) or its JSON");
    const given = ir as Partial<QueryIR> & { table: string };
    const q: QueryIR = { ...given, conditions: given.conditions ?? [], orderBy: given.orderBy ?? [], includes: given.includes ?? [] };
    if (q.hops?.length) throw new DevtoolsBridgeError("hopTo queries are not supported by the devtools bridge; query the target table");
    handle(q.table);
    const built = structuredClone(q);
    return { _table: q.table, _schema: schema, _build: () => structuredClone(built) };
  };
  const tierOf = (p: Payload): DurabilityTier | undefined => {
    if (p.tier === undefined) return undefined;
    if (typeof p.tier !== "string" || !TIERS.has(p.tier)) throw new DevtoolsBridgeError(`tier must be "local", "edge" or "global", got ${JSON.stringify(p.tier)}`);
    return p.tier as DurabilityTier;
  };
  const text = (p: Payload, key: string): string => {
    const v = p[key];
    if (typeof v !== "string" || v === "") throw new DevtoolsBridgeError(`payload.${key} must be a non-empty string`);
    return v;
  };
  const record = (p: Payload, key: string): Record<string, unknown> => {
    const v = p[key];
    if (!v || typeof v !== "object" || Array.isArray(v)) throw new DevtoolsBridgeError(`payload.${key} must be an object`);
    return v as Record<string, unknown>;
  };
  /** The table holding a row (devtools address rows by id alone). */
  const tableOf = async (id: string): Promise<QueryLike> => {
    for (const table of Object.keys(schema.tables)) {
      const base = handle(table);
      const byId: QueryLike = { ...base, _build: () => ({ table, conditions: [{ column: "id", op: "eq", value: id }], orderBy: [], includes: [] }) };
      if (await db.one(byId)) return base;
    }
    throw new DevtoolsBridgeError(`No row with id "${id}" in any table`);
  };

  const commands: Record<string, (p: Payload) => unknown> = {
    "bridge.handshake": () => ({ ready: true }),
    "devtools.announce": () => ({ ready: true, wasmSchema: schema, dbConfig: publicConfig(db.getConfig(), db.devMode) }),
    "client.query": (p) => {
      const tier = tierOf(p);
      return db.all(query(p.query), tier ? { tier } : undefined);
    },
    "client.insertDurable": async (p) => {
      const r = db.insert(handle(text(p, "table")), record(p, "values") as never);
      await r.wait({ tier: tierOf(p) ?? "local" });
      return r.value;
    },
    "client.updateDurable": async (p) => {
      const id = text(p, "objectId");
      const updates = record(p, "updates");
      await db.update(await tableOf(id), id, updates as never).wait({ tier: tierOf(p) ?? "local" });
      return { updated: true };
    },
    "client.deleteDurable": async (p) => {
      const id = text(p, "objectId");
      await db.delete(await tableOf(id), id).wait({ tier: tierOf(p) ?? "local" });
      return { deleted: true };
    },
    "client.subscribe": (p) => {
      const id = text(p, "subscriptionId");
      const q = query(p.query);
      const tier = tierOf(p);
      subscriptions.get(id)?.();
      const stop = db.subscribeAll(q as QueryLike<{ id: string }>, (delta) => emit("client.subscription.delta", { subscriptionId: id, delta }), {
        ...(tier ? { tier } : {}),
        visibility: "hidden_from_live_query_list", // the inspector's own queries are not the app's
        onError: (e) => emit("client.subscription.delta", { subscriptionId: id, delta: null, error: { message: e.message } }),
      });
      subscriptions.set(id, stop);
      return { subscribed: true };
    },
    "client.unsubscribe": (p) => {
      const id = text(p, "subscriptionId");
      subscriptions.get(id)?.();
      subscriptions.delete(id);
      return { unsubscribed: true };
    },
    "client.listActiveQuerySubscriptions": () => db.getActiveQuerySubscriptions(),
  };

  const endSubscriptions = () => {
    for (const stop of subscriptions.values()) stop();
    subscriptions.clear();
  };

  const onMessage = (m: unknown) => {
    if (!m || typeof m !== "object") return;
    const msg = m as Payload;
    if (msg.channel !== DEVTOOLS_CHANNEL) return;
    if (msg.kind === "event") {
      if (msg.event === "devtools.disconnected") endSubscriptions();
      return;
    }
    if (msg.kind !== "request" || typeof msg.requestId !== "string") return;
    const { requestId, command } = msg;
    const run = typeof command === "string" ? commands[command] : undefined;
    const answer = async () => {
      if (!run) throw new DevtoolsBridgeError(`Unknown devtools command ${JSON.stringify(command)}. Commands: ${Object.keys(commands).join(", ")}.`);
      const payload = msg.payload;
      if (payload !== undefined && (payload === null || typeof payload !== "object")) throw new DevtoolsBridgeError("payload must be an object");
      return run((payload ?? {}) as Payload);
    };
    answer().then(
      (payload) => post({ kind: "response", requestId, ok: true, payload }),
      (e: unknown) => post({ kind: "response", requestId, ok: false, error: { message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) } }),
    );
  };

  const unlisten = transport.listen(onMessage);
  const stopTraces = db.onActiveQuerySubscriptionsChanged((subscriptions) => emit("client.activeQuerySubscriptions.changed", { subscriptions }));
  return () => {
    unlisten();
    stopTraces();
    endSubscriptions();
  };
}

/** The config an inspector may see: no secrets (the secret, tokens and admin secret stay here). */
function publicConfig(c: DbConfig, devMode: boolean): Partial<DbConfig> {
  const out: Partial<DbConfig> = { appId: c.appId, devMode };
  for (const k of ["serverUrl", "env", "userBranch", "driver", "dbName"] as const) if (c[k] !== undefined) (out as Record<string, unknown>)[k] = c[k];
  return out;
}
