// The schema catalogue over HTTP: the versions an app has published, the migrations between
// them and which versions reach the head, as `jazz-tools deploy`/`migrations create` and the
// reference's apps read them. Publishing a schema (with the migrations into it) is in app-host.

import { MigrationError, findLensPath, parseMigrationLens, schemaHash, type MigrationLens, type RuntimeSchema } from "@jazz-tools/core";
import type { ServerResponse } from "node:http";
import { SchemaPublishError } from "../errors.ts";
import { json } from "./respond.ts";
import type { SyncService } from "../sync/service.ts";


/** The head version: the last one published, or (a data dir from before versions) the layout's. */
export function headHash(service: SyncService): string | null {
  const head = service.engine.versions.head();
  if (head) return head;
  const schema = service.engine.schema;
  return Object.keys(schema.tables).length ? schemaHash(schema) : null;
}

/** A full hash, or the one known hash a 12+ character prefix names. */
export function resolveHash(service: SyncService, hash: unknown, what: string, extra: string[] = []): string {
  if (typeof hash !== "string" || !/^[0-9a-f]{12,64}$/.test(hash)) {
    throw new SchemaPublishError(400, `${what} must be a schema hash (12 to 64 lowercase hex characters)`);
  }
  const known = [...new Set([...service.engine.versions.hashes(), ...extra])];
  const matches = known.filter((h) => h.startsWith(hash));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw new SchemaPublishError(400, `${what} ${hash} is ambiguous: ${matches.map((m) => m.slice(0, 16)).join(", ")}; give more characters`);
  throw new SchemaPublishError(404, `no published schema has hash ${hash} (${what}); known: ${known.map((h) => h.slice(0, 12)).join(", ") || "none"}`);
}

/** Checks migrations from a request and resolves their hashes against the known versions. */
export function parseMigrations(service: SyncService, value: unknown, incoming?: RuntimeSchema): MigrationLens[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new SchemaPublishError(400, "migrations must be an array of migration lenses");
  const extra = incoming ? [schemaHash(incoming)] : [];
  return value.map((v, i) => {
    let lens: MigrationLens;
    try {
      lens = parseMigrationLens(v, `migrations[${i}]`);
    } catch (e) {
      if (e instanceof MigrationError) throw new SchemaPublishError(400, e.message);
      throw e;
    }
    if (lens.draft) {
      throw new SchemaPublishError(400, `migration ${lens.fromHash} → ${lens.toHash} is a draft: review its TODOs and remove \`draft: true\` before deploying`);
    }
    if (lens.tables.some((t) => t.renamedFrom)) {
      throw new SchemaPublishError(400, `migration ${lens.fromHash} → ${lens.toHash} renames a table, which this server cannot translate yet; keep the table name`);
    }
    return { ...lens, fromHash: resolveHash(service, lens.fromHash, `migrations[${i}].fromHash`, extra), toHash: resolveHash(service, lens.toHash, `migrations[${i}].toHash`, extra) };
  });
}

/** GET routes of the catalogue; returns false when `rest` is not one of them. */
export function catalogueRoute(service: SyncService, rest: string, query: URLSearchParams, admin: boolean, res: ServerResponse): boolean {
  const versions = service.engine.versions;
  if (rest === "schemas") {
    const hashes = versions.hashes();
    const head = headHash(service);
    json(res, 200, { hashes: hashes.length ? hashes : head ? [head] : [] });
    return true;
  }
  const needAdmin = () => {
    if (!admin) throw new SchemaPublishError(401, `reading /${rest} needs the admin secret (X-Jazz-Admin-Secret)`);
  };
  if (rest.startsWith("schema/")) {
    needAdmin();
    const hash = resolveHash(service, rest.slice("schema/".length), "the schema hash");
    json(res, 200, { hash, schema: versions.get(hash) });
    return true;
  }
  if (rest === "admin/schemas") {
    needAdmin();
    json(res, 200, { head: headHash(service), schemas: versions.hashes().map((hash) => ({ hash, schema: versions.get(hash) })) });
    return true;
  }
  if (rest === "admin/migrations") {
    needAdmin();
    json(res, 200, { migrations: versions.migrations() });
    return true;
  }
  if (rest === "admin/schema-connectivity") {
    needAdmin();
    const lenses = versions.migrations();
    const head = headHash(service);
    const from = query.get("from") ?? query.get("fromHash");
    const to = query.get("to") ?? query.get("toHash");
    if (from) {
      const a = resolveHash(service, from, "from");
      const b = to ? resolveHash(service, to, "to") : head;
      const path = b ? findLensPath(lenses, a, b) : null;
      json(res, 200, { fromHash: a, toHash: b, connected: !!path, path: path?.map((s) => ({ fromHash: s.lens.fromHash, toHash: s.lens.toHash, forward: s.forward })) ?? null });
      return true;
    }
    json(res, 200, {
      head,
      schemas: versions.hashes().map((hash) => ({ hash, reachable: !!head && !!findLensPath(lenses, hash, head) })),
    });
    return true;
  }
  return false;
}
