// Our wasm loader (packages/browser/src/sqlite/load.ts) beside wa-sqlite's Emscripten loader on
// the same compiled wasm and the same binding, in Node: instantiate, 10k inserts in one
// transaction, 20 sorted reads. Run: pnpm exec tsx bench/browser/loader.ts
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadWaSqlite } from "../../packages/browser/src/sqlite/load.ts";
import { WaSqliteDriver, type WaModule } from "../../packages/browser/src/sqlite/wa-sqlite.ts";
const require = createRequire(import.meta.url);
const wasmPath = require.resolve("@journeyapps/wa-sqlite/dist/wa-sqlite.wasm", { paths: ["packages/browser"] });
const glue = (await import(require.resolve("@journeyapps/wa-sqlite/dist/wa-sqlite.mjs", { paths: ["packages/browser"] }))).default;
const compiled = new WebAssembly.Module(readFileSync(wasmPath));
async function old(): Promise<WaModule> {
  const m = await glue({ instantiateWasm: (imports: any, done: any) => { void WebAssembly.instantiate(compiled, imports).then((i) => done(i, compiled)); return {}; } });
  m.retryOps = []; return m;
}
const ours = () => loadWaSqlite({ module: compiled });
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const res: Record<string, { inst: number[]; ins: number[]; q: number[] }> = { emscripten: { inst: [], ins: [], q: [] }, ours: { inst: [], ins: [], q: [] } };
for (let r = 0; r < 15; r++) {
  for (const [name, load] of [["emscripten", old], ["ours", ours]] as const) {
    let t = performance.now();
    const m = await load();
    res[name]!.inst.push(performance.now() - t);
    const d = WaSqliteDriver.open(m);
    d.exec("CREATE TABLE t (id TEXT PRIMARY KEY, title TEXT, n INTEGER)");
    t = performance.now();
    d.exec("BEGIN");
    for (let i = 0; i < 10000; i++) d.run("INSERT INTO t VALUES (?, ?, ?)", [`id-${i}`, `title ${i}`, i]);
    d.exec("COMMIT");
    res[name]!.ins.push(performance.now() - t);
    t = performance.now();
    for (let i = 0; i < 20; i++) d.all("SELECT * FROM t WHERE n > ? ORDER BY title LIMIT 500", [i * 100]);
    res[name]!.q.push(performance.now() - t);
    d.close();
  }
}
const e = res.emscripten!;
const o = res.ours!;
console.log(`\nwasm loader, Node ${process.version} (medians of 15 interleaved runs)\n`);
console.log("measure".padEnd(34), "ours".padEnd(12), "emscripten".padEnd(12), "ratio");
for (const [what, a, b] of [["instantiate", o.inst, e.inst], ["10k inserts, one transaction", o.ins, e.ins], ["20 sorted reads of 500 rows", o.q, e.q]] as const)
  console.log(what.padEnd(34), `${med(a).toFixed(2)} ms`.padEnd(12), `${med(b).toFixed(2)} ms`.padEnd(12), `${(med(a) / med(b)).toFixed(2)}x`);
