// Node micro-bench of the synchronous wa-sqlite driver (the mirror's engine): prepared insert
// and select throughput beside better-sqlite3. Run: pnpm exec tsx bench/browser/driver-node.ts
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadWaSqlite } from "../../packages/browser/src/sqlite/load.ts";
import { WaSqliteDriver } from "../../packages/browser/src/sqlite/wa-sqlite.ts";
import { createNodeSqlDriver } from "../../packages/sqlite-node/src/index.ts";
import type { SqlDriver } from "../../packages/core/src/index.ts";

const require = createRequire(join(process.cwd(), "packages/browser/package.json"));
function join(...p: string[]) {
  return p.join("/");
}
const m = await loadWaSqlite({ binary: readFileSync(require.resolve("@journeyapps/wa-sqlite/dist/wa-sqlite.wasm")) });
const V = "x".repeat(100);

function run(name: string, d: SqlDriver) {
  d.exec("CREATE TABLE t (id TEXT PRIMARY KEY, k TEXT, v TEXT, n INTEGER); CREATE INDEX t_n ON t(n)");
  let t = performance.now();
  d.exec("BEGIN");
  for (let i = 0; i < 20_000; i++) d.run("INSERT INTO t VALUES (?, ?, ?, ?)", [`id-${i}`, `k${i}`, V, i]);
  d.exec("COMMIT");
  const ins = performance.now() - t;
  t = performance.now();
  let rows = 0;
  for (let r = 0; r < 20; r++) rows += d.all("SELECT id, k, v, n FROM t WHERE n >= ? ORDER BY n LIMIT 1000", [r * 500]).length;
  const sel = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < 20_000; i++) d.all("SELECT * FROM t WHERE id = ?", [`id-${i}`]);
  const point = performance.now() - t;
  console.log(`${name.padEnd(14)} 20k inserts ${ins.toFixed(0)} ms | 20x1000-row selects ${sel.toFixed(0)} ms (${rows}) | 20k point selects ${point.toFixed(0)} ms`);
  d.close();
}
run("wa-sqlite", WaSqliteDriver.open(m));
run("better-sqlite3", createNodeSqlDriver());
