// `jazz-tools/testing`'s startLocalJazzServer, used as an app's test would: a core and an edge
// in the test process, a Db on each, a write on the edge client reaches the core client live.

import { afterAll, describe, expect, it } from "vitest";
import { createDb, schema as s, generateAuthSecret, type Db } from "./index.ts";
import { startLocalJazzServer, type LocalJazzServer } from "./testing.ts";

const app = s.defineApp({ notes: s.table({ text: s.string() }) });

describe("startLocalJazzServer from jazz-tools/testing", () => {
  const servers: LocalJazzServer[] = [];
  const dbs: Db[] = [];
  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.shutdown()));
    for (const srv of servers.reverse()) await srv.stop();
  });

  it("a core + edge pair carries a write from an edge client to a core client", async () => {
    const core = await startLocalJazzServer({ peerSecret: "p" });
    servers.push(core);
    const edge = await startLocalJazzServer({ appId: core.appId, upstreamUrl: core.url, peerSecret: "p" });
    servers.push(edge);
    const onEdge = await createDb({ appId: core.appId, driver: { type: "memory" }, serverUrl: edge.url, secret: generateAuthSecret() });
    const onCore = await createDb({ appId: core.appId, driver: { type: "memory" }, serverUrl: core.url, secret: generateAuthSecret() });
    dbs.push(onEdge, onCore);
    const seen = new Promise<string[]>((resolve) => {
      onCore.subscribeAll(app.notes, ({ all }) => {
        if (all.length) resolve(all.map((r) => r.text));
      });
    });
    const handle = onEdge.insert(app.notes, { text: "from the edge" });
    await handle.wait({ tier: "global" });
    expect(await seen).toEqual(["from the edge"]);
  });
});
