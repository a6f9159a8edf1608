// Starts `jazz-tools server` as a real child process on 127.0.0.1 with a free port, for e2e
// tests and benchmarks. The server prints its URL once it listens; we wait for that line.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { CLI_PATH } from "../cli/path.ts";

export const CLI = CLI_PATH;

export interface ServerProcess {
  url: string;
  port: number;
  appId: string;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  /** kill -9 */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  appId?: string;
  dataDir?: string;
  /** Reuse a port (restart after a crash); default: a free one. */
  port?: number;
  args?: string[];
  /** Edge mode: the core's URL (needs peerSecret; an admin secret is generated if not given). */
  upstreamUrl?: string;
  /** The server-to-server secret: an edge presents it, a core accepts edges with it. */
  peerSecret?: string;
  adminSecret?: string;
  env?: Record<string, string | undefined>;
  /** Extra node flags (e.g. --cpu-prof) for the server process. */
  nodeArgs?: string[];
}

export function tempDir(prefix = "jazz-server-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startServerProcess(opts: SpawnOptions = {}): Promise<ServerProcess> {
  const appId = opts.appId ?? "test-app";
  const dataDir = opts.dataDir ?? tempDir();
  const secrets: string[] = [];
  if (opts.upstreamUrl) secrets.push("--upstream-url", opts.upstreamUrl);
  if (opts.peerSecret) secrets.push("--peer-secret", opts.peerSecret);
  const adminSecret = opts.adminSecret ?? (opts.upstreamUrl ? `admin-${Math.random().toString(36).slice(2)}` : undefined);
  if (adminSecret) secrets.push("--admin-secret", adminSecret);
  const args = [...(opts.nodeArgs ?? []), CLI, "server", appId, "--host", "127.0.0.1", "--port", String(opts.port ?? 0), "--data-dir", dataDir, ...secrets, ...(opts.args ?? [])];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, NODE_ENV: "development", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start in 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return {
    url,
    port: Number(new URL(url).port),
    appId,
    dataDir,
    child,
    output: () => out,
    async crash() {
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Runs the CLI to completion (for error cases): exit code plus output. */
export function runCliProcess(args: string[], env: Record<string, string | undefined> = {}, cwd?: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => res({ code, stdout, stderr }));
  });
}
