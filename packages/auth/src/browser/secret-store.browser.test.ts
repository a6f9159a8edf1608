import { afterEach, describe, expect, it } from "vitest";
import {
  AuthSecretError,
  generateAuthSecret,
} from "../index.ts";
import {
  authSecretStorageKey,
  BrowserAuthSecretStore,
  browserAuthSecretStore,
  type AuthSecretStorage,
} from "./index.ts";

afterEach(() => localStorage.clear());

class MapStorage implements AuthSecretStorage {
  map = new Map<string, string>();
  async getItem(k: string) { return this.map.get(k) ?? null; }
  async setItem(k: string, v: string) { this.map.set(k, v); }
  async removeItem(k: string) { this.map.delete(k); }
}

describe("storage key (reference format)", () => {
  it("builds jazz-auth-secret[:appId][:userId][:sessionId] with trimmed, URI-encoded segments", () => {
    expect(authSecretStorageKey()).toBe("jazz-auth-secret");
    expect(authSecretStorageKey({ appId: "my-app" })).toBe("jazz-auth-secret:my-app");
    expect(authSecretStorageKey({ appId: " a b ", userId: "", sessionId: "s/1" })).toBe("jazz-auth-secret:a%20b:s%2F1");
    expect(authSecretStorageKey({ key: "custom", appId: "ignored" })).toBe("custom");
  });
});

describe("BrowserAuthSecretStore in Chromium localStorage", () => {
  it("getOrCreateSecret creates once, persists, and returns the same secret afterwards", async () => {
    const secret = await BrowserAuthSecretStore.getOrCreateSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(localStorage.getItem("jazz-auth-secret")).toBe(secret);
    expect(await BrowserAuthSecretStore.getOrCreateSecret()).toBe(secret);
    expect(await browserAuthSecretStore.loadSecret()).toBe(secret);
    expect(await new BrowserAuthSecretStore().loadSecret()).toBe(secret);
  });

  it("concurrent getOrCreateSecret calls in one page return one secret", async () => {
    const results = await Promise.all([
      BrowserAuthSecretStore.getOrCreateSecret({ appId: "race" }),
      BrowserAuthSecretStore.getOrCreateSecret({ appId: "race" }),
      new BrowserAuthSecretStore({ appId: "race" }).getOrCreateSecret(),
      new BrowserAuthSecretStore({ key: "jazz-auth-secret:race" }).getOrCreateSecret(),
    ]);
    expect(new Set(results).size).toBe(1);
    expect(localStorage.getItem("jazz-auth-secret:race")).toBe(results[0]);
  });

  it("scopes by appId, save/load/clear round-trip, statics and instances agree", async () => {
    const a = generateAuthSecret();
    await BrowserAuthSecretStore.saveSecret(a, { appId: "my-app" });
    expect(localStorage.getItem("jazz-auth-secret:my-app")).toBe(a);
    expect(await BrowserAuthSecretStore.loadSecret()).toBeNull();
    expect(await BrowserAuthSecretStore.getDefault({ appId: "my-app" }).loadSecret()).toBe(a);
    expect(BrowserAuthSecretStore.getDefault({ appId: "my-app" })).toBe(BrowserAuthSecretStore.getDefault({ appId: "my-app" }));
    await new BrowserAuthSecretStore({ appId: "my-app" }).clearSecret();
    expect(localStorage.getItem("jazz-auth-secret:my-app")).toBeNull();
    const next = await BrowserAuthSecretStore.getOrCreateSecret({ appId: "my-app" });
    expect(next).not.toBe(a);
  });

  it("validates secrets on save and on load", async () => {
    await expect(BrowserAuthSecretStore.saveSecret(`${generateAuthSecret()}=`)).rejects.toThrowError(AuthSecretError);
    expect(localStorage.getItem("jazz-auth-secret")).toBeNull();
    localStorage.setItem("jazz-auth-secret", "corrupt");
    await expect(BrowserAuthSecretStore.loadSecret()).rejects.toThrowError(/stored under "jazz-auth-secret" is invalid/);
    // getOrCreate must not silently replace a (possibly recoverable) account.
    await expect(BrowserAuthSecretStore.getOrCreateSecret()).rejects.toThrowError(AuthSecretError);
    expect(localStorage.getItem("jazz-auth-secret")).toBe("corrupt");
  });

  it("accepts a pluggable (async) storage", async () => {
    const storage = new MapStorage();
    const store = new BrowserAuthSecretStore({ storage, appId: "x" });
    const [s1, s2] = await Promise.all([store.getOrCreateSecret(), BrowserAuthSecretStore.getOrCreateSecret({ storage, appId: "x" })]);
    expect(s1).toBe(s2);
    expect(storage.map.get("jazz-auth-secret:x")).toBe(s1);
    expect(localStorage.length).toBe(0);
  });
});
