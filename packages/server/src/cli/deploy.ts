// `jazz-tools deploy <appId>`: load schema.ts and permissions.ts from the schema dir and publish
// both to the server with the admin secret (the only way to change them in production).

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { importTypeScript } from "../ts-import.ts";
import { UsageError } from "../errors.ts";
import { loadAppDefinition, publishCatalogue } from "../publish.ts";

export const DEPLOY_HELP = `Usage: jazz-tools deploy <APP_ID> [options]

Publish the structural schema (schema.ts) and the permissions (permissions.ts) to a server.

Options:
      --server-url <URL>      Server to publish to [env: JAZZ_SERVER_URL] (default: http://127.0.0.1:1625)
      --admin-secret <SECRET> The server's admin secret [env: JAZZ_ADMIN_SECRET] (required)
      --schema-dir <DIR>      Directory holding schema.ts and permissions.ts (default: .)
  -h, --help                  Show this help
`;

export async function runDeploy(argv: string[], env: Record<string, string | undefined>): Promise<void> {
  const flags: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const m = /^(--server-url|--admin-secret|--schema-dir)(?:=(.*))?$/.exec(a);
    if (m) {
      const v = m[2] ?? argv[++i];
      if (v === undefined) throw new UsageError(`${m[1]} needs a value`);
      flags[m[1]!] = v;
    } else if (a.startsWith("-")) throw new UsageError(`unknown option ${a} (see jazz-tools deploy --help)`);
    else positional.push(a);
  }
  const appId = positional[0];
  if (!appId) throw new UsageError("missing <APP_ID>: usage: jazz-tools deploy <APP_ID> [options]");
  const serverUrl = flags["--server-url"] ?? env.JAZZ_SERVER_URL ?? "http://127.0.0.1:1625";
  const adminSecret = flags["--admin-secret"] ?? env.JAZZ_ADMIN_SECRET;
  if (!adminSecret) throw new UsageError("deploy needs the admin secret: --admin-secret or JAZZ_ADMIN_SECRET");
  const dir = resolve(flags["--schema-dir"] ?? ".");
  if (!existsSync(resolve(dir, "schema.ts"))) throw new UsageError(`no schema.ts in ${dir} (use --schema-dir)`);
  const def = await loadAppDefinition(dir, importTypeScript);
  await publishCatalogue({ serverUrl, appId, adminSecret, ...def });
  const tables = Object.keys(def.schema.tables).length;
  process.stdout.write(`deployed ${tables} table(s)${def.permissions !== undefined ? " and permissions" : ""} to ${serverUrl} for app ${appId}\n`);
}
