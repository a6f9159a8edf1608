// `jazz-tools deploy <appId>`: publish schema.ts (if the server does not have it), the
// migration that connects the deployed version to it (from migrations/, or fail naming the
// command that creates it), then permissions.ts tied to the new version: the only way to
// change them in production.

import { findLensPath, type MigrationLens } from "@jazz-tools/core";
import { UsageError } from "../errors.ts";
import { publishCatalogue } from "../publish.ts";
import { adminSecretFrom, parseFlags, serverUrlFrom } from "./flags.ts";
import { loadProject, readMigrationFiles, short } from "./project.ts";
import { filesOnPath } from "./validate.ts";

export const DEPLOY_HELP = `Usage: jazz-tools deploy <APP_ID> [options]

Publish the structural schema (schema.ts), the migration from the deployed version to it
(migrations/) and the permissions (permissions.ts) to a server.

Options:
      --server-url <URL>      Server to publish to [env: JAZZ_SERVER_URL] (default: http://127.0.0.1:1625)
      --admin-secret <SECRET> The server's admin secret [env: JAZZ_ADMIN_SECRET] (required)
      --schema-dir <DIR>      Directory holding schema.ts and permissions.ts (default: .)
      --migrations-dir <DIR>  Where migrations live (default: <schema-dir>/migrations)
  -h, --help                  Show this help
`;

async function getJson<T>(url: string, adminSecret: string): Promise<T | null> {
  const res = await fetch(url, { headers: { "X-Jazz-Admin-Secret": adminSecret } }).catch((e) => {
    throw new Error(`cannot reach the server at ${new URL(url).origin}: ${(e as Error).message}`);
  });
  if (res.status === 404) return null;
  const body = (await res.json().catch(() => ({}))) as T & { message?: string };
  if (!res.ok) throw new Error(`server refused the publish (${res.status}): ${body.message ?? res.statusText}`);
  return body;
}

export async function runDeploy(argv: string[], env: Record<string, string | undefined>, out = process.stdout): Promise<void> {
  const { flags, positional } = parseFlags(argv, ["--server-url", "--admin-secret", "--schema-dir", "--migrations-dir"], "deploy");
  const appId = positional[0];
  if (!appId) throw new UsageError("missing <APP_ID>: usage: jazz-tools deploy <APP_ID> [options]");
  const serverUrl = serverUrlFrom(flags, env);
  const adminSecret = adminSecretFrom(flags, env);
  if (!adminSecret) throw new UsageError("deploy needs the admin secret: --admin-secret or JAZZ_ADMIN_SECRET");
  const project = await loadProject(flags);
  const base = `${serverUrl.replace(/^ws/, "http").replace(/\/+$/, "")}/apps/${encodeURIComponent(appId)}`;

  // The version live clients run: the one the deployed permissions belong to, else the head.
  const permHead = await getJson<{ head: { schemaHash: string } | null }>(`${base}/admin/permissions/head`, adminSecret);
  const schemas = await getJson<{ head: string | null }>(`${base}/admin/schemas`, adminSecret);
  const live = permHead?.head?.schemaHash ?? schemas?.head ?? null;
  let migrations: MigrationLens[] = [];
  let via = "";
  if (live && live !== project.hash) {
    const known = await getJson<{ hashes: string[] }>(`${base}/schemas`, adminSecret);
    const onServer = known?.hashes.includes(project.hash)
      ? await getJson<{ connected: boolean }>(`${base}/admin/schema-connectivity?from=${live}&to=${project.hash}`, adminSecret)
      : null;
    if (!onServer?.connected) {
      const files = await readMigrationFiles(project.migrationsDir);
      const path = findLensPath(files.map((f) => f.lens), live, project.hash);
      if (!path) {
        throw new Error(
          `schema.ts (${short(project.hash)}) differs from the deployed schema ${short(live)} and no migration in ${project.migrationsDir} connects them.\n` +
            `Create one with: jazz-tools migrations create ${appId} --fromHash ${short(live)}, review it, then deploy again.`,
        );
      }
      const used = filesOnPath(path, files);
      const draft = used.find((f) => f.lens.draft);
      if (draft) throw new Error(`${draft.file} is a draft: review its TODOs and delete \`draft: true\`, then deploy again`);
      migrations = used.map((f) => f.lens);
      via = `, migration ${used.map((f) => `${short(f.lens.fromHash)} → ${short(f.lens.toHash)}`).join(", ")}`;
    }
  }
  await publishCatalogue({ serverUrl, appId, adminSecret, ...project.app, migrations });
  const tables = Object.keys(project.app.schema.tables).length;
  out.write(
    `deployed schema ${short(project.hash)} (${tables} table(s))${via}${project.app.permissions !== undefined ? " and permissions" : ""} to ${serverUrl} for app ${appId}\n`,
  );
}
