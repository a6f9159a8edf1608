// Bounded per-connection resources: a socket that never says hello is closed, a client that
// stops reading is disconnected once its send buffer passes the limit (the server never
// buffers without bound), and a client that does not answer pings is closed.
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { RuntimeSchema } from "@jazz-tools/core";
import { CLOSE } from "@jazz-tools/core/sync";
import { startLocalJazzServer, type LocalJazzServer } from "../testing/local.ts";
import { batchId, localFirstAuth, recordingClient, rowId, until, type RecordingClient } from "../testing/clients.ts";

const schema: RuntimeSchema = { tables: { notes: { columns: { text: { type: { kind: "string" }, optional: false, merge: "lww" } } } } };
const servers: LocalJazzServer[] = [];
const clients: RecordingClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function start(limits: { helloTimeoutMs?: number; maxSendBufferBytes?: number; pingIntervalMs?: number }) {
  const server = await startLocalJazzServer({ appId: `limits-${Math.random().toString(36).slice(2)}`, ...limits });
  servers.push(server);
  await fetch(`${server.url}/apps/${server.appId}/admin/schema`, { method: "POST", headers: { "X-Jazz-Admin-Secret": server.adminSecret }, body: JSON.stringify({ schema }) });
  return server;
}
const closed = (ws: WebSocket) => new Promise<number>((res) => ws.on("close", (code) => res(code)));
const wsUrl = (s: LocalJazzServer) => `${s.url.replace("http", "ws")}/apps/${s.appId}/ws`;

describe("connection limits", () => {
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
});
