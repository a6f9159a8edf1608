// What both entries of `jazz-tools` export besides `createDb` (index.ts on Node,
// index.browser.ts in browsers): the core API and the auth API.

export * from "@jazz-tools/core";
// These two names override the namespaces of the same names in the line above (see schema.ts).
export * as schema from "jazz-tools/schema";
export * as s from "jazz-tools/schema";
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
