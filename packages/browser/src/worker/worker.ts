// Worker entry: wiring only. The logic lives in host.ts and the modules it imports.
import { expose } from "comlink";
import { createEngine } from "./engine.ts";
import { WorkerHost } from "./host.ts";
import { lazyServerUpstream } from "./lazy-upstream.ts";
import { setUpstreamFactory } from "./upstream.ts";

// The sync server as upstream (only when the Db config has a serverUrl; loaded on first use).
setUpstreamFactory(lazyServerUpstream);

const host = new WorkerHost(createEngine);
expose(host);
// Release OPFS handles promptly when the tab goes away (a closing tab's worker is killed).
self.addEventListener("message", (e: MessageEvent) => {
  if ((e.data as { type?: string })?.type === "jazz-pagehide") void host.shutdown();
});
