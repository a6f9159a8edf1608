// For bench/browser: a raw wa-sqlite worker (its own JS API, same VFS) as the baseline. It lives
// here because bench/ is not a package and cannot resolve wa-sqlite or comlink itself.
import { wrap, type Remote } from "comlink";
import type { RawApi } from "./raw-baseline-worker.ts";

export function startRawBaseline(): Remote<RawApi> {
  return wrap<RawApi>(new Worker(new URL("./raw-baseline-worker.ts", import.meta.url), { type: "module" }));
}
