// The stand-in's replay logic; the real server upstream behind it runs in sync.e2e.test.ts.
import { describe, expect, it, vi } from "vitest";
import type { UpstreamContext } from "./upstream.ts";

const calls: unknown[][] = [];
vi.mock("@jazz-tools/core/sync", () => ({
  createServerUpstream: (_ctx: unknown, _ws: unknown) => ({
    onLocalCommitted: (b: unknown) => calls.push(["commit", b]),
    subscribeQuery: (id: string) => calls.push(["sub", id]),
    onQuerySettled: (l: unknown) => {
      calls.push(["listen", l]);
      return () => calls.push(["unlisten", l]);
    },
    close: async () => calls.push(["close"]),
  }),
}));
vi.stubGlobal("WebSocket", class FakeWebSocket {});
const { lazyServerUpstream } = await import("./lazy-upstream.ts");

const ctx = (config: Record<string, unknown>) => ({ config }) as unknown as UpstreamContext;

describe("lazyServerUpstream", () => {
  it("is null without a serverUrl or appId (the worker stays the authority)", () => {
    expect(lazyServerUpstream(ctx({}))).toBeNull();
    expect(lazyServerUpstream(ctx({ serverUrl: "ws://x" }))).toBeNull();
  });

  it("replays calls made before the sync client loaded, in order, and honours an early unsubscribe", async () => {
    calls.length = 0;
    const up = lazyServerUpstream(ctx({ serverUrl: "ws://127.0.0.1:1", appId: "a" }))!;
    const kept = () => {};
    const dropped = () => {};
    up.onLocalCommitted([{ id: 1 }] as never);
    const unlistenKept = up.onQuerySettled!(kept);
    const unlistenDropped = up.onQuerySettled!(dropped);
    up.subscribeQuery!("q1", {} as never, "local");
    unlistenDropped();
    expect(calls).toEqual([]); // nothing reaches the real upstream before it loaded
    await vi.waitFor(() => expect(calls.length).toBe(3));
    expect(calls).toEqual([["commit", [{ id: 1 }]], ["listen", kept], ["sub", "q1"]]);
    up.subscribeQuery!("q2", {} as never, "local"); // loaded: straight through
    unlistenKept();
    await up.close();
    expect(calls.slice(3)).toEqual([["sub", "q2"], ["unlisten", kept], ["close"]]);
  });
});
