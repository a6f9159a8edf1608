// The unsigned part of a local-first token, `b64url(header).b64url(claims)`: no crypto here, so
// the async (WebCrypto) and sync (noble) signers share it without pulling each other in.
import { JazzError } from "../errors.ts";
import { utf8ToBase64Url } from "../encoding/base64url.ts";
import { ANONYMOUS_ISSUER, LOCAL_FIRST_ISSUER, MAX_TOKEN_TTL_SECONDS, SESSION_TOKEN_TTL_SECONDS, type JazzIssuer } from "./constants.ts";

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

export class TokenMintError extends JazzError {
  readonly code: string = "token_mint";
  override name = "TokenMintError";
}

const HEADER_B64 = utf8ToBase64Url(JSON.stringify({ alg: "EdDSA", typ: "JWT" }));

/** Refuses options the verifier would refuse, before any key work. */
export function checkMintOptions(options: MintTokenOptions): void {
  const ttl = options.ttlSeconds ?? SESSION_TOKEN_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_TOKEN_TTL_SECONDS) {
    throw new TokenMintError(`ttlSeconds must be an integer in 1..${MAX_TOKEN_TTL_SECONDS}, got ${ttl}`);
  }
  const issuer = options.issuer ?? LOCAL_FIRST_ISSUER;
  if (issuer !== LOCAL_FIRST_ISSUER && issuer !== ANONYMOUS_ISSUER) {
    throw new TokenMintError(`issuer must be ${LOCAL_FIRST_ISSUER} or ${ANONYMOUS_ISSUER}`);
  }
}

/**
 * `b64url(header).b64url(claims)` for an identity, claims in the reference order. `aud`: the
 * normalised audience (normalizeAudience), computed by the caller with its own SHA-1.
 */
export function signingInputFor(identity: { userId: string; publicKeyB64: string }, options: MintTokenOptions, aud: string): string {
  checkMintOptions(options);
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const claims: LocalFirstClaims = {
    iss: options.issuer ?? LOCAL_FIRST_ISSUER,
    sub: identity.userId,
    aud,
    jazz_pub_key: identity.publicKeyB64,
    iat,
    exp: iat + (options.ttlSeconds ?? SESSION_TOKEN_TTL_SECONDS),
  };
  return `${HEADER_B64}.${utf8ToBase64Url(JSON.stringify(claims))}`;
}
