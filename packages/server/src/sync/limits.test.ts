// Bounded per-connection resources: a socket that never says hello is closed, a client that
// stops reading is disconnected once its send buffer passes the limit (the server never
// buffers without bound), and a client that does not answer pings is closed.
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { RuntimeSchema } from "@jazz-tools/core";
import { CLOSE } from "@jazz-tools/core/sync";
import { startLocalJazzServer, type LocalJazzServer } from "../testing/local.ts";
import { batchId, localFirstAuth, recordingClient, rowId, until, type RecordingClient } from "../testing/clients.ts";
import type { ConnectionLimits } from "./service.ts";

const schema: RuntimeSchema = { tables: { notes: { columns: { text: { type: { kind: "string" }, optional: false, merge: "lww" } } } } };
const servers: LocalJazzServer[] = [];
const clients: RecordingClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function start(limits: Partial<ConnectionLimits> & { maxFrameBytes?: number }) {
  const server = await startLocalJazzServer({ appId: `limits-${Math.random().toString(36).slice(2)}`, ...limits });
  servers.push(server);
  await fetch(`${server.url}/apps/${server.appId}/admin/schema`, { method: "POST", headers: { "X-Jazz-Admin-Secret": server.adminSecret }, body: JSON.stringify({ schema }) });
  return server;
}
const closed = (ws: WebSocket) => new Promise<number>((res) => ws.on("close", (code) => res(code)));
const wsUrl = (s: LocalJazzServer) => `${s.url.replace("http", "ws")}/apps/${s.appId}/ws`;

describe("connection limits", () => {
  it("closes a connection that sends a frame over --max-frame-bytes (1009); a bystander's writes go on", async () => {
    const server = await start({ maxFrameBytes: 4096 });
    const bystander = recordingClient(server.url, server.appId, { schema });
    clients.push(bystander);
    const u = localFirstAuth(server.appId);
    const big = new WebSocket(wsUrl(server));
    await new Promise((r) => big.on("open", r));
    big.send(JSON.stringify({ t: "hello", v: 3, clientId: "big", auth: u.auth }));
    const bigClosed = closed(big);
    big.send(JSON.stringify({ t: "ping", n: 1, pad: "x".repeat(8000) }));
    expect(await bigClosed).toBe(1009);
    const id = batchId();
    bystander.link.push({ batchId: id, ts: Date.now() * 1000, author: bystander.userId, kind: "direct", writes: [{ table: "notes", id: rowId(), op: "insert", values: { text: "small" } }] });
    expect(await until(() => bystander.fateOf(id), "bystander's fate")).toMatchObject({ kind: "accepted" });
  });

  it("closes a socket that sends no hello within the timeout", async () => {
    const server = await start({ helloTimeoutMs: 150 });
    const ws = new WebSocket(wsUrl(server));
    const t = Date.now();
    expect(await closed(ws)).toBe(CLOSE.timeout);
    expect(Date.now() - t).toBeLessThan(3_000);
  });

  it("disconnects a subscriber that stops reading once its send buffer passes the limit; the writer is unaffected", async () => {
    const server = await start({ maxSendBufferBytes: 64 * 1024 });
    const u = localFirstAuth(server.appId);
    const slow = new WebSocket(wsUrl(server));
    await new Promise((r) => slow.on("open", r));
    slow.send(JSON.stringify({ t: "hello", v: 1, clientId: "slow", auth: u.auth }));
    slow.send(JSON.stringify({ t: "sub", id: "q", query: { table: "notes", conditions: [], orderBy: [], includes: [] }, tier: "edge" }));
    const slowClosed = closed(slow);
    await new Promise((r) => setTimeout(r, 200));
    // Stop reading: what the server sends now piles up in its buffer for this socket.
    (slow as unknown as { _socket: { pause(): void } })._socket.pause();
    const writer = recordingClient(server.url, server.appId, { schema });
    clients.push(writer);
    const big = "x".repeat(200_000);
    let last = "";
    for (let i = 0; i < 80; i++) {
      last = batchId();
      writer.link.push({ batchId: last, ts: Date.now() * 1000 + i, author: writer.userId, kind: "direct", writes: [{ table: "notes", id: rowId(), op: "insert", values: { text: big } }] });
    }
    expect(await until(() => writer.fateOf(last), "writer's last fate", 30_000)).toMatchObject({ kind: "accepted" });
    (slow as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await slowClosed).toBe(CLOSE.slowConsumer);
    expect(server.server.service.connections.size).toBe(1);
  }, 60_000);

  it("closes a client that does not answer pings", async () => {
    const server = await start({ pingIntervalMs: 100 });
    const u = localFirstAuth(server.appId);
    const ws = new WebSocket(wsUrl(server), { autoPong: false } as never);
    await new Promise((r) => ws.on("open", r));
    ws.send(JSON.stringify({ t: "hello", v: 1, clientId: "mute", auth: u.auth }));
    expect(await closed(ws)).toBe(CLOSE.timeout);
  });

  it("refuses a subscription past the per-connection maximum, keeping the ones it holds", async () => {
    const server = await start({ maxSubscriptions: 2 });
    const errors: { code: string; id?: string; message: string }[] = [];
    const settled: string[] = [];
    const q = { table: "notes", conditions: [], orderBy: [], includes: [] };
    const raw = new WebSocket(wsUrl(server));
    await new Promise((r) => raw.on("open", r));
    raw.on("message", (d) => {
      const m = JSON.parse(String(d));
      if (m.t === "error") errors.push(m);
      if (m.t === "settled") settled.push(m.id);
    });
    const u = localFirstAuth(server.appId);
    raw.send(JSON.stringify({ t: "hello", v: 1, clientId: "many", auth: u.auth }));
    for (const id of ["a", "b", "c"]) raw.send(JSON.stringify({ t: "sub", id, query: q, tier: "edge" }));
    // Re-subscribing an id it holds is not a new subscription.
    raw.send(JSON.stringify({ t: "sub", id: "a", query: q, tier: "edge" }));
    await until(() => errors.length >= 1 && settled.length >= 3, "refusal");
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toEqual(["a", "b", "a"]);
    expect(errors).toEqual([expect.objectContaining({ code: "too_many_subscriptions", id: "c", message: expect.stringMatching(/at most 2/) })]);
    raw.close();
  });

  it("rejects a batch with too many writes or too large a value, and deep or invalid JSON, and still accepts the next", async () => {
    const jsonSchema: RuntimeSchema = {
      tables: {
        notes: { columns: { text: { type: { kind: "string" }, optional: false, merge: "lww" } } },
        docs: { columns: { body: { type: { kind: "json" }, optional: false, merge: "lww" }, parentId: { type: { kind: "ref", table: "docs" }, optional: true, merge: "lww" } } },
      },
    };
    const server = await start({ maxBatchWrites: 3, maxValueBytes: 1_000 });
    await fetch(`${server.url}/apps/${server.appId}/admin/schema`, { method: "POST", headers: { "X-Jazz-Admin-Secret": server.adminSecret }, body: JSON.stringify({ schema: jsonSchema }) });
    const c = recordingClient(server.url, server.appId, { schema: jsonSchema });
    clients.push(c);
    const push = async (writes: { table: string; values: Record<string, unknown> }[]) => {
      const b = { batchId: batchId(), ts: Date.now() * 1000, author: c.userId, kind: "direct" as const, writes: writes.map((w) => ({ ...w, id: rowId(), op: "insert" as const })) };
      c.link.push(b as never);
      return until(() => c.fateOf(b.batchId), "fate");
    };
    const note = (text: string) => ({ table: "notes", values: { text } });
    const deep = "[".repeat(70) + "]".repeat(70);
    expect(await push([note("a"), note("b"), note("c"), note("d")])).toMatchObject({ kind: "rejected", code: "batch_too_large" });
    expect(await push([note("é".repeat(600))])).toMatchObject({ kind: "rejected", code: "value_too_large" });
    expect(await push([{ table: "docs", values: { body: deep } }])).toMatchObject({ kind: "rejected", code: "invalid_value", reason: expect.stringMatching(/deeper than 64/) });
    expect(await push([{ table: "docs", values: { body: "{nope" } }])).toMatchObject({ kind: "rejected", code: "invalid_value" });
    expect(await push([{ table: "docs", values: { body: "{}", parentId: "not-a-uuid" } }])).toMatchObject({ kind: "rejected", code: "invalid_value" });
    expect(await push([note("a"), note("b"), note("c")])).toMatchObject({ kind: "accepted" });
    expect(await push([{ table: "docs", values: { body: JSON.stringify({ a: [1, { b: 2 }] }) } }])).toMatchObject({ kind: "accepted" });
  });
});
