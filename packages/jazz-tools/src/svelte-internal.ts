// What the Svelte binding (shipped as Svelte sources, see scripts/build-svelte.mjs) takes from
// the bundled internals: one module inside the package so the binding and `jazz-tools` share one
// copy of the runtime. Not a public entry point.
export { BrowserAuthSecretStore, LocalFirstAuthStore } from "@jazz-tools/auth/browser";
export { generateAuthSecret, type Session } from "@jazz-tools/auth";
export {
  createJazzClientFromDb,
  applyDelta,
  cloneValue,
  reconcileArray,
  type JazzClient,
  type LiveQueryOptions,
  type QueryObserver,
  type SubscriptionDelta,
} from "@jazz-tools/core/subscriptions";
export type { DbConfig, RowOf, QueryLike, SyncStatus, FileReadOptions } from "@jazz-tools/core";
export { createDb, registerWindowClient, attachDevTools, type BrowserDb } from "@jazz-tools/browser";
export { JazzError } from "@jazz-tools/core";
