// Protocol 3 on the wire, with raw sockets: a push whose values carry bytes arrives as a binary
// frame and is stored byte for byte; subscribers on protocol 3 get binary `batches` frames,
// older ones JSON with base64; a malformed binary frame closes only its own connection.
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { Batch, RuntimeSchema } from "@jazz-tools/core";
import { CLOSE, decodeServerMessage, encodeFrame, type ServerMessage } from "@jazz-tools/core/sync";
import { startLocalJazzServer, type LocalJazzServer } from "../testing/local.ts";
import { batchId, localFirstAuth, rowId, until } from "../testing/clients.ts";

const schema: RuntimeSchema = { tables: { blobs: { columns: { data: { type: { kind: "bytes" }, optional: false, merge: "lww" } } } } };
const servers: LocalJazzServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.close();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

async function start() {
  const server = await startLocalJazzServer({ appId: `frames-${Math.random().toString(36).slice(2)}` });
  servers.push(server);
  await fetch(`${server.url}/apps/${server.appId}/admin/schema`, { method: "POST", headers: { "X-Jazz-Admin-Secret": server.adminSecret }, body: JSON.stringify({ schema }) });
  return server;
}

/** A raw client speaking protocol `v`: every frame it receives, decoded, with its kind. */
async function raw(server: LocalJazzServer, v: number) {
  const ws = new WebSocket(`${server.url.replace("http", "ws")}/apps/${server.appId}/ws`);
  sockets.push(ws);
  const got: { msg: ServerMessage; binary: boolean }[] = [];
  let closeCode: number | null = null;
  ws.on("message", (data, isBinary) => got.push({ msg: decodeServerMessage(isBinary ? (data as Buffer) : data.toString()), binary: isBinary }));
  ws.on("close", (code) => (closeCode = code));
  await new Promise((r) => ws.on("open", r));
  const { auth, userId } = localFirstAuth(server.appId);
  ws.send(JSON.stringify({ t: "hello", v, clientId: `raw-v${v}-${Math.random()}`, auth }));
  await until(() => got.find((g) => g.msg.t === "welcome"), "welcome");
  return { ws, got, userId, closeCode: () => closeCode };
}

const push = (author: string, bytes: Uint8Array): Batch => ({ batchId: batchId(), ts: Date.now() * 1000, author, kind: "direct", writes: [{ table: "blobs", id: rowId(), op: "insert", values: { data: bytes } }] });
const sub = { t: "sub", id: "q", query: { table: "blobs", conditions: [], orderBy: [], includes: [] }, tier: "edge" };

describe("binary frames (protocol 3)", () => {
  it("a binary push is stored byte for byte; protocol 3 subscribers get a binary frame, protocol 2 ones JSON", async () => {
    const server = await start();
    const writer = await raw(server, 3);
    const v3 = await raw(server, 3);
    const v2 = await raw(server, 2);
    for (const c of [v3, v2]) c.ws.send(JSON.stringify(sub));
    await until(() => v3.got.some((g) => g.msg.t === "settled") && v2.got.some((g) => g.msg.t === "settled"), "both subscriptions settled");
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 31) & 0xff);
    const batch = push(writer.userId, bytes);
    const frame = encodeFrame({ t: "push", batch }, true);
    expect(frame).toBeInstanceOf(Uint8Array);
    writer.ws.send(frame, { binary: true });
    expect((await until(() => writer.got.find((g) => g.msg.t === "fate"), "fate")).msg).toMatchObject({ fate: { batchId: batch.batchId, kind: "accepted" } });
    const received = (c: typeof v3) => until(() => c.got.find((g) => g.msg.t === "batches" && g.msg.batches.some((b) => b.batchId === batch.batchId)), "the batch");
    const [b3, b2] = [await received(v3), await received(v2)];
    expect(b3.binary).toBe(true);
    expect(b2.binary).toBe(false);
    for (const g of [b3, b2]) {
      const b = (g.msg as Extract<ServerMessage, { t: "batches" }>).batches.find((x) => x.batchId === batch.batchId)!;
      expect(b.writes[0]!.values!.data).toEqual(bytes);
    }
  });

  it("a malformed binary frame closes that connection with a reason; another client's push still goes through", async () => {
    const server = await start();
    const bad = await raw(server, 3);
    const bystander = await raw(server, 3);
    const frame = encodeFrame({ t: "push", batch: push(bad.userId, new Uint8Array([1, 2, 3])) }, true) as Uint8Array;
    bad.ws.send(frame.slice(0, frame.length - 1), { binary: true }); // one byte short
    await until(() => bad.closeCode() !== null, "the bad client closed");
    expect(bad.closeCode()).toBe(CLOSE.badRequest);
    expect(bad.got.find((g) => g.msg.t === "error")?.msg).toMatchObject({ code: "bad_request", message: expect.stringMatching(/fit in the frame/) });
    const ok = push(bystander.userId, new Uint8Array([9]));
    bystander.ws.send(encodeFrame({ t: "push", batch: ok }, true), { binary: true });
    expect((await until(() => bystander.got.find((g) => g.msg.t === "fate"), "bystander's fate")).msg).toMatchObject({ fate: { batchId: ok.batchId, kind: "accepted" } });
    expect(bystander.closeCode()).toBeNull();
  });
});
