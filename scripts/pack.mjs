// `pnpm run pack [--pack-destination DIR]`: build jazz-tools and pack it as users install it.
// The package is staged with the manifest users get: no devDependencies (our internal
// workspace packages are bundled into dist/, so nothing of the workspace remains) and no
// build scripts. Writes DIR/jazz-tools-<version>.tgz (DIR: the flag, $PACK_DESTINATION, or .).
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkgDir = join(root, "packages/jazz-tools");
const args = process.argv.slice(2);
const flag = args.findIndex((a) => a === "--pack-destination" || a.startsWith("--pack-destination="));
const dest = resolve(
  flag < 0 ? (process.env.PACK_DESTINATION ?? ".") : args[flag].includes("=") ? args[flag].split("=")[1] : args[flag + 1],
);

if (!process.env.JAZZ_PACK_NO_BUILD) execFileSync("pnpm", ["run", "build"], { cwd: pkgDir, stdio: "inherit" });

const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
delete manifest.devDependencies;
delete manifest.scripts;
const stage = mkdtempSync(join(tmpdir(), "jazz-pack-"));
try {
  for (const f of manifest.files) cpSync(join(pkgDir, f), join(stage, f), { recursive: true });
  writeFileSync(join(stage, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  mkdirSync(dest, { recursive: true });
  const out = execFileSync("npm", ["pack", "--silent", "--pack-destination", dest], { cwd: stage, encoding: "utf8" }).trim();
  process.stdout.write(`${join(dest, out.split("\n").pop())}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
