// `jazz-tools <command>`: server, deploy, validate, migrations create. Usage mistakes print one line and exit 2.

import { SERVER_HELP, parseServerArgs } from "./options.ts";
import { DEPLOY_HELP, runDeploy } from "./deploy.ts";
import { MIGRATIONS_HELP, runMigrations } from "./migrations.ts";
import { VALIDATE_HELP, runValidate } from "./validate.ts";
import { join } from "node:path";
import { startSyncServer } from "../http/server.ts";
import { UsageError } from "../errors.ts";

const MAIN_HELP = `Usage: jazz-tools <command> [options]

Commands:
  server <APP_ID>   Run a sync server (see jazz-tools server --help)
  deploy <APP_ID>   Publish schema.ts, its migration and permissions.ts to a server
  validate          Check schema.ts, permissions.ts and migrations/ without publishing
  migrations create <APP_ID>
                    Snapshot schema.ts and write the migration stub from the previous version
`;

/** Returns the exit code, or never resolves while a server runs. */
export async function runCli(argv: string[], env = process.env): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (!command || command === "-h" || command === "--help") {
      process.stdout.write(MAIN_HELP);
      return command ? 0 : 2;
    }
    if (command === "server") {
      const opts = parseServerArgs(rest, env);
      if (opts === "help") {
        process.stdout.write(SERVER_HELP);
        return 0;
      }
      const server = await startSyncServer(opts).catch((e) => {
        if ((e as NodeJS.ErrnoException).code === "EADDRINUSE") {
          throw new Error(`port ${opts.port} is already in use: pick another with --port`);
        }
        throw e;
      });
      for (const appId of opts.moreAppIds ?? []) {
        await server.addApp({ ...opts, appId, dataDir: join(opts.dataDir, "apps", encodeURIComponent(appId)) });
      }
      const storage = opts.inMemory ? "in memory" : `data in ${opts.dataDir}, durability ${opts.durability ?? "normal"}`;
      const role = opts.upstreamUrl ? `, edge of ${opts.upstreamUrl}` : "";
      process.stdout.write(`jazz-tools server for app ${server.appIds.join(", ")} listening on ${server.url} (${storage}${role})\n`);
      const stop = () => {
        server.close().then(() => process.exit(0));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      return await new Promise<number>(() => {});
    }
    if (command === "deploy") {
      if (rest.includes("--help") || rest.includes("-h")) {
        process.stdout.write(DEPLOY_HELP);
        return 0;
      }
      await runDeploy(rest, env);
      return 0;
    }
    if (command === "validate") {
      if (rest.includes("--help") || rest.includes("-h")) {
        process.stdout.write(VALIDATE_HELP);
        return 0;
      }
      await runValidate(rest);
      return 0;
    }
    if (command === "migrations") {
      if (rest.length === 0 || rest.includes("--help") || rest.includes("-h")) {
        process.stdout.write(MIGRATIONS_HELP);
        return rest.length === 0 ? 2 : 0;
      }
      await runMigrations(rest, env);
      return 0;
    }
    throw new UsageError(`unknown command ${JSON.stringify(command)}: expected "server", "deploy", "validate" or "migrations" (see jazz-tools --help)`);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`error: ${(e as Error).message ?? String(e)}\n`);
    return 1;
  }
}
