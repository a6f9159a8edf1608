// `jazz-tools validate`: load schema.ts, permissions.ts and the migration files and check them
// as deploy would, without publishing. A draft migration on the path from a snapshotted
// version to the current schema fails: it would be used to translate live rows.

import { findLensPath, MigrationError, type LensStep } from "@jazz-tools/core";
import { assertBundleFitsSchema, parsePermissionsBundle } from "@jazz-tools/core/permissions";
import { parseFlags } from "./flags.ts";
import { loadProject, readMigrationFiles, readSnapshots, short, type MigrationFile } from "./project.ts";

export const VALIDATE_HELP = `Usage: jazz-tools validate [options]

Check schema.ts, permissions.ts and the migrations without publishing anything.

Options:
      --schema-dir <DIR>      Directory holding schema.ts and permissions.ts (default: .)
      --migrations-dir <DIR>  Where migrations and snapshots live (default: <schema-dir>/migrations)
  -h, --help                  Show this help
`;

/** The migration files a path walks through. */
export function filesOnPath(path: readonly LensStep[], files: readonly MigrationFile[]): MigrationFile[] {
  return path.map((st) => files.find((f) => f.lens === st.lens)!);
}

export async function runValidate(argv: string[], out = process.stdout): Promise<void> {
  const { flags } = parseFlags(argv, ["--schema-dir", "--migrations-dir"], "validate");
  const project = await loadProject(flags);
  const tables = Object.keys(project.app.schema.tables).length;
  out.write(`schema.ts: ${tables} table(s), hash ${short(project.hash)}\n`);
  if (project.app.permissions !== undefined) {
    try {
      assertBundleFitsSchema(parsePermissionsBundle(project.app.permissions), project.app.schema);
    } catch (e) {
      throw new Error(`permissions.ts: ${(e as Error).message}`);
    }
    out.write("permissions.ts: ok\n");
  }
  const files = await readMigrationFiles(project.migrationsDir);
  const lenses = files.map((f) => f.lens);
  for (const snap of readSnapshots(project.migrationsDir)) {
    if (snap.hash === project.hash) continue;
    const path = findLensPath(lenses, snap.hash, project.hash);
    if (!path) {
      out.write(`note: no migration connects snapshot ${short(snap.hash)} to the current schema (jazz-tools migrations create <appId> --fromHash ${short(snap.hash)})\n`);
      continue;
    }
    const draft = filesOnPath(path, files).find((f) => f.lens.draft);
    if (draft) {
      throw new MigrationError(`${draft.file} is a draft on the path from ${short(snap.hash)} to the current schema: review its TODOs and delete \`draft: true\``);
    }
  }
  out.write(`migrations: ${files.length} file(s) ok\n`);
}
