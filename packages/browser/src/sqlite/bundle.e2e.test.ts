// What the production build of the fixture app (a local-only page using createDb) ships: no
// Emscripten loader (load.ts replaces it), and a worker whose eagerly loaded chunk has neither
// the sync client nor Ed25519 (lazy-upstream.ts). Budgets are regression guards with headroom;
// bench/browser/run.ts --size-only prints the exact figures (issue #4 goal: <= 60 KB in total).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, expect, it } from "vitest";
import { build } from "vite";

const fixture = fileURLToPath(new URL("../../test-fixtures/app", import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), "jazz-browser-bundle-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

it("ships our own wasm loader, and the worker loads the sync client only on demand", async () => {
  await build({ configFile: join(fixture, "vite.config.ts"), logLevel: "silent", build: { outDir } });
  const assets = join(outDir, "assets");
  const js = Object.fromEntries(readdirSync(assets).filter((f) => f.endsWith(".js")).map((f) => [f, readFileSync(join(assets, f), "utf8")]));
  const page = Object.keys(js).find((f) => f.startsWith("index-"))!;
  // The worker entry is worker-<8-char hash>.js (its lazy chunks are worker-sync-<hash>.js, …).
  const worker = Object.keys(js).find((f) => /^worker-[\w-]{8}\.js$/.test(f))!;
  expect(readdirSync(assets).some((f) => f.endsWith(".wasm"))).toBe(true);
  // String literals of wa-sqlite's Emscripten loader (names are minified away, texts stay).
  const glue = /Synchronous WebAssembly cannot call async function|failed to asynchronously prepare wasm/;
  for (const [file, code] of Object.entries(js)) expect([file, glue.test(code)]).toEqual([file, false]);
  // The worker chunk imports nothing statically; what only sync needs is in chunks it imports
  // dynamically, loaded with a serverUrl: auth's token minting and identity code (marked by
  // RFC 4122's DNS namespace UUID, a constant of auth's uuid.ts) with noble's Ed25519 and
  // SHA-512, and the durable undo records (marked by their table's name).
  const authMarker = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
  const undoMarker = "_jazz_undo_batches";
  expect(js[worker]).not.toMatch(/\bfrom\s*["'`]\.\/|\bimport\s*["'`]\.\//);
  const lazy = [...js[worker]!.matchAll(/import\(\s*["'`]\.\/([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]!);
  expect(lazy.filter((f) => js[f]!.includes(authMarker))).toHaveLength(1);
  expect(lazy.filter((f) => js[f]!.includes(undoMarker))).toHaveLength(1);
  expect(js[worker]).not.toContain(authMarker);
  expect(js[worker]).not.toContain(undoMarker);
  const gz = (f: string) => gzipSync(js[f]!, { level: 9 }).byteLength;
  // Today: page ≈ 41.5 kB, worker ≈ 17.5 kB (was 62.5 and 46.1 with wa-sqlite's loader in both).
  expect(gz(page)).toBeLessThan(45_000);
  expect(gz(worker)).toBeLessThan(20_000);
}, 120_000);
