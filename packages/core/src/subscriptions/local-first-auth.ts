// Shared state behind React's useLocalFirstAuth, Vue's useLocalFirstAuth and Svelte's
// LocalFirstAuth: one controller per secret store, so a `login` in one component updates every
// other user of the same store at once (that is what switches a mounted provider).

export interface AuthSecretStoreLike {
  loadSecret(): Promise<string | null> | string | null;
  saveSecret(secret: string): Promise<void> | void;
  clearSecret(): Promise<void> | void;
  getOrCreateSecret(): Promise<string> | string;
}

export interface LocalFirstAuthState {
  secret: string | null;
  isLoading: boolean;
}

export class LocalFirstAuthController {
  private state: LocalFirstAuthState = { secret: null, isLoading: true };
  private readonly listeners = new Set<(s: LocalFirstAuthState) => void>();
  private loading: Promise<void> | null = null;

  constructor(private readonly store: AuthSecretStoreLike) {}

  getState = (): LocalFirstAuthState => this.state;

  subscribe = (listener: (s: LocalFirstAuthState) => void): (() => void) => {
    this.listeners.add(listener);
    void this.load();
    return () => void this.listeners.delete(listener);
  };

  /** Loads (or creates) the stored secret once; later calls share the same promise. */
  load(): Promise<void> {
    this.loading ??= (async () => {
      const secret = await this.store.getOrCreateSecret();
      if (this.state.isLoading) this.set({ secret, isLoading: false });
    })();
    return this.loading;
  }

  /** Stores `secret` and switches every user of this store to it. */
  login = async (secret: string): Promise<void> => {
    await this.store.saveSecret(secret);
    this.set({ secret, isLoading: false });
  };

  /** Forgets the current identity; the next one is a fresh secret (a different user). */
  signOut = async (): Promise<void> => {
    await this.store.clearSecret();
    const secret = await this.store.getOrCreateSecret();
    this.set({ secret, isLoading: false });
  };

  private set(next: LocalFirstAuthState): void {
    if (next.secret === this.state.secret && next.isLoading === this.state.isLoading) return;
    this.state = next;
    for (const l of [...this.listeners]) l(next);
  }
}

const controllers = new WeakMap<AuthSecretStoreLike, LocalFirstAuthController>();

export function localFirstAuthFor(store: AuthSecretStoreLike): LocalFirstAuthController {
  let c = controllers.get(store);
  if (!c) controllers.set(store, (c = new LocalFirstAuthController(store)));
  return c;
}
