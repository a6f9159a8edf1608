// How much TypeScript work the typed app costs: type-checks a generated schema of N tables
// (10 columns each, refs to the previous tables) plus a few typed queries, once against the full
// app and once against a 5-table slice (the docs' "very large schemas" advice), and prints times
// and the ratio. Also times building query IR at runtime. Run: pnpm exec tsx bench/schema/typecheck.ts
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";

const core = resolve(import.meta.dirname, "../../packages/core/src/index.ts");
// The DSL alone, so the check does not also type the whole engine.
const dsl = resolve(import.meta.dirname, "../../packages/core/src/schema/dsl.ts");
const sizes = [20, 100, 200];

function schemaSource(n: number): string {
  const tables: string[] = [];
  for (let i = 0; i < n; i++) {
    const refs = i === 0 ? "" : `parentId: s.ref("t${i - 1}"), otherId: s.ref("t${Math.floor(i / 2)}").optional(),`;
    tables.push(
      `t${i}: s.table({ name: s.string(), n: s.int(), f: s.float().optional(), at: s.timestamp(), ok: s.boolean(), kind: s.enum("a", "b"), tags: s.array(s.string()), ${refs} }),`,
    );
  }
  return `import * as s from ${JSON.stringify(dsl)};\nexport const schema = {\n${tables.join("\n")}\n};\n`;
}

function usageSource(appExpr: string): string {
  return `import * as s from ${JSON.stringify(dsl)};
import { schema } from "./schema.ts";
export const app = ${appExpr};
const q1 = app.t3.where({ n: { gt: 1 } }).include({ parent: { parent: true }, t4ViaParent: true }).requireIncludes();
const q2 = app.t2.hopTo("parent").select("name", "$createdAt");
export type R1 = s.RowOf<typeof q1>;
export type R2 = s.RowOf<typeof q2>;
export const r1: R1 = null!; r1.parent.parent.name satisfies string;
export const r2: R2 = null!; r2.$createdAt satisfies Date;
`;
}

interface Cost {
  ms: number;
  /** Type instantiations the checker performed: deterministic, unlike time on a shared machine. */
  instantiations: number;
}

function check(dir: string): Cost {
  const program = ts.createProgram([join(dir, "usage.ts")], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    types: [],
  });
  // Type the DSL's own files first, so the timing covers only the generated schema and usage.
  const checker = program.getTypeChecker() as ts.TypeChecker & { getInstantiationCount(): number };
  for (const f of program.getSourceFiles()) if (!f.fileName.startsWith(dir)) program.getSemanticDiagnostics(f);
  const before = checker.getInstantiationCount();
  const t0 = performance.now();
  const diags = [join(dir, "schema.ts"), join(dir, "usage.ts")].flatMap((f) => [
    ...program.getSemanticDiagnostics(program.getSourceFile(f)),
  ]);
  const ms = performance.now() - t0;
  if (diags.length) throw new Error(ts.formatDiagnostics(diags, ts.createCompilerHost({})));
  return { ms, instantiations: checker.getInstantiationCount() - before };
}

function best(runs: Cost[]): Cost {
  return { ms: Math.min(...runs.map((r) => r.ms)), instantiations: runs[0]!.instantiations };
}

const dir = mkdtempSync(join(tmpdir(), "jazz-schema-bench-"));
try {
  console.log("tables | full app: ms, instantiations | 5-table slice: ms, instantiations | full/slice (instantiations)");
  for (const n of sizes) {
    writeFileSync(join(dir, "schema.ts"), schemaSource(n));
    writeFileSync(join(dir, "usage.ts"), usageSource("s.defineApp(schema)"));
    // Minimum of 3 fresh programs: the machine is shared, the minimum is the least disturbed run.
    const full = best([check(dir), check(dir), check(dir)]);
    writeFileSync(join(dir, "usage.ts"), usageSource(`s.defineSliceableApp(schema).slice("t0", "t1", "t2", "t3", "t4")`));
    const slice = best([check(dir), check(dir), check(dir)]);
    console.log(
      `${n} | ${full.ms.toFixed(0)} ms, ${full.instantiations} | ${slice.ms.toFixed(0)} ms, ${slice.instantiations} | ${(full.instantiations / slice.instantiations).toFixed(2)}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// Runtime: building query IR.
const { schema: s } = await import(core);
const app = s.defineApp({
  projects: s.table({ name: s.string() }),
  todos: s.table({ title: s.string(), done: s.boolean(), prio: s.int(), projectId: s.ref("projects") }),
});
const N = 100_000;
let t0 = performance.now();
for (let i = 0; i < N; i++) app.todos.where({ done: false, prio: { gte: i } }).orderBy("prio").limit(10)._build();
const simple = ((performance.now() - t0) * 1000) / N;
t0 = performance.now();
for (let i = 0; i < N; i++) app.todos.where({ title: "x" }).include({ project: true })._build();
const withInclude = ((performance.now() - t0) * 1000) / N;
console.log(`runtime: where+orderBy+limit+_build ${simple.toFixed(2)} µs/query; where+include+_build ${withInclude.toFixed(2)} µs/query`);
