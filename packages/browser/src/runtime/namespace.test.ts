import { describe, expect, it } from "vitest";
import { deriveLocalFirstIdentity, generateAuthSecret } from "@jazz-tools/auth";
import { resolveStorageNamespace } from "./namespace.ts";

describe("storage namespace", () => {
  it("is the app, or app::user, and another data branch gets its own (dev/main is the default)", () => {
    const secret = generateAuthSecret();
    const user = encodeURIComponent(deriveLocalFirstIdentity(secret).userId);
    expect(resolveStorageNamespace({ appId: "a" })).toBe("a");
    expect(resolveStorageNamespace({ appId: "a", secret })).toBe(`a::${user}`);
    expect(resolveStorageNamespace({ appId: "a", secret, env: "dev", userBranch: "main" })).toBe(`a::${user}`);
    expect(resolveStorageNamespace({ appId: "a", secret, env: "prod" })).toBe(`a::${user}@prod/main`);
    expect(resolveStorageNamespace({ appId: "a", userBranch: "feature" })).toBe("a@dev/feature");
    expect(resolveStorageNamespace({ appId: "a", env: "prod", driver: { type: "persistent", dbName: "mine" } })).toBe("mine");
    expect(() => resolveStorageNamespace({ appId: "a", env: "no spaces" })).toThrow(/env must be/);
  });
});
