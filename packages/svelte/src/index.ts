export { createJazzClient } from "./client.ts";
export { default as JazzSvelteProvider } from "./JazzSvelteProvider.svelte";
export { getDb, getSession, getJazzClient, getJazzContext, JazzContextMissingError, type JazzContext } from "./context.ts";
export { QuerySubscription } from "./query-subscription.svelte.ts";
export { LocalFirstAuth } from "./local-first-auth.svelte.ts";
export { SyncStatus } from "./sync-status.svelte.ts";
export { FileUrl } from "./file-url.svelte.ts";
export { BrowserAuthSecretStore } from "@jazz-tools/auth/browser";
export { generateAuthSecret } from "@jazz-tools/auth";
import type { JazzClient as CoreJazzClient } from "@jazz-tools/core/subscriptions";
import type { Db } from "./types.ts";
/** A live client: `{ db, session, manager, shutdown() }`. */
export type JazzClient = CoreJazzClient<Db>;
export type { Db, DbConfig, RowOf } from "./types.ts";
export { attachDevTools } from "@jazz-tools/browser";
