// The app's catalogue in the server database: which app the data belongs to, the active
// structural schema and the active permissions bundle.

import type { MigrationLens, RuntimeSchema, SqlDriver } from "@jazz-tools/core";
import { DataDirError } from "../errors.ts";

export class Catalogue {
  constructor(private readonly driver: SqlDriver) {
    driver.exec("CREATE TABLE IF NOT EXISTS _jazz_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  }

  private get(key: string): string | null {
    const row = this.driver.all("SELECT value FROM _jazz_meta WHERE key = ?", [key])[0];
    return row ? (row[0] as string) : null;
  }

  private set(key: string, value: string): void {
    this.driver.run("INSERT INTO _jazz_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value]);
  }

  /** A data dir holds one app's data: refuse to serve another app from it. */
  claimApp(appId: string): void {
    const owner = this.get("app_id");
    if (owner === null) this.set("app_id", appId);
    else if (owner !== appId) {
      throw new DataDirError(`the data dir belongs to app ${JSON.stringify(owner)}, not ${JSON.stringify(appId)}: use another --data-dir`);
    }
  }

  schema(): RuntimeSchema {
    const text = this.get("schema");
    return text ? (JSON.parse(text) as RuntimeSchema) : { tables: {} };
  }

  setSchema(schema: RuntimeSchema): void {
    this.set("schema", JSON.stringify(schema));
  }

  permissions(): unknown {
    const text = this.get("permissions");
    return text ? JSON.parse(text) : null;
  }

  setPermissions(bundle: unknown): void {
    this.set("permissions", JSON.stringify(bundle));
  }

  /** The schema version the active permissions were published for, and the publish count. */
  permissionsHead(): { schemaHash: string; version: number } | null {
    const text = this.get("permissions_head");
    return text ? (JSON.parse(text) as { schemaHash: string; version: number }) : null;
  }

  setPermissionsHead(schemaHash: string): void {
    const version = (this.permissionsHead()?.version ?? 0) + 1;
    this.set("permissions_head", JSON.stringify({ schemaHash, version }));
  }
}

/**
 * Every schema version the app has published (by hash, exactly as published) and the reviewed
 * migrations between them. The active table layout is the union of the versions (engine.ts);
 * these are what lenses and the catalogue endpoints read.
 */
export class SchemaVersions {
  constructor(private readonly driver: SqlDriver) {
    driver.exec(`
      CREATE TABLE IF NOT EXISTS _jazz_schema_versions (hash TEXT PRIMARY KEY, schema TEXT NOT NULL, seq INTEGER NOT NULL, published_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS _jazz_migrations (from_hash TEXT NOT NULL, to_hash TEXT NOT NULL, lens TEXT NOT NULL, PRIMARY KEY (from_hash, to_hash));
    `);
  }

  has(hash: string): boolean {
    return this.driver.all("SELECT 1 FROM _jazz_schema_versions WHERE hash = ?", [hash]).length > 0;
  }

  get(hash: string): RuntimeSchema | null {
    const r = this.driver.all("SELECT schema FROM _jazz_schema_versions WHERE hash = ?", [hash])[0];
    return r ? (JSON.parse(r[0] as string) as RuntimeSchema) : null;
  }

  /** Known hashes, oldest first. */
  hashes(): string[] {
    return this.driver.all("SELECT hash FROM _jazz_schema_versions ORDER BY seq").map((r) => r[0] as string);
  }

  private headMemo: string | null | undefined;

  /** The most recently published version, or null. */
  head(): string | null {
    if (this.headMemo === undefined) {
      const r = this.driver.all("SELECT hash FROM _jazz_schema_versions ORDER BY seq DESC LIMIT 1")[0];
      this.headMemo = r ? (r[0] as string) : null;
    }
    return this.headMemo;
  }

  /** Records a version (again: it becomes the head). */
  add(hash: string, schema: RuntimeSchema): void {
    const seq = Number(this.driver.all("SELECT COALESCE(MAX(seq), 0) + 1 FROM _jazz_schema_versions")[0]![0]);
    this.driver.run(
      "INSERT INTO _jazz_schema_versions (hash, schema, seq, published_at) VALUES (?, ?, ?, ?) ON CONFLICT(hash) DO UPDATE SET seq = excluded.seq",
      [hash, JSON.stringify(schema), seq, Date.now()],
    );
    this.headMemo = undefined;
  }

  migrations(): MigrationLens[] {
    return this.driver.all("SELECT lens FROM _jazz_migrations ORDER BY rowid").map((r) => JSON.parse(r[0] as string) as MigrationLens);
  }

  addMigration(lens: MigrationLens): void {
    this.driver.run("INSERT INTO _jazz_migrations (from_hash, to_hash, lens) VALUES (?, ?, ?) ON CONFLICT(from_hash, to_hash) DO UPDATE SET lens = excluded.lens", [
      lens.fromHash,
      lens.toHash,
      JSON.stringify(lens),
    ]);
  }
}
