import { JazzError } from "../errors.ts";
import { AuthSecretError, generateAuthSecret, validateAuthSecret } from "../secret/secret.ts";

/** Storage the secret lives in: `localStorage` by default; sync or async methods both work. */
export interface AuthSecretStorage {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

export interface BrowserAuthSecretStoreOptions {
  /** Exact storage key; overrides the appId/userId/sessionId segments. */
  key?: string;
  appId?: string;
  userId?: string;
  sessionId?: string;
  storage?: AuthSecretStorage;
}

export class AuthSecretStoreError extends JazzError {
  readonly code: string = "auth_secret_store";
  override name = "AuthSecretStoreError";
}

export const AUTH_SECRET_KEY_PREFIX = "jazz-auth-secret";

/** Reference key format: `jazz-auth-secret[:appId][:userId][:sessionId]`, segments trimmed and URI-encoded. */
export function authSecretStorageKey(options: Omit<BrowserAuthSecretStoreOptions, "storage"> = {}): string {
  if (options.key !== undefined) {
    if (typeof options.key !== "string" || options.key.length === 0) {
      throw new AuthSecretStoreError("options.key must be a non-empty string");
    }
    return options.key;
  }
  const segments = [options.appId, options.userId, options.sessionId]
    .map((s) => (typeof s === "string" ? s.trim() : ""))
    .filter(Boolean)
    .map(encodeURIComponent);
  return [AUTH_SECRET_KEY_PREFIX, ...segments].join(":");
}

// ---- in-page change bus: every live reader of one (storage, key) hears writes made through any
// store object in this page. Other tabs are reached by the browser's `storage` event instead.
type Listener = (secret: string | null) => void;
const DEFAULT_STORAGE = Symbol("localStorage");
type StorageId = AuthSecretStorage | typeof DEFAULT_STORAGE;
const listeners = new Map<StorageId, Map<string, Set<Listener>>>();

export function onStoredSecretChange(storage: StorageId, key: string, listener: Listener): () => void {
  let byKey = listeners.get(storage);
  if (!byKey) listeners.set(storage, (byKey = new Map()));
  let set = byKey.get(key);
  if (!set) byKey.set(key, (set = new Set()));
  set.add(listener);
  return () => {
    set!.delete(listener);
    if (set!.size === 0) byKey!.delete(key);
  };
}

// Bumped by every saveSecret/clearSecret in this page, per (storage, key).
const generations = new Map<StorageId, Map<string, number>>();
function generation(storage: StorageId, key: string): number {
  return generations.get(storage)?.get(key) ?? 0;
}
function bumpGeneration(storage: StorageId, key: string): void {
  let byKey = generations.get(storage);
  if (!byKey) generations.set(storage, (byKey = new Map()));
  byKey.set(key, generation(storage, key) + 1);
}

function emit(storage: StorageId, key: string, secret: string | null): void {
  for (const listener of [...(listeners.get(storage)?.get(key) ?? [])]) listener(secret);
}

// getOrCreateSecret shares one pending promise per (storage, key), so concurrent callers in one
// page get one secret. Not atomic across tabs (neither is the reference).
const pending = new Map<StorageId, Map<string, Promise<string>>>();
const defaults = new Map<StorageId, Map<string, BrowserAuthSecretStore>>();

/** localStorage passed explicitly is the same storage as the default: one bus, one pending call. */
function storageIdOf(storage: AuthSecretStorage | undefined): StorageId {
  if (!storage) return DEFAULT_STORAGE;
  try {
    if (storage === (globalThis as { localStorage?: unknown }).localStorage) return DEFAULT_STORAGE;
  } catch {
    // localStorage getter can throw (e.g. disabled storage); then it is not this object.
  }
  return storage;
}

function defaultStorage(): AuthSecretStorage {
  const ls = (globalThis as { localStorage?: AuthSecretStorage }).localStorage;
  if (!ls) {
    throw new AuthSecretStoreError(
      "localStorage is not available here (server or worker?): pass options.storage to BrowserAuthSecretStore",
    );
  }
  return ls;
}

export class BrowserAuthSecretStore {
  readonly key: string;
  /** The storage given in options, or the DEFAULT_STORAGE marker for localStorage (resolved lazily). */
  readonly storageId: StorageId;

  constructor(options: BrowserAuthSecretStoreOptions = {}) {
    this.key = authSecretStorageKey(options);
    this.storageId = storageIdOf(options.storage);
  }

  get storage(): AuthSecretStorage {
    return this.storageId === DEFAULT_STORAGE ? defaultStorage() : this.storageId;
  }

  /** The stored secret, or null. A stored value that is not a valid secret throws AuthSecretError. */
  async loadSecret(): Promise<string | null> {
    const value = await this.storage.getItem(this.key);
    if (value === null || value === undefined) return null;
    try {
      validateAuthSecret(value);
    } catch (error) {
      throw new AuthSecretError(
        `the secret stored under "${this.key}" is invalid (${(error as Error).message}); restore it or call clearSecret()`,
      );
    }
    return value;
  }

  async saveSecret(secret: string): Promise<void> {
    validateAuthSecret(secret);
    bumpGeneration(this.storageId, this.key);
    await this.storage.setItem(this.key, secret);
    this.#forgetPending();
    emit(this.storageId, this.key, secret);
  }

  async clearSecret(): Promise<void> {
    bumpGeneration(this.storageId, this.key);
    await this.storage.removeItem(this.key);
    this.#forgetPending();
    emit(this.storageId, this.key, null);
  }

  getOrCreateSecret(): Promise<string> {
    let byKey = pending.get(this.storageId);
    if (!byKey) pending.set(this.storageId, (byKey = new Map()));
    const existing = byKey.get(this.key);
    if (existing) return existing;
    const promise = (async () => {
      for (;;) {
        const before = generation(this.storageId, this.key);
        const stored = await this.loadSecret();
        if (stored) return stored;
        // A save or clear in this page while we read (e.g. login() during start-up) wins: read again
        // rather than overwrite the secret it stored with a new one.
        if (generation(this.storageId, this.key) !== before) continue;
        const created = generateAuthSecret();
        await this.storage.setItem(this.key, created);
        emit(this.storageId, this.key, created);
        return created;
      }
    })();
    byKey.set(this.key, promise);
    // Only share while pending: afterwards storage is the truth (another tab or a clear may have
    // changed it), and a failure must not stick.
    const settle = () => {
      if (byKey!.get(this.key) === promise) byKey!.delete(this.key);
    };
    promise.then(settle, settle);
    return promise;
  }

  #forgetPending(): void {
    pending.get(this.storageId)?.delete(this.key);
  }

  /** One store per (storage, key) — the reference keeps a singleton per key. */
  static getDefault(options: BrowserAuthSecretStoreOptions = {}): BrowserAuthSecretStore {
    const storageId = storageIdOf(options.storage);
    const key = authSecretStorageKey(options);
    let byKey = defaults.get(storageId);
    if (!byKey) defaults.set(storageId, (byKey = new Map()));
    let store = byKey.get(key);
    if (!store) byKey.set(key, (store = new BrowserAuthSecretStore(options)));
    return store;
  }

  static loadSecret(options?: BrowserAuthSecretStoreOptions): Promise<string | null> {
    return BrowserAuthSecretStore.getDefault(options).loadSecret();
  }

  static saveSecret(secret: string, options?: BrowserAuthSecretStoreOptions): Promise<void> {
    return BrowserAuthSecretStore.getDefault(options).saveSecret(secret);
  }

  static clearSecret(options?: BrowserAuthSecretStoreOptions): Promise<void> {
    return BrowserAuthSecretStore.getDefault(options).clearSecret();
  }

  static getOrCreateSecret(options?: BrowserAuthSecretStoreOptions): Promise<string> {
    return BrowserAuthSecretStore.getDefault(options).getOrCreateSecret();
  }
}

/** The unscoped default (`"jazz-auth-secret"` in localStorage), as React's useLocalFirstAuth uses. */
export const browserAuthSecretStore = BrowserAuthSecretStore.getDefault();
