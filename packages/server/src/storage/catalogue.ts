// The app's catalogue in the server database: which app the data belongs to, the active
// structural schema and the active permissions bundle.

import type { RuntimeSchema, SqlDriver } from "@jazz-tools/core";
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
}
