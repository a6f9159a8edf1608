import { BrowserAuthSecretStore, LocalFirstAuthStore } from "@jazz-tools/auth/browser";

/** Local-first secret state for Svelte 5: `login` updates every user of the same key at once. */
export class LocalFirstAuth {
  secret = $state<string | null>(null);
  isLoading = $state(true);
  readonly #auth: LocalFirstAuthStore;

  constructor(store: BrowserAuthSecretStore = BrowserAuthSecretStore.getDefault()) {
    this.#auth = new LocalFirstAuthStore(store);
    const apply = () => {
      this.secret = this.#auth.secret;
      this.isLoading = this.#auth.isLoading;
    };
    this.#auth.subscribe(apply);
    apply();
  }

  login = (secret: string): Promise<void> => this.#auth.login(secret);
  signOut = (): Promise<void> => this.#auth.signOut();
  /** Stop listening for secret changes. */
  destroy(): void {
    this.#auth.destroy();
  }
}
