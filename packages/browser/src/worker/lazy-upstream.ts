// The server upstream, loaded on first use: the sync client (ServerLink, protocol, token minting
// with noble's Ed25519) is about half of the worker's JS, and the worker of a local-only app (no
// serverUrl) never runs it. Calls made before the chunk arrives are replayed in order.
import type { Upstream, UpstreamContext } from "./upstream.ts";

type Method = (...args: unknown[]) => unknown;

/** null without a serverUrl, like the server upstream itself; otherwise a stand-in that loads it. */
export function lazyServerUpstream(ctx: UpstreamContext): Upstream | null {
  const { serverUrl, appId } = ctx.config;
  if (typeof serverUrl !== "string" || !serverUrl || typeof appId !== "string") return null;
  let real: Record<string, Method | undefined> | null = null;
  const queue: (() => void)[] = [];
  const loaded = import("@jazz-tools/core/sync").then(
    ({ createServerUpstream }) => {
      real = createServerUpstream(ctx, globalThis.WebSocket as never) as unknown as Record<string, Method | undefined>;
      for (const replay of queue.splice(0)) replay();
    },
    (e) => console.error("jazz: could not load the sync client; this worker stays local-only", e),
  );
  const call = (name: string, args: unknown[]) => real?.[name]?.apply(real, args);
  return new Proxy({} as Upstream, {
    get(_, name) {
      if (typeof name !== "string" || name === "then") return undefined;
      if (name === "close") return () => loaded.then(() => call("close", []));
      return (...args: unknown[]) => {
        if (real) return call(name, args);
        // Listener registrations ("onX" but the onLocalCommitted notification) return an
        // unsubscribe; hand out one that also works before the real registration exists.
        const listener = name.startsWith("on") && name !== "onLocalCommitted";
        let unsubscribe: (() => void) | undefined;
        let cancelled = false;
        queue.push(() => {
          if (cancelled) return;
          const r = call(name, args);
          if (listener) unsubscribe = r as () => void;
        });
        if (!listener) return undefined;
        return () => {
          cancelled = true;
          unsubscribe?.();
        };
      };
    },
  });
}
