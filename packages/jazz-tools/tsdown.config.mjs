// The published package: every entry point compiled to ESM with declarations and sourcemaps,
// the internal @jazz-tools/* workspace packages bundled in (users install one name), third-party
// libraries left as dependencies or (optional) peer dependencies. tsdown: rolldown (the bundler
// under Vite 8) plus rolldown-plugin-dts for bundled .d.ts, maintained by the Vite/rolldown team.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
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

/** The main entry's `schema` namespace stays an import of the package's own schema entry (src/schema.ts). */
const schemaEntryExternal = {
  name: "jazz-schema-entry-external",
  resolveId(source) {
    return source === "jazz-tools/schema" ? { id: source, external: true } : null;
  },
};

/**
 * `packages/core/src/db/db.ts` → `core-db-db`; null (default chunking) for the entries themselves (an entry's code must stay in its entry file: `sideEffects` lists
 * dist/worker.js, and a bare import of a chunk from it would be dropped by the app's bundler).
 */
function moduleChunkName(id) {
  // Declarations keep the default chunking (their import paths name the JS chunks' files).
  if (entryFiles.has(id) || /\.d\.[cm]?ts$/.test(id)) return null;
  const ours = /\/packages\/([^/]+)\/src\/(.+)\.(?:tsx?|js|mjs)$/.exec(id);
  if (ours) return `${ours[1]}-${ours[2].replaceAll("/", "-")}`;
  // Bundled third-party files (wa-sqlite's VFS) get chunks of their own too: left in an entry's
  // chunk, a module that imports them would import that entry (a cycle the browser evaluates in
  // the wrong order when it loads dist/ unbundled, as Vite's dev server does).
  const dep = /\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)\/(.+)\.(?:ts|js|mjs)$/.exec(id);
  return dep ? `${dep[1].replace("@", "").replace("/", "-")}-${dep[2].replaceAll("/", "-")}` : null;
}

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
  schema: "src/schema.ts",
  "dev-vite": "src/dev/vite.ts",
  cli: "src/cli.ts",
  worker: "../browser/src/worker/worker.ts",
};

const entryFiles = new Set(Object.values(entry).map((f) => fileURLToPath(new URL(f, import.meta.url))));

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
  plugins: [schemaEntryExternal, distVariants],
  copy: [{ from: waSqliteWasm, to: "dist" }],
  // One chunk per source module of ours: an app's bundler then tree-shakes and splits at module
  // granularity, so code one page needs never drags in what only a lazy path uses (a shared
  // chunk would make the pure-JS signer, the hash code or the permission compiler eager).
  outputOptions: {
    codeSplitting: {
      includeDependenciesRecursively: false,
      groups: [{ name: (id) => moduleChunkName(id) }],
    },
  },
  tsconfig: "tsconfig.build.json",
  publint: false,
});
