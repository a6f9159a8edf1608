import { generateAuthSecret, isValidAuthSecret, validateAuthSecret } from "../secret/secret.ts";
import {
  BrowserAuthSecretStore,
  onStoredSecretChange,
  type BrowserAuthSecretStoreOptions,
} from "./secret-store.ts";

export interface LocalFirstAuthSnapshot {
  /** The current secret; null while loading, after a failed load, or when signed out without autoCreate. */
  secret: string | null;
  isLoading: boolean;
  /** Why loading failed (e.g. a corrupt stored secret), else null. */
  error: Error | null;
}

export interface LocalFirstAuthStoreOptions extends BrowserAuthSecretStoreOptions {
  /**
   * Create a secret when none is stored, and a fresh one on signOut (a new visitor), so an app
   * gated on `secret` keeps running. Default true. With false, `secret` stays null until login.
   */
  autoCreate?: boolean;
}

/**
 * Framework-free local-first auth state that the React, Vue and Svelte bindings wrap
 * (`useSyncExternalStore`, refs, runes). Every live store on the same storage key is notified of
 * `login`/`signOut` — and of `BrowserAuthSecretStore.saveSecret/clearSecret` — in this page, and
 * of changes made in other tabs through the browser's `storage` event.
 */
export class LocalFirstAuthStore {
  readonly secretStore: BrowserAuthSecretStore;
  readonly autoCreate: boolean;
  #snapshot: LocalFirstAuthSnapshot = { secret: null, isLoading: true, error: null };
  #listeners = new Set<(snapshot: LocalFirstAuthSnapshot) => void>();
  #cleanups: Array<() => void> = [];
  #changes = 0;
  #ready: Promise<void>;

  constructor(storeOrOptions: BrowserAuthSecretStore | LocalFirstAuthStoreOptions = {}) {
    if (storeOrOptions instanceof BrowserAuthSecretStore) {
      this.secretStore = storeOrOptions;
      this.autoCreate = true;
    } else {
      this.secretStore = new BrowserAuthSecretStore(storeOrOptions);
      this.autoCreate = storeOrOptions.autoCreate ?? true;
    }
    const { key, storageId } = this.secretStore;
    this.#cleanups.push(onStoredSecretChange(storageId, key, (secret) => this.#apply(secret)));
    this.#listenAcrossTabs();
    this.#ready = this.#load();
  }

  get secret(): string | null {
    return this.#snapshot.secret;
  }

  get isLoading(): boolean {
    return this.#snapshot.isLoading;
  }

  get error(): Error | null {
    return this.#snapshot.error;
  }

  /** Immutable; a new object after every change (what useSyncExternalStore wants). */
  getSnapshot = (): LocalFirstAuthSnapshot => this.#snapshot;

  /** Resolves once the initial load has finished. */
  ready(): Promise<void> {
    return this.#ready;
  }

  subscribe = (listener: (snapshot: LocalFirstAuthSnapshot) => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Switch to (or restore) the account of `secret`: validated, stored, every instance notified. */
  async login(secret: string): Promise<void> {
    validateAuthSecret(secret);
    await this.secretStore.saveSecret(secret);
  }

  /** Forget the stored secret. With autoCreate a fresh account replaces it in one step. */
  async signOut(): Promise<void> {
    if (this.autoCreate) await this.secretStore.saveSecret(generateAuthSecret());
    else await this.secretStore.clearSecret();
  }

  /** Stop listening (component unmount). */
  destroy(): void {
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#listeners.clear();
  }

  async #load(): Promise<void> {
    const before = this.#changes;
    try {
      const secret = this.autoCreate ? await this.secretStore.getOrCreateSecret() : await this.secretStore.loadSecret();
      // A login/signOut that landed while we were loading wins.
      if (this.#changes === before) this.#set({ secret, isLoading: false, error: null });
    } catch (error) {
      if (this.#changes === before) this.#set({ secret: null, isLoading: false, error: error as Error });
    }
  }

  #apply(secret: string | null): void {
    this.#changes++;
    this.#set({ secret, isLoading: false, error: null });
  }

  #set(next: LocalFirstAuthSnapshot): void {
    const prev = this.#snapshot;
    if (prev.secret === next.secret && prev.isLoading === next.isLoading && prev.error === next.error) return;
    this.#snapshot = next;
    for (const listener of [...this.#listeners]) listener(next);
  }

  #listenAcrossTabs(): void {
    const target = globalThis as unknown as Partial<Window>;
    if (typeof target.addEventListener !== "function") return;
    const onStorage = (event: StorageEvent) => {
      let area: unknown;
      try {
        area = this.secretStore.storage;
      } catch {
        return;
      }
      if (event.storageArea !== area) return;
      if (event.key === null) this.#apply(null); // storage.clear() in another tab
      else if (event.key === this.secretStore.key) {
        // Another tab's value is still untrusted input.
        this.#apply(event.newValue !== null && isValidAuthSecret(event.newValue) ? event.newValue : null);
      }
    };
    target.addEventListener("storage", onStorage as EventListener);
    this.#cleanups.push(() => target.removeEventListener!("storage", onStorage as EventListener));
  }
}

export function createLocalFirstAuthStore(
  storeOrOptions?: BrowserAuthSecretStore | LocalFirstAuthStoreOptions,
): LocalFirstAuthStore {
  return new LocalFirstAuthStore(storeOrOptions);
}
