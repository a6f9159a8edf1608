// Browser benchmark: our createDb (mirror + OPFS worker) beside raw wa-sqlite on the same VFS
// (OPFSCoopSyncVFS), measured in the same run, in Debian Chromium with an on-disk profile.
// Run: pnpm exec tsx bench/browser/run.ts   (sizes only: --size-only)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type Page } from "playwright-core";
import { build, preview } from "vite";
import { chromiumArgs, chromiumPath } from "../../vitest.config.ts";

const here = import.meta.dirname;
const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});

async function buildTo(root: string): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), "jazz-bench-dist-"));
  await build({ configFile: join(root, "vite.config.ts"), build: { outDir } });
  return outDir;
}

const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).byteLength;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const short = (f: string) => f.split("/").pop()!.replace(/-[\w-]{8}\.js$/, ".js");

// Sizes: the fixture app (a local-only page that only uses createDb) is "our JS". Emitted: every
// .js file of the build (the lazy sync chunk included). Fetched: what Chromium loads for the
// page and its worker until the app is ready; the peers' sizes (reference/peer-bench.md "f")
// are measured the same way.
const fixtureOut = await buildTo(join(here, "../../packages/browser/test-fixtures/app"));
const fixtureAssets = readdirSync(join(fixtureOut, "assets"));
const ourJs = fixtureAssets.filter((f) => f.endsWith(".js")).map((f) => join(fixtureOut, "assets", f));
const wasm = fixtureAssets.filter((f) => f.endsWith(".wasm")).map((f) => join(fixtureOut, "assets", f));
const jsGzip = ourJs.reduce((a, f) => a + gz(f), 0);
const jsFiles = ourJs.map((f) => `${short(f)} ${kb(gz(f))}`).join(", ");
const wasmGzip = wasm.reduce((a, f) => a + gz(f), 0);
const fetched = await fetchedByFixture(fixtureOut);
const fetchedGzip = fetched.reduce((a, f) => a + gz(join(fixtureOut, "assets", f)), 0);
const fetchedFiles = fetched.map((f) => `${short(f)} ${kb(gz(join(fixtureOut, "assets", f)))}`).join(", ");
rmSync(fixtureOut, { recursive: true, force: true });
if (process.argv.includes("--size-only")) {
  printSizes();
  process.exit(0);
}

/** The .js files (names in assets/) the fixture page and its worker load until the app is ready. */
async function fetchedByFixture(dist: string): Promise<string[]> {
  const server = await preview({ configFile: join(here, "../../packages/browser/test-fixtures/app/vite.config.ts"), build: { outDir: dist }, preview: { port, strictPort: true, host: "localhost" } });
  const profile = mkdtempSync(join(tmpdir(), "jazz-bench-profile-"));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: chromiumArgs });
  const files = new Set<string>();
  // Context-wide, so a dedicated worker's requests count too.
  ctx.on("request", (r) => {
    const m = new URL(r.url()).pathname.match(/\/assets\/([^/]+\.js)$/);
    if (m) files.add(m[1]!);
  });
  try {
    const page = await ctx.newPage();
    await page.goto(`http://localhost:${port}/`);
    await page.waitForFunction(() => document.getElementById("status")?.textContent === "ready", null, { timeout: 30_000 });
    await page.evaluate(() => (window as any).jazzApp.insert("size probe")); // the worker is up and wrote
    await page.evaluate(() => (window as any).jazzApp.shutdown());
  } finally {
    await ctx.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return [...files].sort();
}

function printSizes(): void {
  console.log(`\nour JS (fixture app), gzip -9: ${kb(fetchedGzip)} (${fetchedGzip.toLocaleString("en")} bytes) fetched by the local-only page and its worker (${fetchedFiles}); goal <= 60 KB`);
  console.log(`our JS (fixture app), gzip -9: ${kb(jsGzip)} emitted in total (${jsFiles})`);
  console.log(`wa-sqlite wasm, gzip -9: ${kb(wasmGzip)}`);
}

const outDir = await buildTo(join(here, "page"));
const server = await preview({ configFile: join(here, "page/vite.config.ts"), build: { outDir }, preview: { port, strictPort: true, host: "localhost" } });
const url = `http://localhost:${port}/`;
const profile = mkdtempSync(join(tmpdir(), "jazz-bench-profile-"));
const ctx = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: chromiumArgs });

async function fresh(query = ""): Promise<Page> {
  const page = await ctx.newPage();
  page.on("pageerror", (e) => console.error("page error:", e.message));
  await page.goto(url + query);
  await page.waitForFunction(() => "bench" in window);
  return page;
}
async function run<T>(method: string, ...args: unknown[]): Promise<T> {
  const page = await fresh();
  try {
    return (await page.evaluate(([m, a]) => (window as any).bench[m](...a), [method, args] as const)) as T;
  } finally {
    await page.evaluate(() => (window as any).bench.shutdown()).catch(() => {});
    await page.close();
  }
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function cold(which: "ours" | "raw", db: string): Promise<{ ms: number; rows: number }> {
  const page = await ctx.newPage();
  await page.goto(`${url}?cold=${which}&db=${encodeURIComponent(db)}`);
  await page.waitForFunction(() => "coldResult" in window);
  const r = (await page.evaluate(() => (window as any).coldResult)) as { ms: number; rows: number };
  await page.evaluate(() => (window as any).bench.shutdown()).catch(() => {});
  await page.close();
  return r;
}
const rows: [string, string, string, string, string][] = [];
const row = (what: string, ours: number, raw: number | null, goal: string, unit = "ms") =>
  rows.push([what, `${ours.toFixed(2)} ${unit}`, raw === null ? "-" : `${raw.toFixed(2)} ${unit}`, raw === null ? "-" : `${(ours / raw).toFixed(2)}x`, goal]);

// 10,000 inserts in one batch to tier local, each into a new database from a new page; ours and
// raw alternate (the browser caches optimized wasm code for a URL both load), median of 5. The
// first pair also seeds the cold-start databases.
const seeds: { ours: { ms: number; mirrorMs: number }; raw: { ms: number; inWorkerMs: number } }[] = [];
for (let i = 0; i < 5; i++) {
  const ours = await run<{ ms: number; mirrorMs: number }>("seedOurs", i ? `bench-10k-${i}` : "bench-10k", 10_000);
  const raw = await run<{ ms: number; inWorkerMs: number }>("seedRaw", i ? `/raw-10k-${i}.db` : "/raw-10k.db", 10_000);
  seeds.push({ ours, raw });
}
const seedList = (f: (s: (typeof seeds)[number]) => number) => seeds.map((s) => f(s).toFixed(0)).join("/");
row("10k inserts, one batch, to tier local", med(seeds.map((s) => s.ours.ms)), med(seeds.map((s) => s.raw.ms)), "<= 1.5x raw");
row("  of which: applied to the mirror (sync)", med(seeds.map((s) => s.ours.mirrorMs)), med(seeds.map((s) => s.raw.inWorkerMs)), "(raw: in-worker)");
console.log(`10k batch runs (ms): ours ${seedList((s) => s.ours.ms)}, raw ${seedList((s) => s.raw.ms)}`);

// Cold start to first db.all over 10,000 rows (median of 3 page loads each).
const co: number[] = [];
const cr: number[] = [];
for (let i = 0; i < 3; i++) {
  co.push((await cold("ours", "bench-10k")).ms);
  cr.push((await cold("raw", "/raw-10k.db")).ms);
}
row("cold start to first all() on 10k rows", med(co), med(cr), "<= 1.5x raw");

// 1,000 single inserts, each awaited to tier local.
const so = await run<{ ms: number }>("singlesOurs", "bench-singles", 1000);
const sr = await run<{ ms: number }>("singlesRaw", "/raw-singles.db", 1000);
row("1000 single inserts, each awaited local (per commit)", so.ms / 1000, sr.ms / 1000, "per-commit cost");
const sw = await run<{ ms: number }>("singlesOurs", "bench-singles-wal", 1000, "wal-exclusive");
row("  same, journal WAL + exclusive locking (vs default)", sw.ms / 1000, so.ms / 1000, "choose journal");

// insert → live query callback, before insert returns.
const live = await run<{ p50: number; p95: number }>("liveOurs", "bench-live", 300);
row("insert -> live query callback p50 (sync)", live.p50, null, "<= 0.3 ms");
row("insert -> live query callback p95 (sync)", live.p95, null, "");

// 1,000 rows out of 100,000 by an indexed column.
await run("seedOurs", "bench-100k", 100_000);
await run("seedRaw", "/raw-100k.db", 100_000);
const qo = await run<{ ms: number; rows: number }>("queryOurs", "bench-100k", 5);
const qr = await run<{ ms: number; rows: number }>("queryRaw", "/raw-100k.db", 5);
row(`all() 1000 of 100k by indexed column (${qo.rows}/${qr.rows} rows)`, qo.ms, qr.ms, "<= raw in-worker");

await ctx.close();
await server.close();
rmSync(outDir, { recursive: true, force: true });
rmSync(profile, { recursive: true, force: true });

console.log(`\nBrowser bench (Chromium ${chromiumPath}, on-disk profile, OPFSCoopSyncVFS for both)\n`);
const w = [54, 14, 14, 8, 18];
const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i]!)).join(" ");
console.log(line(["measure", "ours", "raw wa-sqlite", "ratio", "goal"]));
for (const r of rows) console.log(line(r));
printSizes();
