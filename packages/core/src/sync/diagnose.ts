// Why a WebSocket to the sync server never opened. Browsers hide the HTTP answer to a failed
// upgrade (a wrong app id is a 404 with a hint in its body), so ask the server's /health, which
// names the apps it serves (CORS-open), and turn the answer into words that name the fix.

/** A reason for the sync status, or null when nothing better than "offline" can be said. */
export async function diagnoseConnectFailure(wsUrl: string, appId: string): Promise<string | null> {
  const fetchFn = (globalThis as { fetch?: typeof fetch }).fetch;
  if (typeof fetchFn !== "function") return null;
  let origin: string;
  try {
    const u = new URL(wsUrl);
    u.protocol = u.protocol === "wss:" ? "https:" : "http:";
    origin = u.origin;
  } catch {
    return null;
  }
  let body: unknown;
  try {
    const res = await fetchFn(`${origin}/health`, { signal: AbortSignal.timeout?.(5_000) });
    if (!res.ok) return `the sync server at ${origin} answered /health with HTTP ${res.status}`;
    body = await res.json();
  } catch {
    return `cannot reach the sync server at ${origin} (is it running, and is the URL right?)`;
  }
  const served = servedApps(body);
  if (served.length > 0 && !served.includes(appId)) {
    return `the sync server at ${origin} serves app ${served.map((a) => JSON.stringify(a)).join(", ")}, not ${JSON.stringify(appId)}: check the appId (VITE_JAZZ_APP_ID) or start the server for this app`;
  }
  return null;
}

function servedApps(body: unknown): string[] {
  if (!body || typeof body !== "object") return [];
  const b = body as { appId?: unknown; apps?: unknown };
  const out = typeof b.appId === "string" ? [b.appId] : [];
  if (Array.isArray(b.apps)) for (const a of b.apps) if (a && typeof (a as { appId?: unknown }).appId === "string") out.push((a as { appId: string }).appId);
  return [...new Set(out)];
}
