// The sync URL rules (kept out of ./protocol.ts so createDb can check a serverUrl without
// loading the protocol: the sync client is loaded lazily).

import { JazzError } from "../errors/base.ts";

export class ProtocolError extends JazzError {
  readonly code: string = "protocol";
  override name = "ProtocolError";
}

/** "127.0.0.1:1625" or "localhost:1625" lack a scheme: suggest the URL the user meant. */
function schemeHint(serverUrl: string): string {
  return typeof serverUrl === "string" && /^[\w.-]+(:\d+)?(\/.*)?$/.test(serverUrl) && !serverUrl.includes("://")
    ? `; add the scheme: "http://${serverUrl}" (or https:// behind TLS)`
    : "";
}

/**
 * `http(s)://host[/...]` and `ws(s)://host[/...]` both become `ws(s)://host/apps/<appId>/ws`.
 * A URL that already ends in `/apps/<appId>/ws` is kept.
 */
export function normaliseSyncUrl(serverUrl: string, appId: string): string {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    throw new ProtocolError(`serverUrl ${JSON.stringify(serverUrl)} is not a valid URL${schemeHint(serverUrl)}`);
  }
  if (url.protocol === "http:") url.protocol = "ws:";
  else if (url.protocol === "https:") url.protocol = "wss:";
  else if (url.protocol !== "ws:" && url.protocol !== "wss:") {
    throw new ProtocolError(`serverUrl must use http(s):// or ws(s)://, got ${url.protocol}${schemeHint(serverUrl)}`);
  }
  const suffix = `/apps/${encodeURIComponent(appId)}/ws`;
  const base = url.pathname.replace(/\/+$/, "");
  if (!base.endsWith(suffix)) url.pathname = base + suffix;
  url.hash = "";
  return url.toString();
}

/** The default data branch: `env` "dev", `userBranch` "main" (as the reference's DbConfig). */
export const DEFAULT_ENV = "dev";
export const DEFAULT_USER_BRANCH = "main";
const BRANCH_PART = /^[A-Za-z0-9_.-]{1,64}$/;

/** Checks env / userBranch; returns the branch as "<env>/<userBranch>", or null for the default. */
export function dataBranch(env: unknown, userBranch: unknown): string | null {
  const e = env ?? DEFAULT_ENV;
  const b = userBranch ?? DEFAULT_USER_BRANCH;
  for (const [name, v] of [["env", e], ["userBranch", b]] as const) {
    if (typeof v !== "string" || !BRANCH_PART.test(v)) {
      throw new ProtocolError(`${name} must be 1-64 letters, digits, "_", "-" or ".", got ${JSON.stringify(v)}`);
    }
  }
  return e === DEFAULT_ENV && b === DEFAULT_USER_BRANCH ? null : `${e}/${b}`;
}

/** The sync URL for a data branch: `?branch=<env>/<userBranch>` (none for the default branch). */
export function branchSyncUrl(url: string, branch: string | null): string {
  if (!branch) return url;
  const u = new URL(url);
  u.searchParams.set("branch", branch);
  return u.toString();
}
