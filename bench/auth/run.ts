// Auth benchmark (not a test). Run: pnpm exec tsx bench/auth/run.ts
// 1. In Chromium: secret → user id + signed token (goal ≤ 5 ms), token refresh, verification,
//    and native WebCrypto Ed25519 for the same job side by side.
// 2. Production build (Vite) of a tiny app: gzip size of the main chunk and of the on-demand
//    jazz-tools/passphrase and /passkey-backup chunks; checks the word list is not in main.
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, createServer } from "vite";
import { chromium } from "playwright-core";
import { chromiumArgs, chromiumPath } from "../../vitest.config.ts";

const N = Number(process.env.N ?? 300);
const GOAL_MS = 5;

async function timing() {
  const server = await createServer({
    root: fileURLToPath(new URL("./page/", import.meta.url)),
    configFile: false,
    server: { host: "localhost", port: 0 },
    logLevel: "error",
  });
  await server.listen();
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  try {
    const page = await browser.newPage();
    page.on("pageerror", (e) => console.error("[page]", e));
    await page.goto(server.resolvedUrls!.local[0]!);
    await page.waitForFunction(() => (window as any).benchReady === true, null, { timeout: 60_000 });
    const r = await page.evaluate((n) => (window as any).runBench(n), N);
    const line = (name: string, s: { median: number; p90: number; min: number }, base: number) =>
      console.log(
        `${name.padEnd(48)} ${s.median.toFixed(3).padStart(8)} ${s.p90.toFixed(3).padStart(8)} ${s.min.toFixed(3).padStart(8)}   ${(s.median / base).toFixed(2).padStart(6)}×`,
      );
    console.log(`Chromium ${browser.version()}, ${r.n} fresh secrets (per-call means of batches of 10)`);
    console.log(`${"".padEnd(48)} ${"median".padStart(8)} ${"p90".padStart(8)} ${"min".padStart(8)}   vs goal ${GOAL_MS} ms (ms)`);
    console.log(`first token of the page: mintLocalFirstTokenAsync ${r.firstAsyncMs.toFixed(1)} ms; mintLocalFirstToken (sync, builds noble's base-point table once) ${r.firstMs.toFixed(1)} ms`);
    line("secret → user id + signed token (cold)", r.cold, GOAL_MS);
    line("same, mintLocalFirstTokenAsync (WebCrypto)", r.asyncCold, GOAL_MS);
    line("token refresh (identity cached)", r.warm, GOAL_MS);
    line("verifyLocalFirstIdentityProof", r.verify, GOAL_MS);
    if (r.native) {
      line("raw WebCrypto Ed25519 calls, same job (floor)", r.native, GOAL_MS);
      console.log(`ours / native (cold): ${(r.cold.median / r.native.median).toFixed(2)}×`);
    } else console.log("native WebCrypto Ed25519: not available in this Chromium");
    console.log(r.cold.median <= GOAL_MS ? `goal met (${r.cold.median.toFixed(2)} ≤ ${GOAL_MS} ms)` : `GOAL MISSED (${r.cold.median.toFixed(2)} > ${GOAL_MS} ms)`);
  } finally {
    await browser.close();
    await server.close();
  }
}

async function sizes() {
  const out = (await build({
    root: fileURLToPath(new URL("./size-app/", import.meta.url)),
    configFile: false,
    logLevel: "error",
    build: { write: false, minify: true, modulePreload: false },
  })) as { output: Array<{ type: string; fileName: string; code?: string; isEntry?: boolean; moduleIds?: string[] }> };
  const chunks = out.output.filter((o) => o.type === "chunk");
  console.log("\nProduction build (Vite, minified): chunk sizes");
  console.log(`${"chunk".padEnd(40)} ${"raw B".padStart(8)} ${"gzip B".padStart(8)}  contents`);
  let mainHasWords = false;
  for (const c of chunks) {
    const code = c.code ?? "";
    const gz = gzipSync(code, { level: 9 }).length;
    const ids = (c.moduleIds ?? []).map((id) => id.replace(/.*node_modules\//, "").replace(/.*packages\//, "packages/"));
    const what = ids.some((i) => i.includes("passphrase")) ? "passphrase (+ BIP-39 English list)" : ids.some((i) => i.includes("passkey")) ? "passkey-backup" : c.isEntry ? "main (identity, tokens)" : ids.slice(0, 3).join(", ");
    if (c.isEntry && /abandon|zoo/.test(code) && code.includes("abstract")) mainHasWords = true;
    console.log(`${c.fileName.padEnd(40)} ${String(code.length).padStart(8)} ${String(gz).padStart(8)}  ${what}`);
  }
  console.log(mainHasWords ? "WORD LIST LEAKED INTO THE MAIN CHUNK" : "word list is not in the main chunk");
}

await timing();
await sizes();
