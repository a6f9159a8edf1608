// `jazz-tools` in browsers (the "browser" export condition): the same API as the Node entry
// (index.ts), but createDb builds the browser runtime: an in-memory SQLite mirror on the UI
// thread backed by a worker that owns the OPFS database (@jazz-tools/browser).
// index.browser.test-d.ts checks that both entries export the same names.

export * from "@jazz-tools/core";
export {
  generateAuthSecret,
  validateAuthSecret,
  isValidAuthSecret,
  AuthSecretError,
  deriveLocalFirstIdentity,
  mintLocalFirstToken,
  mintAnonymousToken,
  verifyLocalFirstIdentityProof,
  sessionFromJwt,
  decodeJwtPayload,
  authStateFromJwt,
  normalizeAudience,
  AuthPrincipalChangeError,
  type Session,
  type AuthState,
  type AuthMode,
  type LocalFirstIdentity,
  type IdentityProofResult,
} from "@jazz-tools/auth";
// The docs import the secret store from "jazz-tools" itself; it takes a pluggable storage, so it
// is safe to load on Node too (localStorage is only touched when no storage is given).
export {
  BrowserAuthSecretStore,
  browserAuthSecretStore,
  AuthSecretStoreError,
  LocalFirstAuthStore,
  createLocalFirstAuthStore,
  type AuthSecretStorage,
  type BrowserAuthSecretStoreOptions,
  type LocalFirstAuthSnapshot,
  type LocalFirstAuthStoreOptions,
} from "@jazz-tools/auth/browser";
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
} from "@jazz-tools/browser";
