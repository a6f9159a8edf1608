import { describe, expect, it } from "vitest";
import { BrowserAuthSecretStore, validateAuthSecret } from "jazz-tools";

// The docs import the secret store from "jazz-tools" itself (not a subpath).
describe("jazz-tools entry", () => {
  it("exports BrowserAuthSecretStore with the reference key format and a pluggable storage", async () => {
    const mem = new Map<string, string>();
    const storage = {
      getItem: (k: string) => mem.get(k) ?? null,
      setItem: (k: string, v: string) => void mem.set(k, v),
      removeItem: (k: string) => void mem.delete(k),
    };
    const store = new BrowserAuthSecretStore({ appId: "my-app", storage });
    const [a, b] = await Promise.all([store.getOrCreateSecret(), store.getOrCreateSecret()]);
    expect(a).toBe(b);
    expect(validateAuthSecret(a)).toHaveLength(32);
    expect([...mem.keys()]).toEqual(["jazz-auth-secret:my-app"]);
  });
});
