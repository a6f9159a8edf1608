import { useSyncExternalStore } from "react";
import { BrowserAuthSecretStore, LocalFirstAuthStore } from "@jazz-tools/auth/browser";

export interface UseLocalFirstAuth {
  secret: string | null;
  isLoading: boolean;
  /** Stores `secret`; every mounted user of the same key (and so the provider) switches at once. */
  login(secret: string): Promise<void>;
  /** Replaces the stored secret with a fresh one (a new identity). */
  signOut(): Promise<void>;
}

// One auth store per secret store for the page's lifetime: StrictMode remounts and many
// components share it, and it already hears every save/clear of that key (and other tabs).
const shared = new WeakMap<BrowserAuthSecretStore, LocalFirstAuthStore>();
export function sharedLocalFirstAuthStore(store: BrowserAuthSecretStore = BrowserAuthSecretStore.getDefault()): LocalFirstAuthStore {
  let auth = shared.get(store);
  if (!auth) shared.set(store, (auth = new LocalFirstAuthStore(store)));
  return auth;
}

/** Loads or creates the local-first secret (default: the unscoped key "jazz-auth-secret"). */
export function useLocalFirstAuth(store?: BrowserAuthSecretStore): UseLocalFirstAuth {
  const auth = sharedLocalFirstAuthStore(store);
  const snap = useSyncExternalStore(auth.subscribe, auth.getSnapshot, auth.getSnapshot);
  return {
    secret: snap.secret,
    isLoading: snap.isLoading,
    login: (secret) => auth.login(secret),
    signOut: () => auth.signOut(),
  };
}
