// `jazzPlugin()` for Vite (docs: Client Setup → Dev plugins). In `vite dev` it starts a local
// Jazz server (a `jazz-tools server` child process on a random port, data under
// node_modules/.cache/jazz-dev-server), keeps an app id in .env, injects VITE_JAZZ_APP_ID and
// VITE_JAZZ_SERVER_URL, and publishes schema.ts / permissions.ts on startup and on every change
// (loaded through Vite's module runner, published as `jazz-tools deploy` publishes them).

import { JazzError } from "@jazz-tools/core";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Plugin, UserConfig } from "vite";
import { CLI_PATH } from "@jazz-tools/server/cli-path";
import { loadAppDefinition, publishCatalogue } from "@jazz-tools/server/publish";

export interface JazzEmbeddedServerOptions {
  port?: number;
  appId?: string;
  adminSecret?: string;
  dataDir?: string;
  inMemory?: boolean;
  allowLocalFirstAuth?: boolean;
  jwksUrl?: string;
}

export interface JazzPluginOptions {
  /** true (default): embedded server; false: plugin off; a URL: an existing server; an object: embedded with options. */
  server?: boolean | string | JazzEmbeddedServerOptions;
  /** Directory holding schema.ts and permissions.ts (default: the project root). */
  schemaDir?: string;
  appId?: string;
  adminSecret?: string;
}

export class JazzPluginError extends JazzError {
  readonly code: string = "jazz_plugin";
  override name = "JazzPluginError";
}

const CLI = CLI_PATH;
const ENV_APP_ID = "VITE_JAZZ_APP_ID";
const ENV_SERVER_URL = "VITE_JAZZ_SERVER_URL";

/**
 * Our worker is an ES module that loads its sync client on demand: build workers as ES modules
 * unless the app chose a format (Vite's default, iife, inlines every lazy chunk into the worker,
 * which doubles what a local-only page fetches).
 */
function workerDefaults(config: UserConfig): UserConfig {
  return config.worker?.format ? {} : { worker: { format: "es" } };
}

export function jazzPlugin(options: JazzPluginOptions = {}): Plugin {
  if (options.server === false) return { name: "jazz", config: workerDefaults };
  let child: ChildProcess | null = null;
  let serverUrl = "";
  let appId = "";
  let adminSecret: string | undefined;
  let schemaDir = "";
  let publishing: Promise<void> = Promise.resolve();
  let log: (msg: string) => void = (m) => console.log(m);

  const publish = (reason: string) => {
    publishing = publishing.then(async () => {
      if (!existsSync(join(schemaDir, "schema.ts"))) return;
      try {
        // Vite's own module runner loads the app's TypeScript (no tsx needed in a browser app),
        // fresh on every publish.
        const { runnerImport } = await import("vite");
        const def = await loadAppDefinition(schemaDir, async (p) => (await runnerImport<Record<string, unknown>>(p)).module);
        await publishCatalogue({ serverUrl, appId, adminSecret, ...def });
        log(`[jazz] published schema${def.permissions !== undefined ? " and permissions" : ""} (${reason})`);
      } catch (e) {
        log(`[jazz] publishing ${reason} failed: ${(e as Error).message}`);
      }
    });
    return publishing;
  };

  const stop = () => {
    if (child && child.exitCode === null) child.kill("SIGTERM");
    child = null;
  };

  return {
    name: "jazz",
    async config(config, env) {
      // The sync server, the app id and the catalogue are for `vite dev`; a build only needs
      // the worker format.
      if (env.command !== "serve") return workerDefaults(config);
      const root = resolve(config.root ?? process.cwd());
      schemaDir = resolve(root, options.schemaDir ?? ".");
      const embedded = typeof options.server === "object" ? options.server : {};
      appId = options.appId ?? embedded.appId ?? (process.env[ENV_APP_ID] || undefined) ?? readEnvFile(root)[ENV_APP_ID] ?? persistAppId(root, randomUUID());
      if (typeof options.server === "string") {
        if (!options.adminSecret) throw new JazzPluginError("jazzPlugin: adminSecret is required when server is a URL");
        serverUrl = options.server.replace(/\/+$/, "");
        adminSecret = options.adminSecret;
      } else {
        adminSecret = embedded.adminSecret ?? options.adminSecret ?? randomBytes(24).toString("base64url");
        const dataDir = embedded.dataDir ?? join(root, "node_modules", ".cache", "jazz-dev-server");
        mkdirSync(dataDir, { recursive: true });
        const started = await startServer(appId, {
          ...embedded,
          dataDir,
          adminSecret,
        });
        child = started.child;
        serverUrl = started.url;
        process.once("exit", stop);
      }
      process.env[ENV_APP_ID] = appId;
      process.env[ENV_SERVER_URL] = serverUrl;
      return workerDefaults(config);
    },
    configResolved(config) {
      log = (m) => config.logger.info(m);
      if (config.command === "serve") log(`[jazz] app ${appId}, server ${serverUrl}`);
    },
    async configureServer(server) {
      server.httpServer?.once("close", stop);
      const files = [join(schemaDir, "schema.ts"), join(schemaDir, "permissions.ts")];
      server.watcher.add(files);
      let timer: ReturnType<typeof setTimeout> | null = null;
      const onChange = (file: string) => {
        if (!files.includes(resolve(file))) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => void publish(`${file.split(/[\\/]/).pop()} changed`), 100);
      };
      server.watcher.on("change", onChange);
      server.watcher.on("add", onChange);
      await publish("startup");
    },
    async buildEnd() {
      stop();
    },
  };
}

/** The plugin's last publish (tests await it). */
export type { Plugin };

function readEnvFile(root: string): Record<string, string> {
  const file = join(root, ".env");
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, "$2");
  }
  return out;
}

function persistAppId(root: string, id: string): string {
  const file = join(root, ".env");
  const before = existsSync(file) ? readFileSync(file, "utf8") : "";
  const sep = before.length === 0 || before.endsWith("\n") ? "" : "\n";
  writeFileSync(file, `${before}${sep}${ENV_APP_ID}=${id}\n`);
  return id;
}

async function startServer(appId: string, o: JazzEmbeddedServerOptions & { dataDir: string; adminSecret: string }) {
  const args = [CLI, "server", appId, "--host", "127.0.0.1", "--port", String(o.port ?? 0)];
  if (o.inMemory) args.push("--in-memory");
  else args.push("--data-dir", o.dataDir);
  if (o.jwksUrl) args.push("--jwks-url", o.jwksUrl);
  const env: Record<string, string | undefined> = { ...process.env, NODE_ENV: "development", JAZZ_ADMIN_SECRET: o.adminSecret };
  if (o.allowLocalFirstAuth !== undefined) env.JAZZ_ALLOW_LOCAL_FIRST_AUTH = String(o.allowLocalFirstAuth);
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const url = await new Promise<string>((res, rej) => {
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) res(m[1]!);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (d) => (out += d));
    child.once("exit", (code) => rej(new JazzPluginError(`jazz dev server exited (${code}): ${out.trim()}`)));
  });
  return { child, url };
}
