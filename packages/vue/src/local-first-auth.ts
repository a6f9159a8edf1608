import { onScopeDispose, shallowRef, type Ref } from "vue";
import { BrowserAuthSecretStore, LocalFirstAuthStore } from "@jazz-tools/auth/browser";

export interface UseLocalFirstAuth {
  secret: Readonly<Ref<string | null>>;
  isLoading: Readonly<Ref<boolean>>;
  login(secret: string): Promise<void>;
  signOut(): Promise<void>;
}

/** Loads or creates the local-first secret; `login` updates every user of the same key. */
export function useLocalFirstAuth(store: BrowserAuthSecretStore = BrowserAuthSecretStore.getDefault()): UseLocalFirstAuth {
  const secret = shallowRef<string | null>(null);
  const isLoading = shallowRef(true);
  if (typeof window === "undefined") {
    // SSR: no storage to read; stay loading.
    return { secret, isLoading, login: async () => {}, signOut: async () => {} };
  }
  const auth = new LocalFirstAuthStore(store);
  const apply = () => {
    secret.value = auth.secret;
    isLoading.value = auth.isLoading;
  };
  auth.subscribe(apply);
  apply();
  onScopeDispose(() => auth.destroy());
  return { secret, isLoading, login: (s) => auth.login(s), signOut: () => auth.signOut() };
}
