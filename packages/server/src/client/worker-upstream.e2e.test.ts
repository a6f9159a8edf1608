// The browser worker's server upstream (core/sync/worker-upstream.ts), driven here with an
// in-memory stand-in for the worker's durable replica, against a real server process.

import WebSocket from "ws";
import { afterAll, describe, expect, it } from "vitest";
import type { Batch, BatchFate } from "@jazz-tools/core";
import { createServerUpstream } from "@jazz-tools/core/sync";
import { generateAuthSecret, deriveLocalFirstIdentity } from "@jazz-tools/auth";
import { startServerProcess, type ServerProcess } from "../testing/spawn.ts";
import { TODO_SCHEMA, insertTodo, recordingClient, rowId, until } from "../testing/clients.ts";

const APP = "worker-upstream-e2e";

class FakeReplica {
  outboxRows = new Map<string, Batch>();
  applied: Batch[] = [];
  async outbox() {
    return [...this.outboxRows.values()];
  }
  async settle(ids: string[]) {
    for (const id of ids) this.outboxRows.delete(id);
  }
  async applyRemote(batches: Batch[]) {
    this.applied.push(...batches);
  }
  schema() {
    return TODO_SCHEMA;
  }
  /** What the worker does on a local commit: durable outbox entry first. */
  commit(b: Batch) {
    this.outboxRows.set(b.batchId, b);
  }
}

describe("server upstream for the browser worker", () => {
  let server: ServerProcess;
  afterAll(async () => {
    await server?.stop();
  });

  it("pushes the durable outbox on start, settles fates, applies subscribed rows, and survives the server going away", async () => {
    server = await startServerProcess({ appId: APP });
    const secret = generateAuthSecret();
    const me = deriveLocalFirstIdentity(secret).userId;
    const replica = new FakeReplica();
    // Writes from before a reload wait in the outbox.
    const early = [insertTodo(me, rowId(), { title: "before reload 1", owner: "w" }), insertTodo(me, rowId(), { title: "before reload 2", owner: "w" })];
    early.forEach((b) => replica.commit(b));
    const fates: BatchFate[] = [];
    const remote: Batch[] = [];
    const up = createServerUpstream(
      { replica, schema: TODO_SCHEMA, config: { appId: APP, serverUrl: server.url, secret }, publishFates: (f) => fates.push(...f), publishRemote: (b) => remote.push(...b) },
      WebSocket as never,
    )!;
    const settled: string[] = [];
    up.onQuerySettled((id, tier) => settled.push(`${id}:${tier}`));
    up.subscribeQuery("mine", { table: "todos", conditions: [{ column: "owner", op: "eq", value: "w" }], orderBy: [], includes: [] }, "edge");
    await until(() => fates.length === 2, "fates for the outbox");
    expect(fates.map((f) => f.kind)).toEqual(["accepted", "accepted"]);
    expect(replica.outboxRows.size).toBe(0);
    await until(() => settled.includes("mine:edge") && settled.includes("mine:global"), "settled");

    // Another client's write reaches the replica durably and is published to the tabs.
    const other = recordingClient(server.url, APP);
    const theirs = insertTodo(other.userId, rowId(), { title: "from elsewhere", owner: "w" });
    other.link.push(theirs);
    await until(() => replica.applied.some((b) => b.batchId === theirs.batchId) && remote.some((b) => b.batchId === theirs.batchId), "remote applied");
    await other.close();

    // Offline: a local commit stays in the outbox until the server is back.
    const port = server.port;
    await server.stop();
    await until(() => up.link.status === "offline", "offline");
    const offline = insertTodo(me, rowId(), { title: "offline", owner: "w" });
    replica.commit(offline);
    up.onLocalCommitted([offline]);
    await new Promise((r) => setTimeout(r, 300));
    expect(replica.outboxRows.has(offline.batchId)).toBe(true);
    server = await startServerProcess({ appId: APP, dataDir: server.dataDir, port });
    await until(() => !replica.outboxRows.has(offline.batchId), "outbox drained after reconnect", 30_000);
    expect(fates.find((f) => f.batchId === offline.batchId)?.kind).toBe("accepted");
    await up.close();
  });
});
