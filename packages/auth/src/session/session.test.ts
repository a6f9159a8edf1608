import { describe, expect, it } from "vitest";
import {
  assertSamePrincipal,
  AuthPrincipalChangeError,
  authStateFromJwt,
  deriveLocalFirstIdentity,
  generateAuthSecret,
  getLocalFirstIdentityProof,
  mintAnonymousToken,
  mintLocalFirstToken,
  refreshDelayMs,
  sessionFromJwt,
  verifyLocalFirstIdentityProof,
} from "../index.ts";
import { b64url } from "../testing/node-reference.ts";

const secret = generateAuthSecret();
const { userId } = deriveLocalFirstIdentity(secret);
const externalJwt = `${b64url('{"alg":"RS256"}')}.${b64url(
  JSON.stringify({ iss: "https://idp.example", sub: "user_123", claims: { role: "member" }, exp: 4102444800 }),
)}.sig`;

describe("sessionFromJwt (decoded without verification)", () => {
  it("local-first and anonymous tokens", () => {
    expect(sessionFromJwt(mintLocalFirstToken(secret, { audience: "my-app" }))).toEqual({
      user_id: userId,
      claims: { subject: userId, issuer: "urn:jazz:local-first" },
      authMode: "local-first",
    });
    expect(sessionFromJwt(mintAnonymousToken({ audience: "my-app" }).token)?.authMode).toBe("anonymous");
  });

  it("external tokens: nested claims spread, plus subject and issuer", () => {
    expect(sessionFromJwt(externalJwt)).toEqual({
      user_id: "user_123",
      claims: { role: "member", subject: "user_123", issuer: "https://idp.example" },
      authMode: "external",
    });
  });

  it("null for undecodable tokens or a missing sub", () => {
    expect(sessionFromJwt("nope")).toBeNull();
    expect(sessionFromJwt(`${b64url("{}")}.${b64url('{"iss":"x"}')}.s`)).toBeNull();
    expect(sessionFromJwt(`a.%%%.c`)).toBeNull();
  });
});

describe("auth state helpers for the Db", () => {
  it("authStateFromJwt reports expiry, missing and invalid", () => {
    const token = mintLocalFirstToken(secret, { audience: "my-app", now: 0, ttlSeconds: 60 });
    expect(authStateFromJwt(token, { now: 30_000 })).toMatchObject({ authMode: "local-first", session: { user_id: userId } });
    expect(authStateFromJwt(token, { now: 30_000 }).error).toBeUndefined();
    expect(authStateFromJwt(token, { now: 60_000 }).error).toBe("expired");
    expect(authStateFromJwt(null)).toEqual({ authMode: "external", session: null, error: "missing" });
    expect(authStateFromJwt("x.y.z").error).toBe("invalid");
  });

  it("updateAuthToken may refresh the same principal but not switch it", () => {
    const a = mintLocalFirstToken(secret, { audience: "my-app", now: 0 });
    const a2 = mintLocalFirstToken(secret, { audience: "my-app", now: 1_000_000 });
    expect(assertSamePrincipal(a, a2)?.user_id).toBe(userId);
    expect(() => assertSamePrincipal(a, externalJwt)).toThrowError(AuthPrincipalChangeError);
    expect(() => assertSamePrincipal(a, externalJwt)).toThrowError(
      "Changing auth principal on a live client is not supported. Recreate the Db.",
    );
  });

  it("identity proofs default to 60 s for the app id, null without a secret", () => {
    const proof = getLocalFirstIdentityProof(secret, { appId: "my-app", now: 5_000_000 })!;
    const claims = JSON.parse(Buffer.from(proof.split(".")[1], "base64url").toString());
    expect(claims.exp - claims.iat).toBe(60);
    expect(verifyLocalFirstIdentityProof(proof, "my-app", { now: 5_000_000 })).toMatchObject({ ok: true, id: userId });
    const signup = getLocalFirstIdentityProof(secret, { appId: "my-app", audience: "betterauth-signup" })!;
    expect(verifyLocalFirstIdentityProof(signup, "betterauth-signup").ok).toBe(true);
    expect(verifyLocalFirstIdentityProof(signup, "my-app").ok).toBe(false);
    expect(getLocalFirstIdentityProof(null, { appId: "my-app" })).toBeNull();
  });

  it("session tokens are refreshed at 80 % of 3600 s", () => {
    expect(refreshDelayMs()).toBe(2_880_000);
  });
});
