import { bytesToBase64Url, utf8ToBase64Url } from "../encoding/base64url.ts";
import { deriveLocalFirstIdentity, signWithSecret } from "../identity/derive.ts";
import { generateAuthSecret } from "../secret/secret.ts";
import { normalizeAudience } from "./audience.ts";
import {
  ANONYMOUS_ISSUER,
  LOCAL_FIRST_ISSUER,
  MAX_TOKEN_TTL_SECONDS,
  SESSION_TOKEN_TTL_SECONDS,
  type JazzIssuer,
} from "./constants.ts";

export interface MintTokenOptions {
  /** App id or UUID; normalised with `normalizeAudience`. */
  audience: string;
  /** Default 3600; the verifier refuses more than 3600. */
  ttlSeconds?: number;
  /** Clock in milliseconds since the epoch (like `Date.now()`); default `Date.now()`. */
  now?: number;
  issuer?: JazzIssuer;
}

/** Claims in the exact order the reference serialises them. */
export interface LocalFirstClaims {
  iss: JazzIssuer;
  sub: string;
  aud: string;
  jazz_pub_key: string;
  iat: number;
  exp: number;
}

export class TokenMintError extends Error {
  override name = "TokenMintError";
}

const HEADER_B64 = utf8ToBase64Url(JSON.stringify({ alg: "EdDSA", typ: "JWT" }));
const encoder = new TextEncoder();

/** `b64url(header).b64url(claims)` for `secret`, claims in the reference order. */
export function localFirstSigningInput(secret: string, options: MintTokenOptions): string {
  const ttl = options.ttlSeconds ?? SESSION_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_TOKEN_TTL_SECONDS) {
    throw new TokenMintError(`ttlSeconds must be an integer in 1..${MAX_TOKEN_TTL_SECONDS}, got ${ttl}`);
  }
  const issuer = options.issuer ?? LOCAL_FIRST_ISSUER;
  if (issuer !== LOCAL_FIRST_ISSUER && issuer !== ANONYMOUS_ISSUER) {
    throw new TokenMintError(`issuer must be ${LOCAL_FIRST_ISSUER} or ${ANONYMOUS_ISSUER}`);
  }
  const identity = deriveLocalFirstIdentity(secret);
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const claims: LocalFirstClaims = {
    iss: issuer,
    sub: identity.userId,
    aud: normalizeAudience(options.audience),
    jazz_pub_key: identity.publicKeyB64,
    iat,
    exp: iat + ttl,
  };
  return `${HEADER_B64}.${utf8ToBase64Url(JSON.stringify(claims))}`;
}

/**
 * A self-signed EdDSA JWT proving ownership of the identity derived from `secret`. Synchronous
 * (pure JS); the first call in a process builds noble's base-point table (tens of ms), so start-up
 * paths that can await should prefer `mintLocalFirstTokenAsync` (native WebCrypto Ed25519).
 */
export function mintLocalFirstToken(secret: string, options: MintTokenOptions): string {
  const signingInput = localFirstSigningInput(secret, options);
  const signature = signWithSecret(secret, encoder.encode(signingInput));
  return `${signingInput}.${bytesToBase64Url(signature)}`;
}

/**
 * An `urn:jazz:anonymous` token. With no secret, a fresh random seed is used (what `createDb`
 * does when no auth is configured); the returned secret lets the caller re-mint on refresh.
 */
export function mintAnonymousToken(
  options: Omit<MintTokenOptions, "issuer"> & { secret?: string },
): { token: string; secret: string } {
  const secret = options.secret ?? generateAuthSecret();
  const { secret: _ignored, ...rest } = options;
  return { token: mintLocalFirstToken(secret, { ...rest, issuer: ANONYMOUS_ISSUER }), secret };
}
