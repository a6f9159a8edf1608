// The Svelte binding ships the way Svelte libraries do (svelte-package): its .svelte components
// and .svelte.js rune modules stay Svelte sources that the app's own Svelte compiler handles, so
// stock @sveltejs/vite-plugin-svelte works with no optimizeDeps setting. Its imports of our
// internal packages point at dist/svelte-internal.js (built by tsdown), so the binding shares
// one runtime with `jazz-tools`.
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
const from = join(pkg, "../svelte/src");
const staging = join(pkg, "dist/.svelte-src");
const out = join(pkg, "dist/svelte");
if (!existsSync(join(pkg, "dist/svelte-internal.js"))) throw new Error("build-svelte: run tsdown first (dist/svelte-internal.js is missing)");

rmSync(staging, { recursive: true, force: true });
rmSync(out, { recursive: true, force: true });
cpSync(from, staging, {
  recursive: true,
  filter: (src) => !/\.test\.|test-fixtures|env\.d\.ts$/.test(src),
});

const walk = (dir) => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));
for (const file of walk(staging)) {
  if (!/\.(ts|svelte)$/.test(file)) continue;
  const src = readFileSync(file, "utf8")
    .replace(/from "@jazz-tools\/[^"]+"/g, 'from "../svelte-internal.js"')
    .replace(/from "(\.\.?\/[^"]+)\.ts"/g, 'from "$1.js"');
  writeFileSync(file, src);
}

const bin = join(pkg, "node_modules/.bin/svelte-package");
execFileSync(bin, ["-i", staging, "-o", out, "--tsconfig", join(pkg, "tsconfig.svelte.json")], { cwd: pkg, stdio: "inherit" });
rmSync(staging, { recursive: true, force: true });
