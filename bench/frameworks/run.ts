// Framework bindings benchmark (not a test): in a 1,000-row list, update one field of one row
// and report, per framework, how many row components re-rendered / field effects re-ran and the
// time from db.update to the DOM showing the new text. Run: pnpm exec tsx bench/frameworks/run.ts
import { fileURLToPath } from "node:url";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { build, preview } from "vite";
import react from "@vitejs/plugin-react";
import vue from "@vitejs/plugin-vue";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { chromium } from "playwright-core";
import { chromiumArgs, chromiumPath } from "../../vitest.config.ts";

const UPDATES = Number(process.env.UPDATES ?? 50);
const root = fileURLToPath(new URL("./page/", import.meta.url));
// Production builds of all three frameworks (dev builds would measure React's dev checks).
const outDir = mkdtempSync(path.join(tmpdir(), "jazz-bench-frameworks-"));
const shared = {
  root,
  configFile: false as const,
  plugins: [react(), vue(), svelte()],
  worker: { format: "es" as const },
  logLevel: "error" as const,
};
await build({ ...shared, mode: "production", build: { outDir, emptyOutDir: true, minify: true } });
const server = await preview({ ...shared, build: { outDir }, preview: { host: "localhost", port: 0 } });
const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
try {
  const page = await browser.newPage();
  page.on("pageerror", (e) => console.error("[page]", e));
  await page.goto(server.resolvedUrls!.local[0]!);
  await page.waitForFunction(() => (window as any).benchReady === true, null, { timeout: 60_000 });
  const results = [];
  for (const fw of ["subscribeAll", "react", "vue", "svelte"]) {
    results.push(await page.evaluate(([f, n]) => (window as any).runBench(f, n), [fw, UPDATES] as const));
  }
  const base = results[0]!.medianMs;
  console.log(`1,000 rows, ${UPDATES} single-field updates each (Chromium ${browser.version()})\n`);
  console.log("framework     mount ms  update→DOM median ms  p90 ms  ×subscribeAll  row renders  field effects  other-field effects  list renders");
  for (const r of results) {
    console.log(
      `${r.framework.padEnd(13)} ${r.mountMs.toFixed(1).padStart(8)}  ${r.medianMs.toFixed(2).padStart(20)}  ${r.p90Ms.toFixed(2).padStart(6)}  ${(r.medianMs / base).toFixed(1).padStart(13)}  ${String(r.maxRowRenders).padStart(11)}  ${String(r.maxFieldEffects).padStart(13)}  ${String(r.maxOtherEffects).padStart(19)}  ${String(r.maxListRenders).padStart(12)}`,
    );
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(outDir, { recursive: true, force: true });
}
