import { describe, expect, it } from "vitest";
import { sign as nodeSign, verify as nodeVerify } from "node:crypto";
import fc from "fast-check";
import {
  AuthSecretError,
  deriveLocalFirstIdentity,
  generateAuthSecret,
  mintLocalFirstToken,
  mintAnonymousToken,
  normalizeAudience,
  validateAuthSecret,
  NAMESPACE_JAZZ_AUTH_KEY,
  bytesToBase64Url,
  base64UrlToBytes,
} from "../index.ts";
import { b64url, NAMESPACE_DNS_HEX, nodeIdentity, nodeUuidV5 } from "../testing/node-reference.ts";

const FIXED_SEED = Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 3) & 255);
const FIXED_SECRET = b64url(FIXED_SEED);

describe("secrets", () => {
  it("generateAuthSecret gives 43 base64url characters encoding 32 bytes, different each time", () => {
    const a = generateAuthSecret();
    const b = generateAuthSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, "base64url")).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(validateAuthSecret(a)).toEqual(new Uint8Array(Buffer.from(a, "base64url")));
  });

  it.each([
    ["padded", FIXED_SECRET + "=", /without padding/],
    ["too short", FIXED_SECRET.slice(0, 42), /exactly 32 bytes/],
    ["too long", FIXED_SECRET + "AAAA", /exactly 32 bytes/],
    ["standard alphabet", FIXED_SECRET.slice(0, 42) + "+", /standard base64 alphabet/],
    ["foreign character", FIXED_SECRET.slice(0, 42) + "!", /character "!" at 42 is not base64url/],
    ["empty", "", /empty/],
  ])("rejects a %s secret with AuthSecretError", (_name, secret, message) => {
    expect(() => validateAuthSecret(secret)).toThrowError(AuthSecretError);
    expect(() => validateAuthSecret(secret)).toThrowError(message);
  });

  it("rejects non-canonical trailing bits (a second spelling of the same bytes)", () => {
    const last = FIXED_SECRET.at(-1)!;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const twin = FIXED_SECRET.slice(0, 42) + alphabet[alphabet.indexOf(last) | 1];
    expect(() => validateAuthSecret(twin)).toThrowError(/non-canonical/);
  });

  it("rejects non-strings", () => {
    expect(() => validateAuthSecret(null)).toThrowError(/must be a string, got null/);
    expect(() => validateAuthSecret(42)).toThrowError(AuthSecretError);
  });

  it("base64url round-trips random bytes exactly like Buffer's encoder", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const text = bytesToBase64Url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString("base64url"));
        expect(base64UrlToBytes(text)).toEqual(bytes);
      }),
    );
  });
});

describe("identity derivation (golden values from node:crypto)", () => {
  it("namespace is the ASCII bytes of jazz-auth-key-v1", () => {
    expect(Buffer.from(NAMESPACE_JAZZ_AUTH_KEY).toString("hex")).toBe("6a617a7a2d617574682d6b65792d7631");
  });

  it("fixed secret → public key and user id as the published algorithm gives", () => {
    const expected = nodeIdentity(FIXED_SEED);
    const ours = deriveLocalFirstIdentity(FIXED_SECRET);
    expect(ours.publicKey).toEqual(expected.publicKey);
    expect(ours.publicKeyB64).toBe(expected.publicKeyB64);
    expect(ours.userId).toBe(expected.userId);
    expect(ours.userId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("matches the independent derivation for random secrets", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed) => {
        const secret = b64url(seed);
        const expected = nodeIdentity(seed);
        const ours = deriveLocalFirstIdentity(secret);
        expect(ours.userId).toBe(expected.userId);
        expect(ours.publicKeyB64).toBe(expected.publicKeyB64);
      }),
      { numRuns: 50 },
    );
  });

  it("the cache hands out copies, so callers cannot corrupt it", () => {
    const first = deriveLocalFirstIdentity(FIXED_SECRET);
    first.publicKey.fill(0);
    expect(deriveLocalFirstIdentity(FIXED_SECRET).publicKey).toEqual(nodeIdentity(FIXED_SEED).publicKey);
  });

  it("validates the secret before deriving", () => {
    expect(() => deriveLocalFirstIdentity(FIXED_SECRET + "=")).toThrowError(AuthSecretError);
  });
});

describe("audience normalisation", () => {
  it('"my-app" → UUIDv5(DNS, "my-app") = 4af0209b-7fe4-57ba-b068-3b47d0855d11', () => {
    expect(normalizeAudience("my-app")).toBe("4af0209b-7fe4-57ba-b068-3b47d0855d11");
    expect(nodeUuidV5(NAMESPACE_DNS_HEX, Buffer.from("my-app"))).toBe("4af0209b-7fe4-57ba-b068-3b47d0855d11");
  });

  it("keeps a UUID (canonical lowercase form)", () => {
    expect(normalizeAudience("0191e5c3-7a1b-7c2d-8e3f-4a5b6c7d8e9f")).toBe("0191e5c3-7a1b-7c2d-8e3f-4a5b6c7d8e9f");
    expect(normalizeAudience("0191E5C3-7A1B-7C2D-8E3F-4A5B6C7D8E9F")).toBe("0191e5c3-7a1b-7c2d-8e3f-4a5b6c7d8e9f");
  });

  it("maps any other string with UUIDv5(DNS)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (appId) => {
        fc.pre(!/^[0-9a-f-]{36}$/i.test(appId));
        expect(normalizeAudience(appId)).toBe(nodeUuidV5(NAMESPACE_DNS_HEX, Buffer.from(appId, "utf8")));
      }),
    );
  });
});

describe("token minting (golden token from node:crypto)", () => {
  const now = Date.UTC(2026, 0, 2, 3, 4, 5);
  const iat = Math.floor(now / 1000);

  it("header, claims order and signature are byte-identical to the reference format", () => {
    const id = nodeIdentity(FIXED_SEED);
    const header = b64url(JSON.stringify({ alg: "EdDSA", typ: "JWT" }));
    const claims = b64url(
      `{"iss":"urn:jazz:local-first","sub":"${id.userId}","aud":"4af0209b-7fe4-57ba-b068-3b47d0855d11","jazz_pub_key":"${id.publicKeyB64}","iat":${iat},"exp":${iat + 3600}}`,
    );
    const signature = b64url(nodeSign(null, Buffer.from(`${header}.${claims}`), id.privateKey));
    const expected = `${header}.${claims}.${signature}`;

    expect(mintLocalFirstToken(FIXED_SECRET, { audience: "my-app", now })).toBe(expected);
  });

  it("node:crypto verifies our signature with the embedded public key", () => {
    const token = mintLocalFirstToken(FIXED_SECRET, { audience: "my-app", ttlSeconds: 60, now });
    const [h, c, s] = token.split(".");
    const claims = JSON.parse(Buffer.from(c, "base64url").toString());
    expect(Object.keys(claims)).toEqual(["iss", "sub", "aud", "jazz_pub_key", "iat", "exp"]);
    expect(claims.exp - claims.iat).toBe(60);
    const key = { key: { kty: "OKP", crv: "Ed25519", x: claims.jazz_pub_key }, format: "jwk" } as const;
    expect(nodeVerify(null, Buffer.from(`${h}.${c}`), key, Buffer.from(s, "base64url"))).toBe(true);
    expect(token).not.toContain("=");
  });

  it("anonymous tokens use urn:jazz:anonymous and a fresh seed unless one is given", () => {
    const a = mintAnonymousToken({ audience: "my-app", now });
    const b = mintAnonymousToken({ audience: "my-app", now });
    const claimsOf = (t: string) => JSON.parse(Buffer.from(t.split(".")[1], "base64url").toString());
    expect(claimsOf(a.token).iss).toBe("urn:jazz:anonymous");
    expect(claimsOf(a.token).sub).not.toBe(claimsOf(b.token).sub);
    expect(claimsOf(a.token).sub).toBe(nodeIdentity(Buffer.from(a.secret, "base64url")).userId);
    expect(mintAnonymousToken({ audience: "my-app", now, secret: a.secret }).token).toBe(a.token);
  });

  it("refuses a lifetime the verifier would refuse", () => {
    expect(() => mintLocalFirstToken(FIXED_SECRET, { audience: "a", ttlSeconds: 3601 })).toThrowError(/ttlSeconds/);
    expect(() => mintLocalFirstToken(FIXED_SECRET, { audience: "a", ttlSeconds: 0 })).toThrowError(/ttlSeconds/);
  });
});
