import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  deriveLocalFirstIdentityAsync,
  mintAnonymousTokenAsync,
  mintLocalFirstToken,
  mintLocalFirstTokenAsync,
  verifyLocalFirstIdentityProof,
} from "../index.ts";
import { b64url, nodeIdentity } from "../testing/node-reference.ts";
import { normalizeAudience } from "./audience.ts";
import { normalizeAudienceAsync } from "./audience-async.ts";

describe("async minting (WebCrypto Ed25519)", () => {
  it("gives byte-identical tokens to the sync path and the independent identity", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 0, max: 4e12 }), async (seed, now) => {
        const secret = b64url(seed);
        // Async first, so the identity comes from WebCrypto's public key, not from noble.
        const identity = await deriveLocalFirstIdentityAsync(secret);
        expect(identity.userId).toBe(nodeIdentity(seed).userId);
        const token = await mintLocalFirstTokenAsync(secret, { audience: "my-app", now });
        expect(token).toBe(mintLocalFirstToken(secret, { audience: "my-app", now }));
      }),
      { numRuns: 30 },
    );
  });

  it("normalises audiences like the sync path, with WebCrypto's SHA-1", async () => {
    for (const aud of ["my-app", "x", "Ünïcode app", "6BA7B810-9DAD-11D1-80B4-00C04FD430C8"]) {
      expect(await normalizeAudienceAsync(aud)).toBe(normalizeAudience(aud));
    }
    await expect(normalizeAudienceAsync("")).rejects.toThrowError(/non-empty/);
  });

  it("anonymous tokens verify with the anonymous issuer", async () => {
    const { token } = await mintAnonymousTokenAsync({ audience: "my-app" });
    expect(verifyLocalFirstIdentityProof(token, "my-app")).toMatchObject({ ok: true, authMode: "anonymous" });
  });

  it("validates the secret and options like the sync path", async () => {
    await expect(mintLocalFirstTokenAsync("nope", { audience: "a" })).rejects.toThrowError(/auth secret/);
    await expect(mintLocalFirstTokenAsync(b64url(new Uint8Array(32)), { audience: "a", ttlSeconds: 7200 })).rejects.toThrowError(/ttlSeconds/);
  });
});
