// Instantiates the wa-sqlite sync build. The browser compiles the wasm once (on the UI thread)
// and hands the compiled WebAssembly.Module to the worker; Node passes the bytes read from disk.

import SQLiteESMFactory from "@journeyapps/wa-sqlite/dist/wa-sqlite.mjs";
import type { WaModule } from "./wa-sqlite.ts";

export type WasmSource = { module: WebAssembly.Module } | { binary: Uint8Array | ArrayBuffer };

export async function loadWaSqlite(source: WasmSource): Promise<WaModule> {
  const options: Record<string, unknown> = {};
  if ("module" in source) {
    const compiled = source.module;
    options.instantiateWasm = (
      imports: WebAssembly.Imports,
      done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ) => {
      void WebAssembly.instantiate(compiled, imports).then((instance) => done(instance, compiled));
      return {};
    };
  } else {
    options.wasmBinary = source.binary;
  }
  const m = (await (SQLiteESMFactory as unknown as (o: object) => Promise<WaModule>)(options)) as WaModule;
  m.retryOps = [];
  m.pendingOps = [];
  return m;
}
