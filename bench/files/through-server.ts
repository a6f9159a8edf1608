// Files through a real `jazz-tools server` process (issue #16): a Node Db uploads a file at tier
// global, another loads it at tier edge. Not a test.
//   pnpm exec tsx bench/files/through-server.ts [--mb 20] [--runs 3] [--json 0]
// Prints MB/s for upload and download with binary frames (protocol 3) and, in the same run, with
// the JSON/base64 frames of protocol 2, plus raw SQLite writing the same bytes as the baseline.
import { generateAuthSecret } from "../../packages/auth/src/index.ts";
import type { Db } from "../../packages/core/src/index.ts";
import { filesApp as app } from "./app.ts";
import { createNodeSqlDriver } from "../../packages/sqlite-node/src/index.ts";
import { createNodeDb } from "../../packages/sqlite-node/src/node-db.ts";
import { publishCatalogue } from "../../packages/server/src/publish.ts";
import { startServerProcess } from "../../packages/server/src/testing/spawn.ts";
import { numberFlag as flag } from "../flags.ts";

const MB = flag("mb", 20);
const RUNS = flag("runs", 3);
const APP = "bench-files";
const ADMIN = "bench-admin";
const data = Uint8Array.from({ length: MB * 1024 * 1024 }, (_, i) => (i * 2654435761) >>> 24);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = (ms: number) => (MB / (ms / 1000)).toFixed(1);

// Raw SQLite: the same bytes in 256 KiB rows, one transaction.
function rawSqlite(): number {
  const d = createNodeSqlDriver(":memory:");
  d.exec("CREATE TABLE parts (id TEXT PRIMARY KEY, data BLOB)");
  const t = performance.now();
  d.exec("BEGIN");
  for (let at = 0, i = 0; at < data.length; at += 256 * 1024, i++) d.run("INSERT INTO parts VALUES (?, ?)", [String(i), data.subarray(at, at + 256 * 1024)]);
  d.exec("COMMIT");
  const ms = performance.now() - t;
  d.close();
  return ms;
}

const server = await startServerProcess({ appId: APP, adminSecret: ADMIN, ...(process.env.JAZZ_BENCH_PROF ? { nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${process.env.JAZZ_BENCH_PROF}`] } : {}) });
try {
  await publishCatalogue({ serverUrl: server.url, appId: APP, adminSecret: ADMIN, schema: app.wasmSchema });
  const run = async (label: string, protocolVersion?: number) => {
    const up: number[] = [];
    const down: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const secret = generateAuthSecret();
      const a: Db = await createNodeDb({ appId: APP, serverUrl: server.url, secret }, { protocolVersion });
      const b: Db = await createNodeDb({ appId: APP, serverUrl: server.url, secret }, { protocolVersion });
      let t = performance.now();
      const file = await a.createFileFromBlob(app, new Blob([data]), { tier: "global" });
      up.push(performance.now() - t);
      t = performance.now();
      const blob = await b.loadFileAsBlob(app, file.id, { tier: "edge" });
      down.push(performance.now() - t);
      if (blob.size !== data.length) throw new Error(`loaded ${blob.size} bytes, expected ${data.length}`);
      await Promise.all([a.shutdown(), b.shutdown()]);
    }
    console.log(`${label}: upload ${rate(median(up))} MB/s, download ${rate(median(down))} MB/s (median of ${RUNS}, ${MB} MB)`);
    return { up: median(up), down: median(down) };
  };
  const raw = rawSqlite();
  console.log(`raw SQLite (better-sqlite3 or wasm), ${MB} MB in 256 KiB rows: ${rate(raw)} MB/s`);
  const binary = await run("binary frames (protocol 3)");
  // The same clients speaking protocol 2: JSON text frames with base64 bytes both ways.
  if (flag("json", 1)) {
    const json = await run("JSON + base64 (protocol 2)", 2);
    console.log(`binary vs JSON: upload ${(json.up / binary.up).toFixed(2)}× faster, download ${(json.down / binary.down).toFixed(2)}× faster`);
  }
  console.log(`binary upload vs raw SQLite: ${(binary.up / raw).toFixed(1)}× the time`);
} finally {
  await server.stop();
}
