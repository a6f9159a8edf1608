import { bytesToBase64Url } from "../encoding/base64url.ts";
import { deriveLocalFirstIdentity, signWithSecret } from "../identity/derive.ts";
import { generateAuthSecret } from "../secret/secret.ts";
import { normalizeAudience } from "./audience.ts";
import { ANONYMOUS_ISSUER, IDENTITY_PROOF_TTL_SECONDS } from "./constants.ts";
import { checkMintOptions, signingInputFor, type MintTokenOptions } from "./signing-input.ts";

export { TokenMintError, type MintTokenOptions, type LocalFirstClaims } from "./signing-input.ts";

const encoder = new TextEncoder();

/** `b64url(header).b64url(claims)` for `secret`, claims in the reference order. */
export function localFirstSigningInput(secret: string, options: MintTokenOptions): string {
  checkMintOptions(options); // before deriving: a bad option fails without key work
  return signingInputFor(deriveLocalFirstIdentity(secret), options, normalizeAudience(options.audience));
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

/**
 * `db.getLocalFirstIdentityProof({ ttlSeconds = 60, audience = appId })`: a short-lived
 * local-first token, or null when the Db has no local-first secret.
 */
export function getLocalFirstIdentityProof(
  secret: string | null | undefined,
  options: { appId: string; audience?: string; ttlSeconds?: number; now?: number },
): string | null {
  if (!secret) return null;
  return mintLocalFirstToken(secret, {
    audience: options.audience ?? options.appId,
    ttlSeconds: options.ttlSeconds ?? IDENTITY_PROOF_TTL_SECONDS,
    now: options.now,
  });
}

/** The synchronous (pure JS) signer a Db uses where it must mint without awaiting (Node). */
export interface SyncSigner {
  mintLocalFirstToken: typeof mintLocalFirstToken;
  mintAnonymousToken: typeof mintAnonymousToken;
  getLocalFirstIdentityProof: typeof getLocalFirstIdentityProof;
}
export const syncSigner: SyncSigner = { mintLocalFirstToken, mintAnonymousToken, getLocalFirstIdentityProof };
