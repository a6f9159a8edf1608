// Edge vs core latency on loopback, real `jazz-tools server` processes (SQLite file, WAL,
// synchronous=FULL). Not a test. Run:
//   pnpm exec tsx bench/sync/edge.ts [--n 200]
// For one writer (Node Db, memory driver) it measures, sequentially, N writes each:
//   direct → core:  wait({tier:"global"})
//   via edge:       wait({tier:"edge"}) and wait({tier:"global"}) (edge → core → edge → client)
//   cross-edge:     write on edge A → visible in a live query of a client of edge B
// and prints p50/p99 side by side with the ratio to the direct core write.
import { createDb, schema as s, generateAuthSecret, type Db } from "../../packages/jazz-tools/src/index.ts";
import { startServerProcess } from "../../packages/server/src/testing/index.ts";

const args = process.argv.slice(2);
const N = args.includes("--n") ? Number(args[args.indexOf("--n") + 1]) : 200;
const APP = "bench-edge";
const PEER = "bench-peer-secret";
const ADMIN = "bench-admin-secret";
const app = s.defineApp({ items: s.table({ title: s.string(), lane: s.string() }) });

const pct = (xs: number[], p: number) => {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))] ?? NaN;
};
const open = (url: string) => createDb({ appId: APP, driver: { type: "memory" }, serverUrl: url, secret: generateAuthSecret() });

async function timeWrites(db: Db, lane: string, tier: "edge" | "global"): Promise<number[]> {
  const out: number[] = [];
  await db.insert(app.items, { title: "warm", lane }).wait({ tier: "global" });
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await db.insert(app.items, { title: `w${i}`, lane }).wait({ tier });
    out.push(performance.now() - t);
  }
  return out;
}

const core = await startServerProcess({ appId: APP, peerSecret: PEER, adminSecret: ADMIN });
const edgeA = await startServerProcess({ appId: APP, upstreamUrl: core.url, peerSecret: PEER, adminSecret: ADMIN });
const edgeB = await startServerProcess({ appId: APP, upstreamUrl: core.url, peerSecret: PEER, adminSecret: ADMIN });
const dbs: Db[] = [];
try {
  const direct = await open(core.url);
  const viaEdge = await open(edgeA.url);
  const reader = await open(edgeB.url);
  dbs.push(direct, viaEdge, reader);

  const coreGlobal = await timeWrites(direct, "direct", "global");
  const edgeAck = await timeWrites(viaEdge, "edge-ack", "edge");
  const edgeGlobal = await timeWrites(viaEdge, "edge-global", "global");

  // Resolved from the subscription callback itself (no polling delay in the figure).
  let expect: { title: string; done: () => void } | null = null;
  reader.subscribeAll(
    app.items.where({ lane: "cross" }),
    (d) => {
      if (expect && d.all.some((r) => r.title === expect!.title)) expect.done();
    },
    { tier: "global" },
  );
  await reader.all(app.items.where({ lane: "cross" }), { tier: "global" });
  const cross: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const arrived = new Promise<void>((done) => (expect = { title: `c${i}`, done }));
    viaEdge.insert(app.items, { title: `c${i}`, lane: "cross" });
    await Promise.race([arrived, new Promise((_, rej) => setTimeout(() => rej(new Error("cross-edge delivery timed out")), 10_000))]);
    cross.push(performance.now() - t);
  }

  const base = pct(coreGlobal, 50);
  const rows: [string, number[]][] = [
    ["direct → core, wait global", coreGlobal],
    ["via edge, wait edge", edgeAck],
    ["via edge, wait global", edgeGlobal],
    ["edge A write → edge B live query", cross],
  ];
  console.log(`N=${N} sequential writes per row (ms; ratio = p50 / direct core p50)`);
  console.log(`${"".padEnd(36)} ${"p50".padStart(8)} ${"p99".padStart(8)} ${"ratio".padStart(7)}`);
  for (const [name, xs] of rows) {
    console.log(`${name.padEnd(36)} ${pct(xs, 50).toFixed(2).padStart(8)} ${pct(xs, 99).toFixed(2).padStart(8)} ${(pct(xs, 50) / base).toFixed(2).padStart(7)}`);
  }
} finally {
  await Promise.all(dbs.map((d) => d.shutdown()));
  await Promise.all([edgeA.stop(), edgeB.stop()]);
  await core.stop();
}
