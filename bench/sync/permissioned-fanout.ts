// Permissioned fan-out (issue #14 item 4), against a real `jazz-tools server` process. Not a test.
//   pnpm exec tsx bench/sync/permissioned-fanout.ts [--rows 10000] [--subscribers 20] [--writes 300]
//                                                   [--writers 50] [--readers 100] [--duration 30]
// 1. server CPU per write (utime+stime of the server process / writes) with --subscribers raw
//    clients, each its own user subscribed to all of `todos`, over tables of 0 and --rows rows;
//    with a read policy (owner_id = session user) and with no permissions, in the same run.
//    Goals: permissions ≤ 2× none; --rows rows ≤ 2× empty.
// 2. --writers writers + --readers subscribers for --duration s, with and without permissions:
//    accepted writes/s and lost writes. Goal: permissioned ≥ 0.7× unpermissioned, 0 lost.
import { readFileSync } from "node:fs";
import type { Batch, RuntimeSchema } from "../../packages/core/src/index.ts";
import { definePermissions } from "../../packages/core/src/permissions/index.ts";
import { publishCatalogue } from "../../packages/server/src/publish.ts";
import { startServerProcess, type ServerProcess } from "../../packages/server/src/testing/spawn.ts";
import { batchId, recordingClient, rowId, until, type RecordingClient } from "../../packages/server/src/testing/clients.ts";
import { args, numberFlag as flag } from "../flags.ts";

const ROWS = flag("rows", 10_000);
const SUBSCRIBERS = flag("subscribers", 20);
const WRITES = flag("writes", 300);
const WRITERS = flag("writers", 50);
const READERS = flag("readers", 100);
const DURATION_S = flag("duration", 30);
const ADMIN = "bench-admin";
// --profile: the permissioned load run's server writes a V8 CPU profile to /tmp/jazz-fanout-prof.
const PROFILE = args.includes("--profile");

const schema: RuntimeSchema = {
  tables: {
    todos: {
      columns: {
        title: { type: { kind: "string" }, optional: false, merge: "lww" },
        owner_id: { type: { kind: "string" }, optional: false, merge: "lww" },
        shared: { type: { kind: "boolean" }, optional: false, merge: "lww" },
      },
    },
  },
};
// Every subscriber is a different user, and each may read what is shared: a write fans out to
// all of them, each through its own session's policy.
const permissions = definePermissions(schema, ({ policy, session, anyOf }) => {
  policy.todos.allowRead.where(anyOf([{ owner_id: session.user_id }, { shared: true }]));
  policy.todos.allowInsert.where({ owner_id: session.user_id });
  policy.todos.allowUpdate.where({ owner_id: session.user_id });
});

const ALL_TODOS = { table: "todos", conditions: [], orderBy: [], includes: [] };
const cpuMs = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
};
const insert = (c: RecordingClient, title: string): Batch => ({
  batchId: batchId(),
  ts: Date.now() * 1000,
  author: c.userId,
  kind: "direct",
  writes: [{ table: "todos", id: rowId(), op: "insert", values: { title, owner_id: c.userId, shared: 1 } }],
});

async function server(withPermissions: boolean, app: string, profile = false): Promise<ServerProcess> {
  const nodeArgs = profile ? ["--cpu-prof", "--cpu-prof-dir=/tmp/jazz-fanout-prof"] : [];
  const s = await startServerProcess({ appId: app, adminSecret: ADMIN, nodeArgs });
  await publishCatalogue({ serverUrl: s.url, appId: app, adminSecret: ADMIN, schema, permissions: withPermissions ? permissions : undefined });
  return s;
}

async function subscribers(s: ServerProcess, n: number): Promise<RecordingClient[]> {
  const subs = Array.from({ length: n }, () => recordingClient(s.url, s.appId, { schema }));
  subs.forEach((c, i) => c.link.subscribeQuery(`q${i}`, ALL_TODOS, "edge"));
  await until(() => subs.every((c) => c.settled.length > 0), "subscribers settled", 60_000);
  return subs;
}

/** Pushes and waits for every fate (in chunks, so the server's queue stays bounded). */
async function pushAll(c: RecordingClient, batches: Batch[], chunk = 200) {
  for (let i = 0; i < batches.length; i += chunk) {
    const part = batches.slice(i, i + chunk);
    for (const b of part) c.link.push(b);
    await until(() => part.every((b) => c.fateOf(b.batchId)), "fates", 120_000);
  }
}

async function cpuPerWrite(withPermissions: boolean, rows: number): Promise<number> {
  const s = await server(withPermissions, `fanout-${withPermissions ? "perm" : "open"}-${rows}`);
  try {
    const writer = recordingClient(s.url, s.appId, { schema });
    // Preload rows of other users (one batch of many rows each, as an import would).
    const loader = recordingClient(s.url, s.appId, { schema });
    const preload: Batch[] = [];
    for (let i = 0; i < rows; i += 500) {
      const b = insert(loader, "seed");
      b.writes = Array.from({ length: Math.min(500, rows - i) }, (_, j) => ({ table: "todos", id: rowId(), op: "insert" as const, values: { title: `seed ${i + j}`, owner_id: loader.userId, shared: 1 } }));
      preload.push(b);
    }
    await pushAll(loader, preload, 4);
    const subs = await subscribers(s, SUBSCRIBERS);
    await pushAll(writer, Array.from({ length: 30 }, (_, i) => insert(writer, `warm ${i}`)));
    const before = cpuMs(s.child.pid!);
    // One write at a time: the CPU each costs, fan-out included.
    for (let i = 0; i < WRITES; i++) await pushAll(writer, [insert(writer, `w${i}`)]);
    const perWrite = (cpuMs(s.child.pid!) - before) / WRITES;
    await Promise.all([writer, loader, ...subs].map((c) => c.close()));
    return perWrite;
  } finally {
    await s.stop();
  }
}

async function throughput(withPermissions: boolean): Promise<{ perSecond: number; lost: number }> {
  const s = await server(withPermissions, `load-${withPermissions ? "perm" : "open"}`, PROFILE && withPermissions);
  try {
    const readers = await subscribers(s, READERS);
    const writers = Array.from({ length: WRITERS }, () => recordingClient(s.url, s.appId, { schema }));
    const pushed: { c: RecordingClient; id: string }[] = [];
    const deadline = Date.now() + DURATION_S * 1000;
    // Each writer keeps one write in flight (as an app awaiting each write would).
    await Promise.all(
      writers.map(async (c) => {
        while (Date.now() < deadline) {
          const b = insert(c, "load");
          pushed.push({ c, id: b.batchId });
          c.link.push(b);
          await until(() => c.fateOf(b.batchId), "fate", 60_000);
        }
      }),
    );
    const accepted = pushed.filter(({ c, id }) => c.fateOf(id)?.kind === "accepted").map(({ id }) => id);
    // Lost: an accepted write some subscriber never received (given a few seconds to arrive).
    const missing = () => readers.reduce((n, r) => {
      const got = new Set(r.remote.map((b) => b.batchId));
      return n + accepted.filter((id) => !got.has(id)).length;
    }, 0);
    await until(() => missing() === 0, "every subscriber has every accepted write", 20_000).catch(() => {});
    const lost = missing() + (pushed.length - accepted.length);
    await Promise.all([...writers, ...readers].map((c) => c.close()));
    return { perSecond: accepted.length / DURATION_S, lost };
  } finally {
    await s.stop();
  }
}

const f = (x: number) => x.toFixed(2);
const cpu = PROFILE ? { openEmpty: 1, openFull: 1, permEmpty: 1, permFull: 1 } : {
  openEmpty: await cpuPerWrite(false, 0),
  openFull: await cpuPerWrite(false, ROWS),
  permEmpty: await cpuPerWrite(true, 0),
  permFull: await cpuPerWrite(true, ROWS),
};
console.log(`server CPU per write, ${SUBSCRIBERS} subscribers (ms):`);
console.log(`  no permissions: empty ${f(cpu.openEmpty)}, ${ROWS} rows ${f(cpu.openFull)}  (${f(cpu.openFull / cpu.openEmpty)}× empty)`);
console.log(`  permissions:    empty ${f(cpu.permEmpty)}, ${ROWS} rows ${f(cpu.permFull)}  (${f(cpu.permFull / cpu.permEmpty)}× empty; goal ≤ 2×)`);
console.log(`  permissions / none: empty ${f(cpu.permEmpty / cpu.openEmpty)}×, ${ROWS} rows ${f(cpu.permFull / cpu.openFull)}× (goal ≤ 2×)`);
if (DURATION_S > 0) {
  const open = await throughput(false);
  const perm = await throughput(true);
  console.log(`${WRITERS} writers + ${READERS} subscribers, ${DURATION_S} s:`);
  console.log(`  no permissions: ${f(open.perSecond)} writes/s, lost ${open.lost}`);
  console.log(`  permissions:    ${f(perm.perSecond)} writes/s, lost ${perm.lost}  (${f(perm.perSecond / open.perSecond)}× ; goal ≥ 0.7×, 0 lost)`);
}
