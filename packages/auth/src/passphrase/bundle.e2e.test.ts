// The BIP-39 word list must load only with jazz-tools/passphrase: build a small app with Vite
// (production, minified) that imports identity/tokens statically and the phrase on demand.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, expect, it } from "vitest";
import { build } from "vite";

const authIndex = fileURLToPath(new URL("../index.ts", import.meta.url));
const passphraseEntry = fileURLToPath(new URL("../../../jazz-tools/src/passphrase.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "jazz-auth-bundle-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("keeps the word list out of the main chunk and in its own lazily loaded chunk", async () => {
  writeFileSync(join(dir, "index.html"), `<script type="module" src="./main.ts"></script>`);
  writeFileSync(
    join(dir, "main.ts"),
    `import { generateAuthSecret, mintLocalFirstToken } from ${JSON.stringify(authIndex)};
     const s = generateAuthSecret();
     (globalThis as any).t = mintLocalFirstToken(s, { audience: "my-app" });
     (globalThis as any).p = async () => (await import(${JSON.stringify(passphraseEntry)})).RecoveryPhrase.fromSecret(s);`,
  );
  const result = (await build({
    root: dir,
    configFile: false,
    logLevel: "silent",
    build: { write: false, minify: true, modulePreload: false },
  })) as { output: Array<{ type: string; code?: string; isEntry?: boolean; isDynamicEntry?: boolean }> };
  const chunks = result.output.filter((o) => o.type === "chunk");
  const main = chunks.find((c) => c.isEntry)!;
  const lazy = chunks.filter((c) => c.isDynamicEntry);
  // "abandon", "abstract", "zoo" are BIP-39 words that appear nowhere else.
  expect(main.code).not.toMatch(/abandon|zoo/);
  expect(lazy.some((c) => /abandon/.test(c.code!) && /zoo/.test(c.code!))).toBe(true);
  // Size budgets (gzip): main ≈ 11 KB today (noble ed25519 + sha512/sha1 + our code).
  expect(gzipSync(main.code!).length).toBeLessThan(16_000);
}, 60_000);
