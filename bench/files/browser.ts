// Files in real Chromium (issue #16): a 20 MB file written to tier local (the page's mirror and
// the worker's OPFS file), read back as a Blob and as a stream, and through a real server
// process to a second Db; raw OPFS writing the same bytes is the baseline. Not a test.
//   pnpm exec tsx bench/files/browser.ts [--mb 20] [--runs 3]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { build, preview } from "vite";
import { chromiumArgs, chromiumPath } from "../../vitest.config.ts";
import { publishCatalogue } from "../../packages/server/src/publish.ts";
import { startServerProcess } from "../../packages/server/src/testing/spawn.ts";
import { filesApp as app } from "./app.ts";
import { numberFlag as flag } from "../flags.ts";

const MB = flag("mb", 20);
const RUNS = flag("runs", 3);
const APP = "bench-files-browser";
const ADMIN = "bench-admin";
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rate = (ms: number) => `${(MB / (ms / 1000)).toFixed(1)} MB/s`;

const configFile = join(import.meta.dirname, "page/vite.config.ts");
const outDir = mkdtempSync(join(tmpdir(), "jazz-files-bench-"));
await build({ configFile, build: { outDir } });
const p = await preview({ configFile, build: { outDir }, preview: { port: 0, host: "localhost" } });
const server = await startServerProcess({ appId: APP, adminSecret: ADMIN });
const profile = mkdtempSync(join(tmpdir(), "jazz-files-profile-"));
// --enable-precise-memory-info: performance.memory without its 100 KB bucketing.
const ctx = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: [...chromiumArgs, "--enable-precise-memory-info"] });
try {
  await publishCatalogue({ serverUrl: server.url, appId: APP, adminSecret: ADMIN, schema: app.wasmSchema });
  const page = await ctx.newPage();
  await page.goto(p.resolvedUrls!.local[0]!);
  await page.waitForSelector("body[data-ready]", { state: "attached" });
  const call = <T>(m: string, ...a: unknown[]) => page.evaluate(([m, a]) => (window as any).bench[m](...a), [m, a] as const) as Promise<T>;
  const local: { upMs: number; upPeakMb: number; downMs: number; streamMs: number; streamPeakMb: number }[] = [];
  const remote: { upMs: number; downMs: number }[] = [];
  const raw: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    raw.push(await call<number>("rawOpfs", MB));
    local.push(await call("local", MB));
    remote.push(await call("server", MB, server.url, APP));
    await call("shutdown");
  }
  const m = (k: keyof (typeof local)[0]) => median(local.map((x) => x[k]));
  console.log(`raw OPFS (createWritable, 256 KiB writes): ${rate(median(raw))}`);
  console.log(`to tier local: upload ${rate(m("upMs"))} (${(median(raw) / m("upMs")).toFixed(2)}× raw OPFS), Blob read ${rate(m("downMs"))}, stream read ${rate(m("streamMs"))}`);
  console.log(`JS heap peak above start: upload ${m("upPeakMb").toFixed(1)} MB for a ${MB} MB file (the Blob's bytes are the caller's), streaming read ${m("streamPeakMb").toFixed(1)} MB (parts are 0.25 MB)`);
  console.log(`through the server to a second Db: upload ${rate(median(remote.map((x) => x.upMs)))} (tier global), download ${rate(median(remote.map((x) => x.downMs)))} (tier edge)`);
  console.log(`(median of ${RUNS} runs, ${MB} MB)`);
} finally {
  await ctx.close();
  await server.stop();
  await p.close();
  rmSync(outDir, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
