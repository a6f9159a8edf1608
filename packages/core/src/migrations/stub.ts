// `jazz-tools migrations create`: the diff of two schema versions rendered as a migration file
// to review. Adds and drops get defaults (null when optional, the type's zero otherwise); a
// table that loses a column and gains one of the same type may be a rename, which no diff can
// decide, so that stub is a draft until someone reviews it.

import type { ColumnSchema, ColumnType, RuntimeSchema, TableSchema } from "../schema/runtime.ts";

export interface SchemaDiff {
  created: string[];
  dropped: string[];
  /** Same columns under a new name: a likely table rename (old → new). */
  renamedTables: [from: string, to: string][];
  altered: { table: string; added: string[]; removed: string[]; retyped: string[]; possibleRenames: [from: string, to: string][] }[];
  /** True when the stub needs a human decision (a possible rename). */
  ambiguous: boolean;
}

const typeKey = (c: ColumnSchema) => JSON.stringify([c.type, c.optional]);
const tableKey = (t: TableSchema) => JSON.stringify(Object.entries(t.columns).map(([n, c]) => [n, typeKey(c)]).sort());

export function diffSchemas(from: RuntimeSchema, to: RuntimeSchema): SchemaDiff {
  let created = Object.keys(to.tables).filter((t) => !from.tables[t]).sort();
  let dropped = Object.keys(from.tables).filter((t) => !to.tables[t]).sort();
  const renamedTables: [string, string][] = [];
  for (const d of [...dropped]) {
    const same = created.filter((c) => tableKey(to.tables[c]!) === tableKey(from.tables[d]!));
    if (same.length === 1) {
      renamedTables.push([d, same[0]!]);
      created = created.filter((c) => c !== same[0]);
      dropped = dropped.filter((x) => x !== d);
    }
  }
  const altered: SchemaDiff["altered"] = [];
  let ambiguous = false;
  for (const name of Object.keys(to.tables).sort()) {
    const a = from.tables[name];
    const b = to.tables[name]!;
    if (!a) continue;
    const added = Object.keys(b.columns).filter((c) => !a.columns[c]);
    const removed = Object.keys(a.columns).filter((c) => !b.columns[c]);
    const retyped = Object.keys(b.columns).filter((c) => a.columns[c] && typeKey(a.columns[c]!) !== typeKey(b.columns[c]!));
    if (!added.length && !removed.length && !retyped.length) continue;
    if (retyped.length) ambiguous = true;
    const possibleRenames: [string, string][] = [];
    for (const r of removed) {
      for (const ad of added) {
        if (typeKey(a.columns[r]!) === typeKey(b.columns[ad]!)) possibleRenames.push([r, ad]);
      }
    }
    if (possibleRenames.length) ambiguous = true;
    altered.push({ table: name, added, removed, retyped, possibleRenames });
  }
  return { created, dropped, renamedTables, altered, ambiguous };
}

/** The TypeScript expression of a column in a schema witness. */
export function columnExpression(c: ColumnSchema): string {
  let e = typeExpression(c.type);
  if (c.optional) e += ".optional()";
  if (c.default !== undefined) e += `.default(${JSON.stringify(c.default)})`;
  if (c.merge === "counter") e += '.merge("counter")';
  return e;
}

function typeExpression(t: ColumnType): string {
  switch (t.kind) {
    case "enum":
      return `s.enum(${t.variants.map((v) => JSON.stringify(v)).join(", ")})`;
    case "ref":
      return `s.ref(${JSON.stringify(t.table)})`;
    case "array":
      return `s.array(${typeExpression(t.element)})`;
    default:
      return `s.${t.kind}()`;
  }
}

/** The value a stub proposes (null when the column is optional, else the type's zero). */
function zeroExpression(c: ColumnSchema): string {
  if (c.optional) return "null";
  if (c.default !== undefined) return c.type.kind === "timestamp" ? `new Date(${JSON.stringify(c.default)})` : JSON.stringify(c.default);
  switch (c.type.kind) {
    case "string":
      return '""';
    case "boolean":
      return "false";
    case "int":
    case "float":
      return "0";
    case "timestamp":
      return "new Date(0)";
    case "bytes":
      return "new Uint8Array()";
    case "json":
      return "{}";
    case "array":
      return "[]";
    case "enum":
      return JSON.stringify(c.type.variants[0]);
    case "ref":
      return '"" /* TODO: the id of an existing row */';
  }
}

function opExpression(kind: "add" | "drop", c: ColumnSchema): string {
  const key = kind === "add" ? "default" : "backwardsDefault";
  const v = zeroExpression(c);
  const t = c.type;
  switch (t.kind) {
    case "enum":
      return `s.${kind}.enum(${t.variants.map((x) => JSON.stringify(x)).join(", ")}, { ${key}: ${v} })`;
    case "ref":
      return `s.${kind}.ref(${JSON.stringify(t.table)}, { ${key}: ${v} })`;
    case "array":
      return `s.${kind}.array({ of: ${typeExpression(t.element)}, ${key}: ${v} })`;
    default:
      return `s.${kind}.${t.kind}({ ${key}: ${v} })`;
  }
}

function witness(schema: RuntimeSchema, tables: string[]): string {
  const names = [...new Set(tables)].sort();
  if (!names.length) return "{}";
  const body = names.map((n) => {
    const cols = Object.entries(schema.tables[n]!.columns).map(([c, def]) => `      ${JSON.stringify(c)}: ${columnExpression(def)},`);
    return `    ${JSON.stringify(n)}: s.table({\n${cols.join("\n")}\n    }),`;
  });
  return `{\n${body.join("\n")}\n  }`;
}

export const SHORT_HASH = 12;

/** The migration file `migrations create` writes, and whether it is a draft. */
export function renderMigrationStub(input: { fromHash: string; toHash: string; from: RuntimeSchema; to: RuntimeSchema }): { source: string; draft: boolean; diff: SchemaDiff } {
  const diff = diffSchemas(input.from, input.to);
  const sections: string[] = [];
  if (diff.ambiguous) {
    sections.push("  // DRAFT: review the TODOs below, then delete this line and `draft: true`.\n  draft: true,");
  }
  if (diff.renamedTables.length) {
    sections.push(`  renameTables: {\n${diff.renamedTables.map(([a, b]) => `    ${JSON.stringify(b)}: s.renameTableFrom(${JSON.stringify(a)}),`).join("\n")}\n  },`);
  }
  if (diff.created.length) sections.push(`  createTables: {\n${diff.created.map((t) => `    ${JSON.stringify(t)}: true,`).join("\n")}\n  },`);
  if (diff.dropped.length) sections.push(`  dropTables: {\n${diff.dropped.map((t) => `    ${JSON.stringify(t)}: true,`).join("\n")}\n  },`);
  const migrate: string[] = [];
  for (const t of diff.altered) {
    const a = input.from.tables[t.table]!;
    const b = input.to.tables[t.table]!;
    const lines: string[] = [];
    for (const [r, ad] of t.possibleRenames) {
      lines.push(`      // TODO: ${JSON.stringify(r)} → ${JSON.stringify(ad)} may be a rename. If it is, replace both lines with`);
      lines.push(`      //   ${JSON.stringify(ad)}: s.renameFrom(${JSON.stringify(r)}),`);
    }
    for (const c of t.retyped) {
      lines.push(`      // TODO: ${JSON.stringify(c)} changes type or optionality, which a lens cannot translate: keep the old`);
      lines.push(`      //   column and add the new one under another name.`);
    }
    for (const c of t.added) lines.push(`      ${JSON.stringify(c)}: ${opExpression("add", b.columns[c]!)},`);
    for (const c of t.removed) lines.push(`      ${JSON.stringify(c)}: ${opExpression("drop", a.columns[c]!)},`);
    migrate.push(`    ${JSON.stringify(t.table)}: {\n${lines.join("\n")}\n    },`);
  }
  if (migrate.length) sections.push(`  migrate: {\n${migrate.join("\n")}\n  },`);
  const fromTables = [...diff.altered.map((t) => t.table), ...diff.dropped, ...diff.renamedTables.map(([a]) => a)];
  const toTables = [...diff.altered.map((t) => t.table), ...diff.created, ...diff.renamedTables.map(([, b]) => b)];
  sections.push(`  fromHash: ${JSON.stringify(input.fromHash.slice(0, SHORT_HASH))},`);
  sections.push(`  toHash: ${JSON.stringify(input.toHash.slice(0, SHORT_HASH))},`);
  sections.push(`  from: ${witness(input.from, fromTables)},`);
  sections.push(`  to: ${witness(input.to, toTables)},`);
  const source = `import { schema as s } from "jazz-tools";\n\nexport default s.defineMigration({\n${sections.join("\n")}\n});\n`;
  return { source, draft: diff.ambiguous, diff };
}
