// @jazz-tools/browser: the browser runtime behind `createDb` in `jazz-tools` (browser entry).
export {
  createDb,
  BrowserStorageError,
  StorageResetUnavailableError,
  type BrowserDb,
  type BrowserDbConfig,
  type BrowserLifecycle,
  type BrowserStorageInfo,
} from "./runtime/create-db.ts";
export { resolveStorageNamespace } from "./runtime/namespace.ts";
export { registerWindowClient, WindowStorageError, type JazzWindowApi, type WindowStorageClient } from "./runtime/window-client.ts";
export { WaSqliteDriver, SqliteError } from "./sqlite/wa-sqlite.ts";
export { OpfsUnavailableError } from "./storage/opfs-dirs.ts";
export { attachDevTools } from "./devtools/attach.ts";
