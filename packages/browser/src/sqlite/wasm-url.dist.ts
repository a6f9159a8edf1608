// The built package ships wa-sqlite's wasm as dist/wa-sqlite.wasm, beside every chunk; bundlers
// that understand `new URL(..., import.meta.url)` (Vite, webpack 5, rolldown) copy it.
export const defaultWasmUrl: string = new URL("./wa-sqlite.wasm", import.meta.url).href;
