import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

// The house rule "core knows no framework, no DOM, no Node API" and "adapters use core's
// public surface", checked on the import graph of the shipped (non-test) sources.

const packagesDir = join(import.meta.dirname, "..", "..");

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|tsx|svelte|vue)$/.test(name) && !/\.(test|test-d|browser\.test|e2e\.test)\.tsx?$/.test(name) && !/\.test\./.test(name))
      out.push(path);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specs: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/gm)) specs.push(m[1]!);
  for (const m of text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)) specs.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) specs.push(m[1]!);
  return specs;
}

describe("layering", () => {
  it("core imports only itself, the isomorphic auth entry and pure-JS hashing", () => {
    const allowed = (spec: string) =>
      spec.startsWith(".") || spec === "@jazz-tools/auth" || spec.startsWith("@noble/hashes/");
    const files = sourceFiles(join(packagesDir, "core", "src"));
    expect(files.length).toBeGreaterThan(20);
    const offenders = files.flatMap((f) =>
      imports(f)
        .filter((s) => !allowed(s))
        .map((s) => `${relative(packagesDir, f)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it("other packages reach core only through its public entry points", () => {
    const others = readdirSync(packagesDir).filter((p) => p !== "core" && statSync(join(packagesDir, p, "src"), { throwIfNoEntry: false })?.isDirectory());
    expect(others).toEqual(expect.arrayContaining(["browser", "server", "jazz-tools", "react", "vue", "svelte"]));
    const offenders = others.flatMap((pkg) =>
      sourceFiles(join(packagesDir, pkg, "src")).flatMap((f) =>
        imports(f)
          .filter((s) => s.startsWith("@jazz-tools/core/internal") || /packages\/core\//.test(s) || /\.\.\/\.\.\/core/.test(s))
          .map((s) => `${relative(packagesDir, f)} imports ${s}`),
      ),
    );
    expect(offenders).toEqual([]);
  });
});
