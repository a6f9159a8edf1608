import { afterEach, describe, expect, it } from "vitest";
import { AuthSecretError, generateAuthSecret } from "../index.ts";
import { BrowserAuthSecretStore, createLocalFirstAuthStore, LocalFirstAuthStore, type LocalFirstAuthSnapshot } from "./index.ts";

const stores: LocalFirstAuthStore[] = [];
function make(...args: Parameters<typeof createLocalFirstAuthStore>) {
  const store = createLocalFirstAuthStore(...args);
  stores.push(store);
  return store;
}
afterEach(() => {
  for (const s of stores.splice(0)) s.destroy();
  localStorage.clear();
  document.querySelectorAll("iframe").forEach((f) => f.remove());
});

function nextChange(store: LocalFirstAuthStore): Promise<LocalFirstAuthSnapshot> {
  return new Promise((resolve) => {
    const off = store.subscribe((s) => {
      off();
      resolve(s);
    });
  });
}

describe("LocalFirstAuthStore in Chromium", () => {
  it("loads (creating a secret on first visit), then exposes it", async () => {
    const store = make({ appId: "app1" });
    expect(store.isLoading).toBe(true);
    expect(store.secret).toBeNull();
    await store.ready();
    expect(store.isLoading).toBe(false);
    expect(store.secret).toBe(localStorage.getItem("jazz-auth-secret:app1"));
    expect(store.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("two instances on one key: login and signOut on one notify the other", async () => {
    const a = make({ appId: "shared" });
    const b = make({ appId: "shared" });
    await Promise.all([a.ready(), b.ready()]);
    expect(a.secret).toBe(b.secret);

    const restored = generateAuthSecret();
    const seen = nextChange(b);
    await a.login(restored);
    expect((await seen).secret).toBe(restored);
    expect(b.secret).toBe(restored);
    expect(localStorage.getItem("jazz-auth-secret:shared")).toBe(restored);

    const afterSignOut = nextChange(b);
    await a.signOut();
    const snap = await afterSignOut;
    expect(snap.secret).not.toBe(restored); // a fresh account replaces the old one
    expect(snap.secret).toBe(a.secret);
    expect(localStorage.getItem("jazz-auth-secret:shared")).toBe(a.secret);
  });

  it("an explicit localStorage and the default are the same storage", async () => {
    const a = make({ appId: "explicit", storage: localStorage });
    const b = make({ appId: "explicit" });
    await Promise.all([a.ready(), b.ready()]);
    expect(a.secret).toBe(b.secret);
    const s = generateAuthSecret();
    await a.login(s);
    expect(b.secret).toBe(s);
  });

  it("instances on a different key are not notified", async () => {
    const a = make({ appId: "one" });
    const other = make({ appId: "two" });
    await Promise.all([a.ready(), other.ready()]);
    const before = other.getSnapshot();
    let calls = 0;
    other.subscribe(() => calls++);
    await a.login(generateAuthSecret());
    expect(calls).toBe(0);
    expect(other.getSnapshot()).toBe(before);
  });

  it("BrowserAuthSecretStore.saveSecret in this page reaches live auth stores", async () => {
    const a = make();
    await a.ready();
    const s = generateAuthSecret();
    await BrowserAuthSecretStore.saveSecret(s);
    expect(a.secret).toBe(s);
  });

  it("without autoCreate: null until login, null after signOut", async () => {
    const a = make({ appId: "manual", autoCreate: false });
    const b = make({ appId: "manual", autoCreate: false });
    await Promise.all([a.ready(), b.ready()]);
    expect(a.secret).toBeNull();
    expect(a.isLoading).toBe(false);
    const s = generateAuthSecret();
    await b.login(s);
    expect(a.secret).toBe(s);
    await a.signOut();
    expect(b.secret).toBeNull();
    expect(localStorage.getItem("jazz-auth-secret:manual")).toBeNull();
  });

  it("login during the initial load wins over the secret the load would create", async () => {
    const a = make({ appId: "startup" });
    const s = generateAuthSecret();
    await a.login(s);
    await a.ready();
    expect(a.secret).toBe(s);
    expect(localStorage.getItem("jazz-auth-secret:startup")).toBe(s);
  });

  it("login validates the secret and leaves state untouched on bad input", async () => {
    const a = make();
    await a.ready();
    const before = a.secret;
    await expect(a.login("bad")).rejects.toThrowError(AuthSecretError);
    expect(a.secret).toBe(before);
    expect(localStorage.getItem("jazz-auth-secret")).toBe(before);
  });

  it("hears another document (tab) writing the key, via the storage event", async () => {
    const a = make({ appId: "tabs" });
    await a.ready();
    const frame = document.createElement("iframe");
    document.body.append(frame);
    const otherTab = frame.contentWindow!;
    const fromOtherTab = generateAuthSecret();
    const seen = nextChange(a);
    otherTab.localStorage.setItem("jazz-auth-secret:tabs", fromOtherTab);
    expect((await seen).secret).toBe(fromOtherTab);

    const cleared = nextChange(a);
    otherTab.localStorage.removeItem("jazz-auth-secret:tabs");
    expect((await cleared).secret).toBeNull();

    otherTab.localStorage.setItem("jazz-auth-secret:tabs", fromOtherTab);
    await new Promise((r) => setTimeout(r, 50));
    expect(a.secret).toBe(fromOtherTab);
    // Another tab's value is untrusted input: a corrupt value is not adopted as the account.
    const garbage = nextChange(a);
    otherTab.localStorage.setItem("jazz-auth-secret:tabs", "not a secret");
    expect((await garbage).secret).toBeNull();
  });

  it("reports a corrupt stored secret as an error instead of replacing it", async () => {
    localStorage.setItem("jazz-auth-secret:corrupt", "xyz");
    const a = make({ appId: "corrupt" });
    await a.ready();
    expect(a.isLoading).toBe(false);
    expect(a.secret).toBeNull();
    expect(a.error).toBeInstanceOf(AuthSecretError);
    expect(localStorage.getItem("jazz-auth-secret:corrupt")).toBe("xyz");
  });

  it("getSnapshot is stable between changes (useSyncExternalStore contract)", async () => {
    const a = make();
    await a.ready();
    expect(a.getSnapshot()).toBe(a.getSnapshot());
    const first = a.getSnapshot();
    await a.login(generateAuthSecret());
    expect(a.getSnapshot()).not.toBe(first);
  });

  it("destroy stops notifications", async () => {
    const a = make({ appId: "d" });
    const b = make({ appId: "d" });
    await Promise.all([a.ready(), b.ready()]);
    const before = b.secret;
    b.destroy();
    await a.login(generateAuthSecret());
    expect(b.secret).toBe(before);
  });
});
