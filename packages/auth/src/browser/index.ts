// @jazz-tools/auth/browser — localStorage-backed pieces (kept off the isomorphic entry).
export {
  BrowserAuthSecretStore,
  browserAuthSecretStore,
  authSecretStorageKey,
  AuthSecretStoreError,
  AUTH_SECRET_KEY_PREFIX,
  type AuthSecretStorage,
  type BrowserAuthSecretStoreOptions,
} from "./secret-store.ts";
export {
  LocalFirstAuthStore,
  createLocalFirstAuthStore,
  type LocalFirstAuthSnapshot,
  type LocalFirstAuthStoreOptions,
} from "./local-first-auth-store.ts";
