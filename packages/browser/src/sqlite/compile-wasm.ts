import { defaultWasmUrl } from "./wasm-url.ts";

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
