// The consumer test (part of .ci/run): the package as users get it. Packs jazz-tools, then in a
// temp folder outside the repo installs the tarball into a plain Node ESM script and into fresh
// create-vite apps (react-ts, vue-ts, svelte-ts, vanilla-ts) with our app code on top; runs the
// templates' stock type-check (skipLibCheck off), `vite build`, and drives the built apps in
// Chromium (insert, reload, second tab). Prints sizes and timings. Exit code 0 = all passed.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "../..");
const chromiumPath = process.env.JAZZ_CHROMIUM ?? "/usr/bin/chromium";
const work = mkdtempSync(join(tmpdir(), "jazz-consumer-"));
const keep = process.env.JAZZ_CONSUMER_KEEP === "1";
const figures = [];
// better-sqlite3 builds from source against the local Node headers (no download here; the
// same version as the repo's, so pnpm's side-effects cache usually has it built already).
const nodedir = process.env.npm_config_nodedir || dirname(dirname(process.execPath));
const sh = (cmd, args, cwd, opts = {}) =>
  execFileSync(cmd, args, { cwd, stdio: opts.quiet ? "pipe" : "inherit", encoding: "utf8", env: { ...process.env, CI: "true", npm_config_nodedir: nodedir, ...opts.env } });
const timed = (label, f) => {
  const t = Date.now();
  const r = f();
  figures.push(`${label}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return r;
};
const duBytes = (p) => (statSync(p).isDirectory() ? readdirSync(p).reduce((n, f) => n + duBytes(join(p, f)), 0) : statSync(p).size);
const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;

// The vanilla app has a second page, local.html: the smallest local-only page (size budget).
const multiPage = `, build: { rollupOptions: { input: { main: "index.html", local: "local.html" } } }`;
const templates = { react: "react-ts", vue: "vue-ts", svelte: "svelte-ts", vanilla: "vanilla-ts" };
const plugins = {
  react: ['import react from "@vitejs/plugin-react";', "react()"],
  vue: ['import vue from "@vitejs/plugin-vue";', "vue()"],
  svelte: ['import { svelte } from "@sveltejs/vite-plugin-svelte";', "svelte()"],
  vanilla: ["", ""],
};

try {
  // 1. Pack.
  const tgz = timed("pack (build + npm pack)", () => sh("node", [join(repo, "scripts/pack.mjs"), "--pack-destination", join(work, "tarballs")], repo, { quiet: true }).trim().split("\n").pop());
  figures.push(`tarball: ${(statSync(tgz).size / 1024).toFixed(0)} KB`);

  // 2. The apps: fresh templates, our app code on top, the tarball as their jazz-tools.
  for (const [name, template] of Object.entries(templates)) {
    sh("npm", ["create", "-y", "vite@latest", name, "--", "--template", template, "--no-interactive"], work, { quiet: true });
    const dir = join(work, name);
    rmSync(join(dir, "src"), { recursive: true, force: true });
    cpSync(join(here, "apps", name), dir, { recursive: true });
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    pkg.dependencies = { ...pkg.dependencies, "jazz-tools": `file:${tgz}` };
    writeFileSync(join(dir, "package.json"), JSON.stringify(pkg, null, 2));
    const [imp, call] = plugins[name];
    writeFileSync(
      join(dir, "vite.config.ts"),
      `import { defineConfig } from "vite";\n${imp}\nimport { jazzPlugin } from "jazz-tools/dev/vite";\n\nexport default defineConfig({ plugins: [${call}${call ? ", " : ""}jazzPlugin({ server: false })]${name === "vanilla" ? multiPage : ""} });\n`,
    );
    // The templates' strict settings; the app's type-check also reads our .d.ts files. (Only
    // the app config: the templates' tsconfig.node.json fails on svelte's own types without it.)
    const appConfig = ["tsconfig.app.json", "tsconfig.json"].map((f) => join(dir, f)).find((p) => existsSync(p) && readFileSync(p, "utf8").includes('"compilerOptions"'));
    const text = readFileSync(appConfig, "utf8");
    writeFileSync(
      appConfig,
      text.includes('"skipLibCheck"') ? text.replace(/"skipLibCheck": true/, '"skipLibCheck": false') : text.replace('"compilerOptions": {', '"compilerOptions": {\n    "skipLibCheck": false,'),
    );
  }
  const nodeDir = join(work, "node");
  cpSync(join(here, "node-app.mjs"), join(nodeDir, "main.mjs"));
  writeFileSync(join(nodeDir, "package.json"), JSON.stringify({ name: "node-consumer", private: true, type: "module", dependencies: { "jazz-tools": `file:${tgz}` } }, null, 2));
  writeFileSync(join(work, "pnpm-workspace.yaml"), `packages:\n  - "*"\n  - "!tarballs"\nallowBuilds:\n  better-sqlite3: true\n  esbuild: true\n`);
  timed("pnpm install (5 apps)", () => sh("pnpm", ["install", "--no-frozen-lockfile"], work, { quiet: true }));
  for (const name of ["react", "node"]) {
    const nm = join(work, name, "node_modules");
    figures.push(`${name} app: node_modules/jazz-tools and its dependencies: ${mb(duBytes(join(nm, "jazz-tools")))} (package)`);
  }
  // No app here installs the native SQLite or tsx; the React app gets no other framework.
  const forbidden = [
    ...["better-sqlite3", "tsx"].filter((p) => existsSync(join(work, "node_modules/.pnpm/node_modules", p))),
    ...["vue", "svelte"].filter((p) => existsSync(join(work, "react/node_modules", p))),
  ];
  if (forbidden.length) throw new Error(`the React app installed ${forbidden.join(", ")}`);

  // 3. Plain Node (no better-sqlite3 installed: in-memory SQLite on wasm): createDb, two
  //    clients through `npx jazz-tools server`.
  timed("node consumer", () => sh("node", ["main.mjs"], nodeDir));

  // 4. Type-check + build, then the built app in Chromium.
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu"], headless: true });
  try {
    for (const name of Object.keys(templates)) {
      const dir = join(work, name);
      timed(`${name}: npm run build`, () => sh("pnpm", ["run", "build"], dir));
      if (name === "svelte") timed("svelte: svelte-check", () => sh("pnpm", ["run", "check"], dir));
      const js = readdirSync(join(dir, "dist/assets")).filter((f) => f.endsWith(".js"));
      const gz = js.reduce((n, f) => n + gzipSync(readFileSync(join(dir, "dist/assets", f))).length, 0);
      figures.push(`${name}: built JS ${(gz / 1024).toFixed(1)} KB gzip (${js.length} files, app + framework + jazz-tools + worker)`);
      await runInChromium(browser, dir, name);
      console.log(`consumer ${name}: type-check, build and Chromium run passed`);
    }
  } finally {
    await browser.close();
  }
  console.log(`\nconsumer test passed (${work})\n  ${figures.join("\n  ")}`);
} catch (e) {
  console.error(`consumer test FAILED: ${e.stack ?? e}\n  ${figures.join("\n  ")}`);
  process.exitCode = 1;
} finally {
  if (!keep && process.exitCode !== 1) rmSync(work, { recursive: true, force: true });
}

async function runInChromium(browser, dir, name) {
  const port = 4300 + Object.keys(templates).indexOf(name);
  const preview = spawn("pnpm", ["exec", "vite", "preview", "--host", "127.0.0.1", "--port", String(port), "--strictPort"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  preview.stdout.on("data", (d) => (out += d));
  preview.stderr.on("data", (d) => (out += d));
  try {
    await new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`vite preview did not start: ${out}`)), 30_000);
      preview.stdout.on("data", () => out.includes(`${port}`) && (clearTimeout(t), res()));
    });
    const url = `http://127.0.0.1:${port}/`;
    const context = await browser.newContext();
    const errors = [];
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    // #form is rendered once the app's Db is ready; data-ready once its script has run.
    const ready = (p) => Promise.all([p.waitForSelector("#form", { timeout: 30_000 }), p.waitForSelector("body[data-ready]", { state: "attached", timeout: 30_000 })]);
    await ready(page).catch((e) => {
      throw new Error(`${name}: the app did not render (${errors.join("; ")}): ${e.message}`);
    });
    const add = async (p, title) => {
      await p.fill("#title", title);
      await p.click("#form button");
    };
    const listed = (p, title) => p.locator("#list li", { hasText: title }).waitFor({ timeout: 15_000 });
    await add(page, `first ${name}`);
    await listed(page, `first ${name}`);
    await page.reload();
    await ready(page);
    await listed(page, `first ${name}`); // persisted in OPFS
    const second = await context.newPage();
    await second.goto(url);
    await ready(second);
    await listed(second, `first ${name}`); // a second tab reads the same database
    await add(second, `second ${name}`);
    await listed(page, `second ${name}`); // and its writes reach the first tab
    if (errors.length) throw new Error(`${name}: page errors: ${errors.join("; ")}`);
    await context.close();
    if (name === "vanilla") await localOnlyBudget(browser, dir, url);
  } finally {
    preview.kill("SIGTERM");
  }
}

/**
 * The packaging issue's budget: the JS a local-only page fetches (its entry, chunks and the
 * worker, as Chromium requests them) until its first query has answered and a write has shown,
 * at most 60 KB gzip. Measured in a fresh context (no cache), gzip at Node's default level.
 */
async function localOnlyBudget(browser, dir, url) {
  const context = await browser.newContext();
  const fetched = new Set();
  context.on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.endsWith(".js")) fetched.add(path);
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${url}local.html`);
  await page.waitForSelector("body[data-ready]", { state: "attached", timeout: 30_000 });
  await page.fill("#title", "budget");
  await page.click("#form button");
  await page.locator("#list li", { hasText: "budget" }).waitFor({ timeout: 15_000 });
  await page.waitForTimeout(500); // anything fetched lazily right after
  await context.close();
  if (errors.length) throw new Error(`local-only page: page errors: ${errors.join("; ")}`);
  const files = [...fetched].map((p) => ({ p, gz: gzipSync(readFileSync(join(dir, "dist", p))).length / 1024 }));
  const total = files.reduce((n, f) => n + f.gz, 0);
  const worker = files.filter((f) => f.p.includes("/worker-")).reduce((n, f) => n + f.gz, 0);
  figures.push(`local-only page: fetches ${total.toFixed(1)} KB gzip of JS in ${files.length} files (worker ${worker.toFixed(1)}); budget 60 KB`);
  if (total > 60) throw new Error(`local-only page fetches ${total.toFixed(1)} KB gzip of JS, over the 60 KB budget: ${files.map((f) => `${f.p} ${f.gz.toFixed(1)}`).join(", ")}`);
}
