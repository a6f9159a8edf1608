// Loading an app's schema.ts / permissions.ts and publishing them to a server's catalogue,
// shared by `jazz-tools deploy` and the Vite dev plugin.

import { existsSync } from "node:fs";
import { join } from "node:path";
import type { MigrationLens, RuntimeSchema } from "@jazz-tools/core";
import { UsageError } from "./errors.ts";

export interface AppDefinition {
  schema: RuntimeSchema;
  /** JSON form of permissions.ts's default export; undefined when there is no permissions.ts. */
  permissions?: unknown;
}

type Importer = (path: string) => Promise<Record<string, unknown>>;

/** schema.ts exports the app (`s.defineApp(...)`, default or named `app`) or a runtime schema. */
export async function loadAppDefinition(dir: string, importer: Importer): Promise<AppDefinition> {
  const schemaPath = join(dir, "schema.ts");
  const mod = await importer(schemaPath);
  const schema = findSchema(mod);
  if (!schema) {
    throw new UsageError(`${schemaPath} exports no app: export default s.defineApp(...) (or export const app = ...)`);
  }
  let permissions: unknown;
  const permPath = join(dir, "permissions.ts");
  if (existsSync(permPath)) {
    const p = await importer(permPath);
    let bundle = p.default ?? p.permissions;
    // A module loaded through CommonJS interop nests the real default export once more.
    const inner = (bundle as { default?: unknown; format?: unknown } | undefined);
    if (inner && typeof inner === "object" && inner.format === undefined && inner.default !== undefined) bundle = inner.default;
    if (bundle !== undefined) permissions = JSON.parse(JSON.stringify(bundle));
  }
  return { schema, permissions };
}

function findSchema(mod: Record<string, unknown>): RuntimeSchema | null {
  // CommonJS interop (a project without "type": "module") nests the default export once more.
  const inner = mod.default && typeof mod.default === "object" ? (mod.default as Record<string, unknown>) : {};
  const candidates = [mod.default, mod.app, mod.schema, inner.default, inner.app, ...Object.values(mod), ...Object.values(inner)];
  for (const c of candidates) {
    if (!c || typeof c !== "object") continue;
    const w = (c as { wasmSchema?: unknown }).wasmSchema;
    if (w && typeof w === "object" && "tables" in w) return w as RuntimeSchema;
    if ("tables" in c && typeof (c as RuntimeSchema).tables === "object") return c as RuntimeSchema;
  }
  return null;
}

export async function publishCatalogue(opts: {
  serverUrl: string;
  appId: string;
  adminSecret?: string;
  schema?: RuntimeSchema;
  permissions?: unknown;
  /** Reviewed migrations into `schema` (their JSON lenses), stored with it. */
  migrations?: readonly MigrationLens[];
}): Promise<void> {
  const base = opts.serverUrl.replace(/^ws/, "http").replace(/\/+$/, "");
  const res = await fetch(`${base}/apps/${encodeURIComponent(opts.appId)}/admin/schema`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(opts.adminSecret ? { "X-Jazz-Admin-Secret": opts.adminSecret } : {}) },
    body: JSON.stringify({ schema: opts.schema, permissions: opts.permissions, ...(opts.migrations?.length ? { migrations: opts.migrations } : {}) }),
  }).catch((e) => {
    throw new Error(`cannot reach the server at ${base}: ${(e as Error).message}`);
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { message?: string };
    throw new Error(`server refused the publish (${res.status}): ${body.message ?? res.statusText}`);
  }
}
