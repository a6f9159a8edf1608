// Where the bundler put the wa-sqlite wasm. Kept apart so Node code never imports a `?url`
// module; apps on other bundlers pass `runtimeSources.wasmUrl` / `wasmModule` instead.
import wasmUrl from "@journeyapps/wa-sqlite/dist/wa-sqlite.wasm?url";

export const defaultWasmUrl: string = wasmUrl;

let compiled: Promise<WebAssembly.Module> | undefined;

/** Fetches and compiles the wasm once per page; both the mirror and the worker instantiate it. */
export function compileWasm(url: string = defaultWasmUrl): Promise<WebAssembly.Module> {
  if (url !== defaultWasmUrl) return WebAssembly.compileStreaming(fetch(url));
  compiled ??= WebAssembly.compileStreaming(fetch(url)).catch((e) => {
    compiled = undefined;
    throw e;
  });
  return compiled;
}
