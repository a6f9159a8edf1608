// Server memory with clients that stop reading (issue #14 item 5), against a real
// `jazz-tools server` process. Not a test.
//   pnpm exec tsx bench/sync/stalled-readers.ts [--readers 15] [--seconds 10] [--buffer 8388608]
// --readers sockets subscribe to a table and then stop reading; a writer keeps inserting 200 KB
// rows. Prints the server's RSS before and after, and how many stalled sockets it closed.
// Goal: the growth stays bounded by readers × --max-send-buffer (the server never buffers
// without bound), and a stalled socket is closed (4006) instead of being kept.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { RuntimeSchema } from "../../packages/core/src/index.ts";
import { publishCatalogue } from "../../packages/server/src/publish.ts";
import { startServerProcess } from "../../packages/server/src/testing/spawn.ts";
import { batchId, localFirstAuth, recordingClient, rowId, until } from "../../packages/server/src/testing/clients.ts";
import { numberFlag as flag } from "../flags.ts";

// `ws` is the server package's dependency, not the workspace root's.
const WebSocket = createRequire(new URL("../../packages/server/package.json", import.meta.url))("ws") as typeof import("ws").default;
const READERS = flag("readers", 15);
const SECONDS = flag("seconds", 10);
const BUFFER = flag("buffer", 8 * 1024 * 1024);
const APP = "bench-stalled";
const ADMIN = "bench-admin";
const schema: RuntimeSchema = { tables: { notes: { columns: { text: { type: { kind: "string" }, optional: false, merge: "lww" } } } } };
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

const server = await startServerProcess({ appId: APP, adminSecret: ADMIN, args: ["--max-send-buffer", String(BUFFER)] });
try {
  await publishCatalogue({ serverUrl: server.url, appId: APP, adminSecret: ADMIN, schema });
  const wsUrl = `${server.url.replace("http", "ws")}/apps/${APP}/ws`;
  const stalled = await Promise.all(
    Array.from({ length: READERS }, async (_, i) => {
      const ws = new WebSocket(wsUrl);
      await new Promise((r) => ws.on("open", r));
      ws.send(JSON.stringify({ t: "hello", v: 1, clientId: `stalled-${i}`, auth: localFirstAuth(APP).auth }));
      ws.send(JSON.stringify({ t: "sub", id: "q", query: { table: "notes", conditions: [], orderBy: [], includes: [] }, tier: "edge" }));
      return ws;
    }),
  );
  await new Promise((r) => setTimeout(r, 500));
  for (const ws of stalled) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const before = rssMb(server.child.pid!);
  const writer = recordingClient(server.url, APP, { schema });
  const big = "x".repeat(200_000);
  let peak = before;
  let accepted = 0;
  const deadline = Date.now() + SECONDS * 1000;
  while (Date.now() < deadline) {
    const ids = Array.from({ length: 10 }, () => batchId());
    for (const id of ids) writer.link.push({ batchId: id, ts: Date.now() * 1000, author: writer.userId, kind: "direct", writes: [{ table: "notes", id: rowId(), op: "insert", values: { text: big } }] });
    await until(() => ids.every((id) => writer.fateOf(id)), "fates", 60_000);
    accepted += ids.filter((id) => writer.fateOf(id)?.kind === "accepted").length;
    peak = Math.max(peak, rssMb(server.child.pid!));
  }
  const after = rssMb(server.child.pid!);
  console.log(`${READERS} stalled readers, ${SECONDS} s of 200 KB writes (${accepted} accepted, ${((accepted * 0.2) / SECONDS).toFixed(1)} MB/s):`);
  console.log(`  server RSS ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB, ${after.toFixed(0)} MB after (bound: ${before.toFixed(0)} + ${READERS} × ${(BUFFER / 2 ** 20).toFixed(0)} MB = ${(before + (READERS * BUFFER) / 2 ** 20).toFixed(0)} MB)`);
  // The paused sockets never read the close frame: count what the server still holds instead.
  const health = (await (await fetch(`${server.url}/health`)).json()) as { connections: number };
  console.log(`  connections the server still holds: ${health.connections} (the writer, and ${health.connections - 1} of ${READERS} stalled readers)`);
  await writer.close();
  for (const ws of stalled) ws.terminate();
} finally {
  await server.stop();
}
