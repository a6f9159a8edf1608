export { createJazzClient } from "./client.ts";
export { JazzProvider, JazzClientProvider, JazzProviderConfigError, type JazzProviderProps } from "./provider.tsx";
export { useJazzClient, JazzProviderMissingError } from "./context.ts";
export { useDb, useSession, useAuthState, useSyncStatus, useAll, useAllSuspense, type AuthStateView } from "./hooks.ts";
export { useFileUrl } from "./file-url.ts";
export { useLocalFirstAuth, type UseLocalFirstAuth } from "./local-first-auth.ts";
import type { JazzClient as CoreJazzClient } from "@jazz-tools/core/subscriptions";
import type { Db } from "./types.ts";
/** A live client: `{ db, session, manager, shutdown() }`. */
export type JazzClient = CoreJazzClient<Db>;
export type { Db, DbConfig, RowOf } from "./types.ts";
export { attachDevTools } from "@jazz-tools/browser";
