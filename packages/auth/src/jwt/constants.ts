export const LOCAL_FIRST_ISSUER = "urn:jazz:local-first";
export const ANONYMOUS_ISSUER = "urn:jazz:anonymous";
export type JazzIssuer = typeof LOCAL_FIRST_ISSUER | typeof ANONYMOUS_ISSUER;

/** Session tokens live an hour and are refreshed at 80 % of their lifetime (2880 s). */
export const SESSION_TOKEN_TTL_SECONDS = 3600;
export const TOKEN_REFRESH_FRACTION = 0.8;
/** Identity proofs (`db.getLocalFirstIdentityProof`) default to 60 s. */
export const IDENTITY_PROOF_TTL_SECONDS = 60;
/** The verifier's limits: max lifetime and tolerated clock skew on `iat`. */
export const MAX_TOKEN_TTL_SECONDS = 3600;
export const MAX_IAT_SKEW_SECONDS = 60;

/** Milliseconds after minting at which a token of `ttlSeconds` should be replaced. */
export function refreshDelayMs(ttlSeconds: number = SESSION_TOKEN_TTL_SECONDS): number {
  return Math.round(ttlSeconds * TOKEN_REFRESH_FRACTION * 1000);
}
