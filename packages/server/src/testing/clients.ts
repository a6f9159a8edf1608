// Raw ServerLink clients for e2e tests and benchmarks: every event a link reports is recorded,
// and `until` waits for a condition with a deadline (no fixed sleeps).

import WebSocket from "ws";
import type { Batch, BatchFate, DurabilityTier, RuntimeSchema } from "@jazz-tools/core";
import { ServerLink, type AuthEvent, type HandshakeAuth, type ServerLinkOptions } from "@jazz-tools/core/sync";
import { generateAuthSecret, mintLocalFirstToken, deriveLocalFirstIdentity } from "@jazz-tools/auth";

export const TODO_SCHEMA: RuntimeSchema = {
  tables: {
    todos: {
      columns: {
        title: { type: { kind: "string" }, optional: false, merge: "lww" },
        owner: { type: { kind: "string" }, optional: false, merge: "lww" },
        done: { type: { kind: "boolean" }, optional: false, merge: "lww" },
      },
    },
  },
};

export interface RecordingClient {
  link: ServerLink;
  userId: string;
  fates: BatchFate[];
  remote: Batch[];
  settled: [string, DurabilityTier][];
  auth: AuthEvent[];
  fateOf(batchId: string): BatchFate | undefined;
  close(): Promise<void>;
}

export function localFirstAuth(appId: string, secret = generateAuthSecret()): { auth: HandshakeAuth; userId: string; secret: string } {
  const token = mintLocalFirstToken(secret, { audience: appId });
  return { auth: { token }, userId: deriveLocalFirstIdentity(secret).userId, secret };
}

export function recordingClient(
  serverUrl: string,
  appId: string,
  opts: Partial<ServerLinkOptions> & { userId?: string } = {},
): RecordingClient {
  const lf = opts.auth ? null : localFirstAuth(appId);
  const link = new ServerLink({
    serverUrl,
    appId,
    WebSocket: WebSocket as never,
    schema: TODO_SCHEMA,
    backoff: { baseMs: 50, capMs: 500, jitterMs: 20 },
    onServerError: () => {},
    ...opts,
    auth: opts.auth ?? lf!.auth,
  });
  const c: RecordingClient = {
    link,
    userId: opts.userId ?? lf?.userId ?? "",
    fates: [],
    remote: [],
    settled: [],
    auth: [],
    fateOf: (id) => c.fates.find((f) => f.batchId === id),
    close: () => link.close(),
  };
  link.listen({
    onFate: (f) => c.fates.push(f),
    onRemoteBatches: (b) => c.remote.push(...b),
    onQuerySettled: (id, tier) => c.settled.push([id, tier]),
  });
  link.onAuth((e) => c.auth.push(e));
  return c;
}

export async function until<T>(fn: () => T | undefined | null | false, what: string, timeoutMs = 15_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Like until, for async checks: retries `fn` until it resolves truthy. */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let counter = 0;
/** A UUIDv7-shaped batch id (32 hex) that sorts by creation. */
export function batchId(): string {
  const ms = Date.now().toString(16).padStart(12, "0");
  const seq = (counter++ % 4096).toString(16).padStart(3, "0");
  const rand = () => Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, "0");
  return `${ms}7${seq}8${(rand() + rand()).slice(0, 15)}`;
}

export function rowId(): string {
  const h = batchId();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function insertTodo(author: string, id: string, values: { title: string; owner: string; done?: boolean }, ts = Date.now() * 1000): Batch {
  return {
    batchId: batchId(),
    ts,
    author,
    kind: "direct",
    writes: [{ table: "todos", id, op: "insert", values: { title: values.title, owner: values.owner, done: values.done ? 1 : 0 } }],
  };
}

export function updateTodo(author: string, id: string, values: Record<string, string | number>, ts = Date.now() * 1000, kind: Batch["kind"] = "direct"): Batch {
  return { batchId: batchId(), ts, author, kind, writes: [{ table: "todos", id, op: "update", values }] };
}
