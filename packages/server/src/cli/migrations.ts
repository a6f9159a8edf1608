// `jazz-tools migrations create <APP_ID>`: snapshot the current schema.ts and write the stub of
// a migration from the previous snapshot (or --fromHash, looked up in the snapshots, then on
// the server) to it, for review before `jazz-tools deploy`.

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { renderMigrationStub, type RuntimeSchema } from "@jazz-tools/core";
import { UsageError } from "../errors.ts";
import { adminSecretFrom, parseFlags, serverUrlFrom } from "./flags.ts";
import { loadProject, readSnapshots, short, writeSnapshot } from "./project.ts";

export const MIGRATIONS_HELP = `Usage: jazz-tools migrations create <APP_ID> [options]

Snapshot schema.ts under migrations/snapshots/ and write a migration stub from the previous
schema version to this one. Review the stub (defaults, possible renames), then deploy.

Options:
      --fromHash <HASH>       The older version (default: the latest snapshot)
      --toHash <HASH>         The newer version (default: the current schema.ts)
      --schema-dir <DIR>      Directory holding schema.ts (default: .)
      --migrations-dir <DIR>  Where migrations and snapshots live (default: <schema-dir>/migrations)
      --server-url <URL>      Server to look versions up on [env: JAZZ_SERVER_URL]
      --admin-secret <SECRET> The server's admin secret [env: JAZZ_ADMIN_SECRET]
  -h, --help                  Show this help
`;

const FLAGS = ["--fromHash", "--toHash", "--schema-dir", "--migrations-dir", "--server-url", "--admin-secret"] as const;

export async function runMigrations(argv: string[], env: Record<string, string | undefined>, out = process.stdout): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== "create") throw new UsageError(`unknown migrations command ${JSON.stringify(sub ?? "")}: expected "create" (see jazz-tools migrations --help)`);
  const { flags, positional } = parseFlags(rest, FLAGS, "migrations create");
  const appId = positional[0];
  if (!appId) throw new UsageError("missing <APP_ID>: usage: jazz-tools migrations create <APP_ID> [--fromHash H] [--toHash H]");
  const project = await loadProject(flags);
  const snapshots = readSnapshots(project.migrationsDir);
  const rel = (p: string) => relative(process.cwd(), p) || p;

  const lookup = async (hash: string, what: string): Promise<{ hash: string; schema: RuntimeSchema }> => {
    if (!/^[0-9a-f]{12,64}$/.test(hash)) throw new UsageError(`${what} must be 12 to 64 lowercase hex characters, got ${JSON.stringify(hash)}`);
    if (project.hash.startsWith(hash)) return { hash: project.hash, schema: project.app.schema };
    const local = snapshots.filter((s) => s.hash.startsWith(hash));
    if (local.length === 1) return local[0]!;
    if (local.length > 1) throw new UsageError(`${what} ${hash} matches several snapshots: give more characters`);
    return fetchVersion(serverUrlFrom(flags, env), appId, adminSecretFrom(flags, env), hash, what);
  };

  const to = flags["--toHash"] ? await lookup(flags["--toHash"], "--toHash") : { hash: project.hash, schema: project.app.schema };
  if (to.hash === project.hash) writeSnapshot(project.migrationsDir, project.app.schema);
  let from: { hash: string; schema: RuntimeSchema };
  if (flags["--fromHash"]) from = await lookup(flags["--fromHash"], "--fromHash");
  else {
    const previous = snapshots.filter((s) => s.hash !== to.hash).at(-1);
    if (!previous) {
      out.write(`Wrote the first snapshot of schema ${short(to.hash)} to ${rel(join(project.migrationsDir, "snapshots"))}/. No migration yet: there is no earlier schema to migrate from.\n`);
      return;
    }
    from = previous;
  }
  if (from.hash === to.hash) {
    out.write(`schema ${short(to.hash)} is unchanged since its snapshot: nothing to migrate.\n`);
    return;
  }
  const { source, draft, diff } = renderMigrationStub({ fromHash: from.hash, toHash: to.hash, from: from.schema, to: to.schema });
  mkdirSync(project.migrationsDir, { recursive: true });
  const date = new Date().toISOString().slice(0, 10).replaceAll("-", "");
  const file = join(project.migrationsDir, `${date}-unnamed-${short(from.hash)}-${short(to.hash)}.ts`);
  if (existsSync(file)) throw new Error(`${rel(file)} already exists: review it, or delete it to generate it again`);
  writeFileSync(file, source);
  const changes = diff.altered.length + diff.created.length + diff.dropped.length + diff.renamedTables.length;
  out.write(`Generated ${rel(file)} (${short(from.hash)} → ${short(to.hash)}, ${changes} table change(s)).\n`);
  if (draft) out.write(`It is a DRAFT: the diff is ambiguous (see its TODOs). Resolve them and delete \`draft: true\` before deploying.\n`);
  out.write(`Next: review the defaults, rename the file if you like, then run jazz-tools deploy ${appId}\n`);
}

async function fetchVersion(serverUrl: string, appId: string, adminSecret: string | undefined, hash: string, what: string): Promise<{ hash: string; schema: RuntimeSchema }> {
  if (!adminSecret) throw new UsageError(`${what} ${hash} is neither schema.ts nor a snapshot; to look it up on the server, pass --admin-secret (or JAZZ_ADMIN_SECRET)`);
  const base = serverUrl.replace(/^ws/, "http").replace(/\/+$/, "");
  const res = await fetch(`${base}/apps/${encodeURIComponent(appId)}/schema/${hash}`, { headers: { "X-Jazz-Admin-Secret": adminSecret } }).catch((e) => {
    throw new Error(`${what} ${hash} is not in the snapshots and the server at ${base} cannot be reached: ${(e as Error).message}`);
  });
  const body = (await res.json().catch(() => ({}))) as { hash?: string; schema?: RuntimeSchema; message?: string };
  if (!res.ok || !body.schema || !body.hash) throw new Error(`${what} ${hash}: the server answered ${res.status}: ${body.message ?? res.statusText}`);
  return { hash: body.hash, schema: body.schema };
}
