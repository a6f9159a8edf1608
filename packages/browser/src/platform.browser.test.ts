import { expect, it } from "vitest";

// Guards the test rig itself: the browser project must run in a real Chromium with OPFS,
// Web Locks and BroadcastChannel, which the runtime depends on.
it("runs in real Chromium with OPFS, Web Locks and BroadcastChannel", async () => {
  expect(navigator.userAgent).toContain("Chrome");
  const root = await navigator.storage.getDirectory();
  expect(root.kind).toBe("directory");
  expect(typeof navigator.locks.request).toBe("function");
  expect(typeof BroadcastChannel).toBe("function");
});
