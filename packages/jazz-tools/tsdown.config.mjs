// The published package: every entry point compiled to ESM with declarations and sourcemaps,
// the internal @jazz-tools/* workspace packages bundled in (users install one name), third-party
// libraries left as dependencies or (optional) peer dependencies. tsdown: rolldown (the bundler
// under Vite 8) plus rolldown-plugin-dts for bundled .d.ts, maintained by the Vite/rolldown team.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { defineConfig } from "tsdown";

const require = createRequire(import.meta.url);
const waSqliteWasm = require.resolve("@journeyapps/wa-sqlite/dist/wa-sqlite.wasm");

/** A module `x.ts` with a sibling `x.dist.ts` is replaced by it in the build (worker, wasm, CLI paths). */
const distVariants = {
  name: "jazz-dist-variants",
  async resolveId(source, importer, options) {
    if (!importer || source.endsWith(".dist.ts") || source.startsWith("\0")) return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    if (!resolved || resolved.external || resolved.id.includes("/node_modules/") || !resolved.id.endsWith(".ts")) return null;
    const variant = resolved.id.replace(/\.ts$/, ".dist.ts");
    return existsSync(variant) ? { id: variant } : null;
  },
};

const entry = {
  index: "src/index.ts",
  "index.browser": "src/index.browser.ts",
  react: "src/react.ts",
  vue: "src/vue.ts",
  "svelte-internal": "src/svelte-internal.ts",
  passphrase: "src/passphrase.ts",
  "passkey-backup": "src/passkey-backup.ts",
  backend: "src/backend.ts",
  testing: "src/testing.ts",
  permissions: "src/permissions.ts",
  "dev-vite": "src/dev/vite.ts",
  cli: "src/cli.ts",
  worker: "../browser/src/worker/worker.ts",
};

export default defineConfig({
  entry,
  outDir: "dist",
  format: "esm",
  platform: "neutral",
  target: "es2022",
  sourcemap: true,
  dts: { sourcemap: false, eager: true },
  clean: true,
  hash: true,
  // Bundle our own workspace packages and the few files of wa-sqlite we use (its OPFS VFS; the
  // wasm is copied beside the chunks), so users do not install wa-sqlite's 18 MB of builds;
  // everything else stays an import for the user's install.
  deps: {
    alwaysBundle: [/^@jazz-tools\//, /^@journeyapps\/wa-sqlite\//],
    neverBundle: [
    /^node:/,
    /^react($|\/)/,
    /^react-dom($|\/)/,
    /^vue($|\/)/,
    /^svelte($|\/)/,
    "better-sqlite3",
    "ws",
    "tsx",
    /^tsx\//,
    "vite",
    "jose",
    "comlink",
    /^@noble\//,
    /^@scure\//,
    ],
  },
  plugins: [distVariants],
  copy: [{ from: waSqliteWasm, to: "dist" }],
  tsconfig: "tsconfig.build.json",
  publint: false,
});
