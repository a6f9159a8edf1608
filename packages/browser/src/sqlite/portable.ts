// The wa-sqlite driver without any browser API, for Node when the native better-sqlite3 is not
// installed (in-memory databases: the Vite dev server, tests). Loaded from the wasm bytes.
export { loadWaSqlite, loadWaSqliteSync, type WasmSource } from "./load.ts";
export { WaSqliteDriver, type WaModule } from "./wa-sqlite.ts";
export { registerJsVfs, type JsVfs } from "./vfs-bridge.ts";
