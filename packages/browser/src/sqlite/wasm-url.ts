// Where the bundler put the wa-sqlite wasm. Kept apart so Node code never imports a `?url`
// module; apps on other bundlers pass `runtimeSources.wasmUrl` / `wasmModule` instead. The
// built package swaps in wasm-url.dist.ts.
import wasmUrl from "@journeyapps/wa-sqlite/dist/wa-sqlite.wasm?url";

export const defaultWasmUrl: string = wasmUrl;
