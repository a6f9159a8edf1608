import { base64UrlToBytes, base64UrlToUtf8, Base64UrlError } from "../encoding/base64url.ts";
import { userIdFromPublicKey } from "../identity/derive.ts";
import { normalizeAudience } from "./audience.ts";
import {
  ANONYMOUS_ISSUER,
  LOCAL_FIRST_ISSUER,
  MAX_IAT_SKEW_SECONDS,
  MAX_TOKEN_TTL_SECONDS,
  type JazzIssuer,
} from "./constants.ts";
import type { LocalFirstClaims } from "./mint.ts";
import { verifyEd25519Strict } from "./strict-ed25519.ts";

/** One code per check, so a caller (and a test) can tell exactly which check refused a token. */
export type IdentityProofErrorCode =
  | "malformed"
  | "invalid-encoding"
  | "invalid-header"
  | "unsupported-alg"
  | "invalid-claims"
  | "unknown-claim"
  | "unknown-issuer"
  | "audience-mismatch"
  | "invalid-public-key"
  | "invalid-signature"
  | "sub-mismatch"
  | "issued-in-future"
  | "expired"
  | "invalid-lifetime"
  | "ttl-exceeded";

export type IdentityProofResult =
  | {
      ok: true;
      /** The proven Jazz user id (`sub`, recomputed from `jazz_pub_key`). */
      id: string;
      error?: undefined;
      authMode: "local-first" | "anonymous";
      claims: LocalFirstClaims;
    }
  | { ok: false; id?: undefined; error: string; code: IdentityProofErrorCode };

export interface VerifyOptions {
  /** Clock in milliseconds since the epoch; default `Date.now()`. */
  now?: number;
}

const CLAIM_KEYS = ["iss", "sub", "aud", "jazz_pub_key", "iat", "exp"] as const;
const ALLOWED_HEADER_KEYS = new Set(["alg", "typ"]);
const SEGMENT_RE = /^[A-Za-z0-9_-]*$/;
const encoder = new TextEncoder();

class Reject {
  constructor(readonly code: IdentityProofErrorCode, readonly error: string) {}
}

function parseJsonObject(segment: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    text = base64UrlToUtf8(segment);
  } catch (error) {
    throw new Reject("invalid-encoding", `invalid ${what} encoding: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Reject(what === "header" ? "invalid-header" : "invalid-claims", `${what} is not valid JSON`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Reject(what === "header" ? "invalid-header" : "invalid-claims", `${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function check(token: unknown, audience: string, options: VerifyOptions): IdentityProofResult {
  if (typeof token !== "string" || token.length === 0) throw new Reject("malformed", "missing token");
  const parts = token.split(".");
  if (parts.length !== 3) throw new Reject("malformed", "malformed token: expected header.claims.signature");
  for (const part of parts) {
    if (part.includes("=")) throw new Reject("invalid-encoding", "invalid token encoding: base64url must not be padded");
    if (!SEGMENT_RE.test(part)) throw new Reject("invalid-encoding", "invalid token encoding: not base64url");
  }
  const [headerB64, claimsB64, signatureB64] = parts;

  const header = parseJsonObject(headerB64, "header");
  if (header.alg !== "EdDSA") {
    throw new Reject("unsupported-alg", `unsupported alg ${JSON.stringify(header.alg)}: only EdDSA is accepted`);
  }
  if (header.typ !== undefined && header.typ !== "JWT") throw new Reject("invalid-header", "header typ must be JWT");
  for (const key of Object.keys(header)) {
    if (!ALLOWED_HEADER_KEYS.has(key)) throw new Reject("invalid-header", `unsupported header parameter ${key}`);
  }

  const claims = parseJsonObject(claimsB64, "claims");
  for (const key of Object.keys(claims)) {
    if (!(CLAIM_KEYS as readonly string[]).includes(key)) throw new Reject("unknown-claim", `unknown claim ${key}`);
  }
  for (const key of CLAIM_KEYS) {
    if (!(key in claims)) throw new Reject("invalid-claims", `missing claim ${key}`);
  }
  const { iss, sub, aud, jazz_pub_key, iat, exp } = claims;
  if (typeof iss !== "string" || typeof sub !== "string" || typeof aud !== "string" || typeof jazz_pub_key !== "string") {
    throw new Reject("invalid-claims", "claims iss, sub, aud and jazz_pub_key must be strings");
  }
  if (!Number.isSafeInteger(iat) || !Number.isSafeInteger(exp) || (iat as number) < 0 || (exp as number) < 0) {
    throw new Reject("invalid-claims", "claims iat and exp must be non-negative integers");
  }
  if (iss !== LOCAL_FIRST_ISSUER && iss !== ANONYMOUS_ISSUER) throw new Reject("unknown-issuer", `unknown issuer ${iss}`);

  let expectedAudience: string;
  try {
    expectedAudience = normalizeAudience(audience);
  } catch {
    throw new Reject("audience-mismatch", "audience mismatch: no expected audience given");
  }
  if (aud !== expectedAudience) throw new Reject("audience-mismatch", "audience mismatch");

  let publicKey: Uint8Array;
  try {
    publicKey = base64UrlToBytes(jazz_pub_key);
  } catch (error) {
    if (!(error instanceof Base64UrlError)) throw error;
    throw new Reject("invalid-public-key", `invalid jazz_pub_key: ${error.message}`);
  }
  if (publicKey.length !== 32) throw new Reject("invalid-public-key", "invalid jazz_pub_key: expected 32 bytes");

  let signature: Uint8Array;
  try {
    signature = base64UrlToBytes(signatureB64);
  } catch (error) {
    throw new Reject("invalid-encoding", `invalid signature encoding: ${(error as Error).message}`);
  }
  if (signature.length !== 64 || !verifyEd25519Strict(signature, encoder.encode(`${headerB64}.${claimsB64}`), publicKey)) {
    throw new Reject("invalid-signature", "invalid signature");
  }
  if (userIdFromPublicKey(publicKey) !== sub) throw new Reject("sub-mismatch", "sub mismatch");

  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const issuedAt = iat as number;
  const expiresAt = exp as number;
  if (issuedAt > now + MAX_IAT_SKEW_SECONDS) {
    throw new Reject("issued-in-future", `token issued in the future (iat ${issuedAt} > now ${now} + ${MAX_IAT_SKEW_SECONDS}s)`);
  }
  if (expiresAt <= now) throw new Reject("expired", "token expired");
  if (expiresAt <= issuedAt) throw new Reject("invalid-lifetime", "token exp must be after iat");
  if (expiresAt - issuedAt > MAX_TOKEN_TTL_SECONDS) {
    throw new Reject("ttl-exceeded", `token ttl ${expiresAt - issuedAt}s exceeds max ${MAX_TOKEN_TTL_SECONDS}s`);
  }

  const verified: LocalFirstClaims = { iss: iss as JazzIssuer, sub, aud, jazz_pub_key, iat: issuedAt, exp: expiresAt };
  return { ok: true, id: sub, authMode: iss === LOCAL_FIRST_ISSUER ? "local-first" : "anonymous", claims: verified };
}

/**
 * Strict verifier for Jazz self-signed tokens (session tokens and identity proofs), shared by
 * the sync server and `jazz-tools/backend`. Never throws: any input gives `{ ok: false, error }`.
 */
export function verifyLocalFirstIdentityProof(
  token: string,
  audience: string,
  options: VerifyOptions = {},
): IdentityProofResult {
  try {
    return check(token, audience, options);
  } catch (error) {
    if (error instanceof Reject) return { ok: false, error: error.error, code: error.code };
    return { ok: false, error: `invalid token: ${(error as Error)?.message ?? String(error)}`, code: "malformed" };
  }
}
