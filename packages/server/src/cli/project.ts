// An app project as the catalogue commands see it: schema.ts and permissions.ts in the schema
// dir, and under migrations/ the reviewed migration files and the snapshots of past schemas.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { MigrationError, SHORT_HASH, migrationLens, schemaHash, type MigrationLens, type RuntimeSchema } from "@jazz-tools/core";
import { UsageError } from "../errors.ts";
import { loadAppDefinition, type AppDefinition } from "../publish.ts";
import { importTypeScript } from "../ts-import.ts";

export interface Project {
  dir: string;
  migrationsDir: string;
  app: AppDefinition;
  hash: string;
}

export async function loadProject(flags: Record<string, string>): Promise<Project> {
  const dir = resolve(flags["--schema-dir"] ?? ".");
  if (!existsSync(join(dir, "schema.ts"))) throw new UsageError(`no schema.ts in ${dir} (use --schema-dir)`);
  const app = await loadAppDefinition(dir, importTypeScript);
  return { dir, migrationsDir: resolve(flags["--migrations-dir"] ?? join(dir, "migrations")), app, hash: schemaHash(app.schema) };
}

export interface Snapshot {
  hash: string;
  createdAt: string;
  schema: RuntimeSchema;
  file: string;
}

export function readSnapshots(migrationsDir: string): Snapshot[] {
  const dir = join(migrationsDir, "snapshots");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => {
      const file = join(dir, f);
      const s = JSON.parse(readFileSync(file, "utf8")) as Omit<Snapshot, "file">;
      return { ...s, file };
    })
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** Writes (or refreshes, making it the latest) the snapshot of a schema version. */
export function writeSnapshot(migrationsDir: string, schema: RuntimeSchema): string {
  const dir = join(migrationsDir, "snapshots");
  mkdirSync(dir, { recursive: true });
  const hash = schemaHash(schema);
  const file = join(dir, `${hash.slice(0, SHORT_HASH)}.json`);
  writeFileSync(file, `${JSON.stringify({ hash, createdAt: new Date().toISOString(), schema }, null, 2)}\n`);
  return file;
}

export interface MigrationFile {
  file: string;
  lens: MigrationLens;
}

/** Every migration file (`migrations/*.ts`, default export s.defineMigration(...)). */
export async function readMigrationFiles(migrationsDir: string): Promise<MigrationFile[]> {
  if (!existsSync(migrationsDir)) return [];
  const out: MigrationFile[] = [];
  for (const f of readdirSync(migrationsDir).filter((x) => x.endsWith(".ts")).sort()) {
    const file = join(migrationsDir, f);
    let mod: Record<string, unknown>;
    try {
      mod = await importTypeScript(file);
    } catch (e) {
      throw new MigrationError(`${file}: ${(e as Error).message}`);
    }
    let m = (mod.default ?? mod.migration) as Record<string, unknown> | undefined;
    if (m && m.default && !m.tables) m = m.default as Record<string, unknown>;
    if (!m || typeof m !== "object" || !Array.isArray(m.tables) || typeof m.fromHash !== "string") {
      throw new MigrationError(`${file} must \`export default s.defineMigration({ ... })\``);
    }
    out.push({ file, lens: migrationLens(m as never) });
  }
  return out;
}

export const short = (h: string) => h.slice(0, SHORT_HASH);
