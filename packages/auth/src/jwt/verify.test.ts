import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { mintLocalFirstToken, verifyLocalFirstIdentityProof, type IdentityProofResult } from "../index.ts";
import { b64url, nodeHs256Jwt, nodeIdentity, nodeSignJwt } from "../testing/node-reference.ts";

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const T = Math.floor(NOW / 1000);
const AUD = "4af0209b-7fe4-57ba-b068-3b47d0855d11"; // normalizeAudience("my-app")
const victimSeed = new Uint8Array(32).fill(7);
const attackerSeed = new Uint8Array(32).fill(9);
const victim = nodeIdentity(victimSeed);
const attacker = nodeIdentity(attackerSeed);
const HEADER = { alg: "EdDSA", typ: "JWT" };

function claimsFor(id = victim, over: Record<string, unknown> = {}) {
  return { iss: "urn:jazz:local-first", sub: id.userId, aud: AUD, jazz_pub_key: id.publicKeyB64, iat: T, exp: T + 3600, ...over };
}
const verify = (token: string, audience = "my-app") => verifyLocalFirstIdentityProof(token, audience, { now: NOW });
function rejected(result: IdentityProofResult) {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error("accepted");
  return result;
}

describe("verifyLocalFirstIdentityProof accepts", () => {
  it("our own token, returning the proven id", () => {
    const token = mintLocalFirstToken(b64url(victimSeed), { audience: "my-app", now: NOW });
    expect(verify(token)).toMatchObject({ ok: true, id: victim.userId, authMode: "local-first" });
  });

  it("a token signed independently by node:crypto, and an anonymous one", () => {
    expect(verify(nodeSignJwt(victim.privateKey, HEADER, claimsFor()))).toMatchObject({ ok: true, id: victim.userId });
    const anon = nodeSignJwt(victim.privateKey, HEADER, claimsFor(victim, { iss: "urn:jazz:anonymous" }));
    expect(verify(anon)).toMatchObject({ ok: true, authMode: "anonymous" });
  });

  it("a UUID audience as-is, iat up to 60 s ahead, a header without typ", () => {
    const uuid = "0191e5c3-7a1b-7c2d-8e3f-4a5b6c7d8e9f";
    expect(verify(nodeSignJwt(victim.privateKey, HEADER, claimsFor(victim, { aud: uuid })), uuid).ok).toBe(true);
    expect(verify(nodeSignJwt(victim.privateKey, HEADER, claimsFor(victim, { iat: T + 60, exp: T + 120 }))).ok).toBe(true);
    expect(verify(nodeSignJwt(victim.privateKey, { alg: "EdDSA" }, claimsFor())).ok).toBe(true);
  });
});

describe("verifyLocalFirstIdentityProof rejects hostile tokens, each with its own error", () => {
  const good = nodeSignJwt(victim.privateKey, HEADER, claimsFor());
  const [gh, gc, gs] = good.split(".");
  const sigBytes = Buffer.from(gs, "base64url");

  const cases: Array<[string, () => string, string, RegExp, string?]> = [
    ["forged signature", () => {
      const forged = Buffer.from(sigBytes);
      forged[5] ^= 1;
      return `${gh}.${gc}.${b64url(forged)}`;
    }, "invalid-signature", /invalid signature/],
    ["claims edited after signing", () => {
      return `${gh}.${b64url(JSON.stringify(claimsFor(victim, { exp: T + 3599 })))}.${gs}`;
    }, "invalid-signature", /invalid signature/],
    ["victim's key embedded, attacker's signature", () =>
      nodeSignJwt(attacker.privateKey, HEADER, claimsFor(victim)), "invalid-signature", /invalid signature/],
    ["key swapped without sub (attacker key, victim sub)", () =>
      nodeSignJwt(attacker.privateKey, HEADER, claimsFor(attacker, { sub: victim.userId })), "sub-mismatch", /^sub mismatch$/],
    ["alg none", () => `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${gc}.`, "unsupported-alg", /unsupported alg "none"/],
    ["alg HS256 keyed with the public key", () =>
      nodeHs256Jwt(victim.publicKeyB64, { alg: "HS256", typ: "JWT" }, claimsFor()), "unsupported-alg", /unsupported alg "HS256"/],
    ["expired", () => nodeSignJwt(victim.privateKey, HEADER, claimsFor(victim, { iat: T - 4000, exp: T - 400 })), "expired", /^token expired$/],
    ["iat far in the future", () =>
      nodeSignJwt(victim.privateKey, HEADER, claimsFor(victim, { iat: T + 61, exp: T + 600 })), "issued-in-future", /issued in the future/],
    ["lifetime over an hour", () =>
      nodeSignJwt(victim.privateKey, HEADER, claimsFor(victim, { exp: T + 3601 })), "ttl-exceeded", /token ttl 3601s exceeds max 3600s/],
    ["extra claim", () => nodeSignJwt(victim.privateKey, HEADER, claimsFor(victim, { admin: true })), "unknown-claim", /unknown claim admin/],
    ["wrong audience", () => nodeSignJwt(victim.privateKey, HEADER, claimsFor(victim, { aud: "other-app" })), "audience-mismatch", /^audience mismatch$/],
    ["padded base64", () => `${gh}.${Buffer.from(JSON.stringify(claimsFor())).toString("base64url")}==.${gs}`, "invalid-encoding", /must not be padded/],
    ["unknown issuer", () =>
      nodeSignJwt(victim.privateKey, HEADER, claimsFor(victim, { iss: "https://evil.example" })), "unknown-issuer", /unknown issuer/],
    ["missing claim", () => {
      const { exp: _exp, ...rest } = claimsFor();
      return nodeSignJwt(victim.privateKey, HEADER, rest);
    }, "invalid-claims", /missing claim exp/],
    ["exp before iat", () =>
      nodeSignJwt(victim.privateKey, { alg: "EdDSA" }, claimsFor(victim, { iat: T + 30, exp: T + 10 })), "invalid-lifetime", /exp must be after iat/],
    ["malleated signature (S + L)", () => {
      const L = 2n ** 252n + 27742317777372353535851937790883648493n;
      let s = 0n;
      for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sigBytes[i]);
      s += L;
      const out = Buffer.from(sigBytes);
      for (let i = 32; i < 64; i++) { out[i] = Number(s & 255n); s >>= 8n; }
      return `${gh}.${gc}.${b64url(out)}`;
    }, "invalid-signature", /invalid signature/],
    ["small-order public key (identity point)", () => {
      const weak = new Uint8Array(32); weak[0] = 1; // encodes the neutral element
      const sig = new Uint8Array(64); sig[0] = 1;   // R = identity, S = 0 satisfies the equation
      const claims = claimsFor(victim, { jazz_pub_key: b64url(weak) });
      return `${gh}.${b64url(JSON.stringify(claims))}.${b64url(sig)}`;
    }, "invalid-signature", /invalid signature/],
    ["embedded JWK header", () =>
      nodeSignJwt(victim.privateKey, { ...HEADER, jwk: { kty: "OKP" } }, claimsFor()), "invalid-header", /unsupported header parameter jwk/],
    ["two segments", () => `${gh}.${gc}`, "malformed", /expected header.claims.signature/],
    ["bad public key length", () =>
      nodeSignJwt(victim.privateKey, HEADER, claimsFor(victim, { jazz_pub_key: b64url(new Uint8Array(31)) })), "invalid-public-key", /32 bytes/],
  ];

  it.each(cases)("%s", (_name, make, code, message) => {
    const result = rejected(verify(make()));
    expect(result.code).toBe(code);
    expect(result.error).toMatch(message);
    expect(result.id).toBeUndefined();
  });

  it("the hostile cases named in the issue fail with distinct errors", () => {
    const named = cases.slice(0, 12).filter(([n]) => n !== "claims edited after signing" && !n.startsWith("victim"));
    const errors = named.map(([, make]) => rejected(verify(make())).code);
    // alg none and HS256 share "unsupported-alg"; every other check has its own code.
    expect(new Set(errors).size).toBe(errors.length - 1);
  });
});

describe("verifier fuzz: never throws, never accepts garbage", () => {
  it("random strings", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.string(), (token, audience) => {
        expect(verifyLocalFirstIdentityProof(token, audience, { now: NOW }).ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("random three-part tokens and mutated valid tokens", () => {
    const good = nodeSignJwt(victim.privateKey, HEADER, claimsFor());
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((p) => p.join(".")),
          fc.tuple(fc.json(), fc.json(), fc.uint8Array({ maxLength: 70 })).map(([h, c, s]) => `${b64url(h)}.${b64url(c)}.${b64url(s)}`),
          fc.tuple(fc.nat(good.length - 1), fc.string({ minLength: 1, maxLength: 1 })).map(([i, ch]) => good.slice(0, i) + ch + good.slice(i + 1)),
        ),
        (token) => {
          const result = verifyLocalFirstIdentityProof(token as string, "my-app", { now: NOW });
          if (token === good) expect(result.ok).toBe(true);
          else expect(result).toMatchObject({ ok: false, error: expect.any(String) });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("non-string inputs", () => {
    for (const bad of [null, undefined, 42, {}, [], "..", "a.b.c"]) {
      expect(verifyLocalFirstIdentityProof(bad as never, "my-app").ok).toBe(false);
    }
  });
});
