// @jazz-tools/server — the sync server, its CLI and the publish helpers.
export { startSyncServer, type RunningServer } from "./http/server.ts";
export { parseServerArgs, SERVER_HELP, DEFAULT_PORT, DEFAULT_DATA_DIR, type ServerOptions } from "./cli/options.ts";
export { runCli } from "./cli/main.ts";
export { loadAppDefinition, publishCatalogue, type AppDefinition } from "./publish.ts";
export { Authenticator, SYSTEM_USER_ID, ADMIN_USER_ID, type ResolvedAuth, type AuthConfig } from "./auth/resolve.ts";
export { UsageError, DataDirError, AuthError, SchemaPublishError } from "./errors.ts";
export { CONFLICT_REASON } from "./sync/engine.ts";
