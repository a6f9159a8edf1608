// `jazz-tools` in browsers (the "browser" export condition): the same API as the Node entry
// (index.ts), but createDb builds the browser runtime: an in-memory SQLite mirror on the UI
// thread backed by a worker that owns the OPFS database (@jazz-tools/browser).
// index.browser.test-d.ts checks that both entries export the same names.

export * from "./common-exports.ts";
export {
  createDb,
  registerWindowClient,
  resolveStorageNamespace,
  BrowserStorageError,
  StorageResetUnavailableError,
  WindowStorageError,
  type BrowserDb,
  type BrowserDbConfig,
  type BrowserLifecycle,
  type BrowserStorageInfo,
  type JazzWindowApi,
} from "@jazz-tools/browser";
