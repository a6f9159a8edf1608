// Sync benchmarks on loopback against a real `jazz-tools server` process (SQLite file, WAL).
// Not a test. Run:
//   pnpm exec tsx bench/sync/run.ts [--duration 30] [--writers 50] [--fanout 100] [--procs 4]
//                                   [--idle 200] [--only latency,fanout,...] [--profile]
// 1. write on client A → visible in client B's live query (Node Dbs)      goal p50 ≤ 10 ms
//    (with the server's default --durability normal, and again with --durability full)
// 2. one write fanned out to --fanout subscribed Node Dbs                  goal p99 ≤ 100 ms
//    (all Dbs in this process, then spread over --procs child processes; raw links for scale)
// 3. accepted writes/s with --writers Node Dbs writing for --duration s    (report the figure)
// 4. server memory per idle connection (RSS delta / connections)          (report the figure)
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createDb, generateAuthSecret, type Db } from "../../packages/jazz-tools/src/index.ts";
import { startServerProcess, recordingClient, until, type ServerProcess } from "../../packages/server/src/testing/index.ts";
import { benchApp as app, type Item } from "./schema.ts";
import { args, numberFlag as flag } from "../flags.ts";

const DURATION_S = flag("duration", 5);
const WRITERS = flag("writers", 50);
const FANOUT = flag("fanout", 100);
const PROCS = flag("procs", 4);
const IDLE = flag("idle", 200);
const ONLY = args.includes("--only") ? args[args.indexOf("--only") + 1]! : "";
const PROFILE = args.includes("--profile");
const APP = "bench-sync";

const pct = (xs: number[], p: number) => {
  const a = [...xs].sort((x, y) => x - y);
  return a[Math.min(a.length - 1, Math.floor((p / 100) * a.length))] ?? NaN;
};
const ms = (x: number) => `${x.toFixed(2)} ms`;
const open = (server: ServerProcess) => createDb({ appId: APP, driver: { type: "memory" }, serverUrl: server.url, secret: generateAuthSecret() });
const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
const results: [string, string, string, string][] = [];

async function latencyAtoB(server: ServerProcess, mode: string) {
  const a = await open(server);
  const b = await open(server);
  const lane = app.items.where({ lane: "ab" });
  const arrived = new Map<string, number>();
  let ready = false;
  b.subscribeAll(lane, (d) => {
    const now = performance.now();
    for (const r of d.all as Item[]) if (!arrived.has(r.id)) arrived.set(r.id, now);
    ready = true;
  }, { tier: "edge" });
  a.subscribeAll(lane, () => {}, { tier: "edge" });
  await until(() => ready, "b ready");
  // Warm up: the first writes publish the schema and compile statements.
  for (let i = 0; i < 20; i++) await a.insert(app.items, { title: "warm", lane: "ab", n: i }).wait({ tier: "edge" });
  const samples: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    const id = a.insert(app.items, { title: `w${i}`, lane: "ab", n: i }).value.id;
    await until(() => arrived.has(id), "b sees the write", 10_000);
    samples.push(arrived.get(id)! - t0);
  }
  await Promise.all([a.shutdown(), b.shutdown()]);
  results.push([`A write → B live query (${mode}), p50`, ms(pct(samples, 50)), "≤ 10 ms", (10 / pct(samples, 50)).toFixed(1) + "×"]);
  results.push([`A write → B live query (${mode}), p99`, ms(pct(samples, 99)), "", ""]);
}

async function fanOut(server: ServerProcess) {
  const writer = await open(server);
  const readers: Db[] = [];
  const seen: Map<string, number>[] = [];
  let settled = 0;
  for (let i = 0; i < FANOUT; i++) {
    const db = await open(server);
    const m = new Map<string, number>();
    let first = true;
    db.subscribeAll(app.items.where({ lane: "fan" }), (d) => {
      const now = performance.now();
      for (const r of d.all as Item[]) if (!m.has(r.id)) m.set(r.id, now);
      if (first) (first = false), settled++;
    }, { tier: "edge" });
    readers.push(db);
    seen.push(m);
  }
  await until(() => settled === FANOUT, "all readers settled", 60_000);
  // Warm up until every reader has the write: its first incremental refresh compiles a
  // statement, which would otherwise land on the first measured write.
  const warm = writer.insert(app.items, { title: "warm", lane: "fan", n: 0 }).value.id;
  await until(() => seen.every((m) => m.has(warm)), "all readers see the warm-up write", 60_000);
  const all: number[] = [];
  const last: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const id = writer.insert(app.items, { title: `f${i}`, lane: "fan", n: i }).value.id;
    await until(() => seen.every((m) => m.has(id)), "all readers see the write", 20_000);
    const ds = seen.map((m) => m.get(id)! - t0);
    all.push(...ds);
    last.push(Math.max(...ds));
    if (process.env.BENCH_TRACE) console.log(`write ${i}: first ${Math.min(...ds).toFixed(1)} last ${Math.max(...ds).toFixed(1)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.all([writer, ...readers].map((d) => d.shutdown()));
  results.push([`fan-out to ${FANOUT} Dbs in 1 process, p99 of deliveries`, ms(pct(all, 99)), "≤ 100 ms", (100 / pct(all, 99)).toFixed(1) + "×"]);
  results.push([`fan-out to ${FANOUT} Dbs in 1 process, p50 of deliveries`, ms(pct(all, 50)), "", ""]);
  results.push([`fan-out to ${FANOUT} Dbs in 1 process, p99 until the last`, ms(pct(last, 99)), "", ""]);
}

/**
 * The same fan-out with the readers spread over --procs child processes (real Dbs each, see
 * fanout-child.ts): 100 clients are 100 processes' worth of work in production, and one
 * process receiving all of them measures its own serial cost more than the server.
 */
async function fanOutProcs(server: ServerProcess) {
  const writer = await open(server);
  await writer.insert(app.items, { title: "warm", lane: "fanp", n: 0 }).wait({ tier: "edge" });
  const per = Array.from({ length: PROCS }, (_, k) => Math.floor(FANOUT / PROCS) + (k < FANOUT % PROCS ? 1 : 0)).filter((n) => n > 0);
  const seen = new Map<string, number[]>();
  let ready = 0;
  const children: ChildProcess[] = per.map((n) => {
    const c = fork(fileURLToPath(new URL("./fanout-child.ts", import.meta.url)), [server.url, APP, String(n), "fanp"], { stdio: "inherit" });
    c.on("message", (m: { t: string; id?: string; times?: number[] }) => {
      if (m.t === "ready") ready++;
      else if (m.t === "seen") seen.set(m.id!, [...(seen.get(m.id!) ?? []), ...m.times!]);
    });
    return c;
  });
  await until(() => ready === children.length, "child readers settled", 120_000);
  const warm = writer.insert(app.items, { title: "warm", lane: "fanp", n: 0 }).value.id;
  await until(() => seen.get(warm)?.length === FANOUT, "all child readers see the warm-up write", 60_000);
  const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
  const all: number[] = [];
  const last: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = nowMs();
    const id = writer.insert(app.items, { title: `p${i}`, lane: "fanp", n: i }).value.id;
    await until(() => seen.get(id)?.length === FANOUT, "all child readers see the write", 20_000);
    const ds = seen.get(id)!.map((t) => t - t0);
    all.push(...ds);
    last.push(Math.max(...ds));
    await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.all(children.map((c) => new Promise((r) => (c.once("exit", r), c.send({ t: "stop" })))));
  await writer.shutdown();
  const label = `fan-out to ${FANOUT} Dbs in ${children.length} processes`;
  results.push([`${label}, p99 of deliveries`, ms(pct(all, 99)), "≤ 100 ms", (100 / pct(all, 99)).toFixed(1) + "×"]);
  results.push([`${label}, p50 of deliveries`, ms(pct(all, 50)), "", ""]);
  results.push([`${label}, p99 until the last`, ms(pct(last, 99)), "", ""]);
}

/** The same hop at the protocol level (raw ServerLinks): server + network, no Db work. */
async function latencyLinks(server: ServerProcess, mode: string) {
  const a = recordingClient(server.url, APP, { schema: app.wasmSchema });
  const b = recordingClient(server.url, APP, { schema: app.wasmSchema });
  const arrived = new Map<string, number>();
  b.link.listen({
    onFate() {},
    onRemoteBatches(bs) {
      const now = performance.now();
      for (const x of bs) arrived.set(x.batchId, now);
    },
  });
  const query = app.items.where({ lane: "raw" })._build();
  b.link.subscribeQuery("raw", query, "edge");
  await until(() => b.settled.length > 0 && a.link.status === "connected", "links ready");
  const samples: number[] = [];
  for (let i = 0; i < 300; i++) {
    const id = crypto.randomUUID();
    const batch = { batchId: id.replaceAll("-", ""), ts: Date.now() * 1000 + i, author: a.userId, kind: "direct" as const, writes: [{ table: "items", id, op: "insert" as const, values: { title: `r${i}`, lane: "raw", n: i } }] };
    const t0 = performance.now();
    a.link.push(batch);
    await until(() => arrived.has(batch.batchId), "b receives", 10_000);
    if (i >= 20) samples.push(arrived.get(batch.batchId)! - t0);
  }
  await Promise.all([a.close(), b.close()]);
  results.push([`A push → B receives, raw links (${mode}), p50`, ms(pct(samples, 50)), "", ""]);
  results.push([`A push → B receives, raw links (${mode}), p99`, ms(pct(samples, 99)), "", ""]);
}

/** Fan-out measured at the protocol level: raw ServerLinks, no Db work on the receiving side. */
async function fanOutLinks(server: ServerProcess) {
  const writer = await open(server);
  const query = app.items.where({ lane: "fanl" })._build();
  const readers = Array.from({ length: FANOUT }, () => recordingClient(server.url, APP, { schema: app.wasmSchema }));
  const seen = readers.map(() => new Map<string, number>());
  readers.forEach((c, i) =>
    c.link.listen({
      onFate() {},
      onRemoteBatches(bs) {
        const now = performance.now();
        for (const b of bs) for (const w of b.writes) if (!seen[i]!.has(w.id)) seen[i]!.set(w.id, now);
      },
    }),
  );
  await writer.insert(app.items, { title: "warm", lane: "fanl", n: 0 }).wait({ tier: "edge" });
  for (const c of readers) c.link.subscribeQuery("f", query, "edge");
  await until(() => readers.every((c) => c.settled.length > 0), "links settled", 60_000);
  const all: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const id = writer.insert(app.items, { title: `l${i}`, lane: "fanl", n: i }).value.id;
    await until(() => seen.every((m) => m.has(id)), "all links see the write", 20_000);
    all.push(...seen.map((m) => m.get(id)! - t0));
    await new Promise((r) => setTimeout(r, 20));
  }
  await writer.shutdown();
  await Promise.all(readers.map((c) => c.close()));
  results.push([`fan-out to ${FANOUT} raw links, p99 of deliveries`, ms(pct(all, 99)), "≤ 100 ms", (100 / pct(all, 99)).toFixed(1) + "×"]);
  results.push([`fan-out to ${FANOUT} raw links, p50 of deliveries`, ms(pct(all, 50)), "", ""]);
}

async function throughput(server: ServerProcess) {
  const writers = await Promise.all(Array.from({ length: WRITERS }, () => open(server)));
  await Promise.all(writers.map((w) => w.insert(app.items, { title: "warm", lane: "tp", n: 0 }).wait({ tier: "edge" })));
  const WINDOW = 16;
  let accepted = 0;
  let stop = false;
  const t0 = performance.now();
  await Promise.all(
    writers.map(async (db, k) => {
      const inflight = new Set<Promise<unknown>>();
      let i = 0;
      while (!stop) {
        const p = db.insert(app.items, { title: `t${k}-${i}`, lane: "tp", n: i++ }).wait({ tier: "edge" }).then(() => {
          accepted++;
          inflight.delete(p);
        });
        inflight.add(p);
        if (inflight.size >= WINDOW) await Promise.race(inflight);
        if (performance.now() - t0 > DURATION_S * 1000) stop = true;
      }
      await Promise.all(inflight);
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  await Promise.all(writers.map((d) => d.shutdown()));
  results.push([`accepted writes/s, ${WRITERS} writers, ${DURATION_S} s`, `${Math.round(accepted / secs)} /s`, "report", `${accepted} writes`]);
}

async function idleMemory(server: ServerProcess) {
  const pid = server.child.pid!;
  if (global.gc) global.gc();
  await new Promise((r) => setTimeout(r, 500));
  const before = rssKb(pid);
  const clients = Array.from({ length: IDLE }, () => recordingClient(server.url, APP));
  await until(() => clients.every((c) => c.link.status === "connected"), "idle clients connected", 60_000);
  await new Promise((r) => setTimeout(r, 1000));
  const after = rssKb(pid);
  await Promise.all(clients.map((c) => c.close()));
  results.push([`server RSS per idle connection (${IDLE})`, `${((after - before) / IDLE).toFixed(1)} KiB`, "report", `${before} → ${after} KiB`]);
}

const run = (name: string) => !ONLY || ONLY.split(",").includes(name);
const server = await startServerProcess({
  appId: APP,
  nodeArgs: PROFILE ? ["--cpu-prof", "--cpu-prof-dir=/tmp/jazz-server-prof"] : [],
});
try {
  if (run("latency")) await latencyAtoB(server, "durability normal");
  if (run("latency-links")) await latencyLinks(server, "durability normal");
  if (run("latency-full")) {
    // The same hop with fsync on every commit (OS-crash durability), on its own server.
    const full = await startServerProcess({ appId: APP, args: ["--durability", "full"] });
    try {
      await latencyAtoB(full, "durability full");
      await latencyLinks(full, "durability full");
    } finally {
      await full.stop();
    }
  }
  if (run("fanout")) await fanOut(server);
  if (run("fanout-procs")) await fanOutProcs(server);
  if (run("fanout-links")) await fanOutLinks(server);
  if (run("throughput")) await throughput(server);
  if (run("memory")) {
    // On a fresh server: after the phases above, the server's heap state (garbage from ~20k
    // writes) moves its RSS by more than 200 idle connections do.
    const fresh = await startServerProcess({ appId: APP });
    try {
      await idleMemory(fresh);
    } finally {
      await fresh.stop();
    }
  }
} finally {
  await server.stop();
}
const w = [52, 12, 10, 16];
console.log(["measure", "figure", "goal", "goal/figure"].map((h, i) => h.padEnd(w[i]!)).join(" "));
for (const r of results) console.log(r.map((c, i) => c.padEnd(w[i]!)).join(" "));
process.exit(0);
