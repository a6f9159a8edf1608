// The edge at the protocol level, with startLocalJazzServer (in-process core and edge on
// 127.0.0.1) and raw recording clients: a push gets `edge` then `global`, a subscription is
// settled `edge` then `global`, and an edge whose core is unreachable still acknowledges `edge`.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalJazzServer, type LocalJazzServer } from "../testing/local.ts";
import { insertTodo, recordingClient, rowId, until, type RecordingClient } from "../testing/clients.ts";
import { UsageError } from "../errors.ts";

const APP = "edge-local";
const PEER = "local-peer-secret";
const fast = { baseMs: 50, capMs: 300, jitterMs: 10 };

describe("edge protocol (startLocalJazzServer core + edge)", () => {
  let core: LocalJazzServer;
  let edge: LocalJazzServer;
  const clients: RecordingClient[] = [];
  beforeAll(async () => {
    core = await startLocalJazzServer({ appId: APP, peerSecret: PEER });
    edge = await startLocalJazzServer({ appId: APP, upstreamUrl: core.url, peerSecret: PEER, backoff: fast });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await edge?.stop();
    await core?.stop();
  });

  it("a push is answered edge, then global once the core accepted it", async () => {
    const c = recordingClient(edge.url, APP);
    clients.push(c);
    const b = insertTodo(c.userId, rowId(), { title: "t", owner: c.userId });
    c.link.push(b);
    await until(() => c.fates.filter((f) => f.batchId === b.batchId).length === 2, "two fates");
    expect(c.fates.filter((f) => f.batchId === b.batchId)).toEqual([
      { batchId: b.batchId, kind: "accepted", tier: "edge" },
      { batchId: b.batchId, kind: "accepted", tier: "global" },
    ]);
    expect(core.server.service.engine.log.has(b.batchId)).toBe(true);
    expect(c.link.pendingBatchIds).toEqual([]);
  });

  it("a subscription is settled at edge from the edge's store, then at global from the core", async () => {
    const c = recordingClient(edge.url, APP);
    clients.push(c);
    c.link.subscribeQuery("q1", { table: "todos", conditions: [], orderBy: [], includes: [] }, "global");
    await until(() => c.settled.some(([id, t]) => id === "q1" && t === "global"), "settled global");
    const tiers = c.settled.filter(([id]) => id === "q1").map(([, t]) => t);
    expect(tiers[0]).toBe("edge");
    expect(tiers.indexOf("edge")).toBeLessThan(tiers.indexOf("global"));
  });

  it("a core client's write reaches a raw subscriber of the edge", async () => {
    const sub = recordingClient(edge.url, APP);
    const writer = recordingClient(core.url, APP);
    clients.push(sub, writer);
    sub.link.subscribeQuery("all", { table: "todos", conditions: [], orderBy: [], includes: [] }, "global");
    await until(() => sub.settled.some(([id, t]) => id === "all" && t === "global"), "subscribed upstream");
    const b = insertTodo(writer.userId, rowId(), { title: "from the core", owner: writer.userId });
    writer.link.push(b);
    await until(() => sub.remote.some((x) => x.batchId === b.batchId), "the edge subscriber receives the core's batch");
  });
});

describe("edge without its core", () => {
  it("acknowledges edge, reports the core offline and holds the batch until the core appears", async () => {
    // A core that is not running yet: reserve a port by starting and stopping one.
    const probe = await startLocalJazzServer({ appId: APP, peerSecret: PEER });
    const port = probe.port;
    await probe.stop();
    const edge = await startLocalJazzServer({ appId: APP, upstreamUrl: `http://127.0.0.1:${port}`, peerSecret: PEER, backoff: fast });
    const c = recordingClient(edge.url, APP);
    let core: LocalJazzServer | null = null;
    try {
      const b = insertTodo(c.userId, rowId(), { title: "alone", owner: c.userId });
      c.link.push(b);
      await until(() => c.fateOf(b.batchId), "edge fate");
      expect(c.fateOf(b.batchId)).toEqual({ batchId: b.batchId, kind: "accepted", tier: "edge" });
      const h = (await (await fetch(`${edge.url}/health`)).json()) as { upstream: { status: string; pending: number } };
      expect(h.upstream.status).not.toBe("connected");
      expect(h.upstream.pending).toBe(1);
      expect(c.link.pendingBatchIds).toEqual([b.batchId]);

      core = await startLocalJazzServer({ appId: APP, peerSecret: PEER, port });
      await until(() => c.fates.some((f) => f.batchId === b.batchId && f.kind === "accepted" && f.tier === "global"), "global once the core is up");
      expect(core.server.service.engine.log.has(b.batchId)).toBe(true);
    } finally {
      await c.close();
      await edge.stop();
      await core?.stop();
    }
  });

  it("refuses upstreamUrl without peerSecret", async () => {
    await expect(startLocalJazzServer({ upstreamUrl: "http://127.0.0.1:1" })).rejects.toThrow(UsageError);
  });
});
