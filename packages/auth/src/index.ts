// @jazz-tools/auth — isomorphic identity, tokens and sessions. Browser-only pieces live in the
// "./browser", "./passkey-backup" subpaths and the BIP-39 wordlist in "./passphrase", so Node
// users and the main bundle do not pull them.
export { bytesToBase64Url, base64UrlToBytes, utf8ToBase64Url, base64UrlToUtf8, Base64UrlError } from "./encoding/base64url.ts";
export {
  generateAuthSecret,
  validateAuthSecret,
  isValidAuthSecret,
  authSecretFromBytes,
  AuthSecretError,
  AUTH_SECRET_BYTES,
  AUTH_SECRET_LENGTH,
} from "./secret/secret.ts";
export { deriveLocalFirstIdentity, userIdFromPublicKey, signWithSecret, type LocalFirstIdentity } from "./identity/derive.ts";
export { isUuid, NAMESPACE_DNS, NAMESPACE_JAZZ_AUTH_KEY } from "./identity/uuid.ts";
export { uuidV5 } from "./identity/uuid-v5.ts";
export { normalizeAudience } from "./jwt/audience.ts";
export {
  LOCAL_FIRST_ISSUER,
  ANONYMOUS_ISSUER,
  SESSION_TOKEN_TTL_SECONDS,
  TOKEN_REFRESH_FRACTION,
  IDENTITY_PROOF_TTL_SECONDS,
  MAX_TOKEN_TTL_SECONDS,
  MAX_IAT_SKEW_SECONDS,
  refreshDelayMs,
  type JazzIssuer,
} from "./jwt/constants.ts";
export {
  mintLocalFirstToken,
  mintAnonymousToken,
  getLocalFirstIdentityProof,
  syncSigner,
  type SyncSigner,
  TokenMintError,
  type MintTokenOptions,
  type LocalFirstClaims,
} from "./jwt/mint.ts";
export { mintLocalFirstTokenAsync, mintAnonymousTokenAsync, deriveLocalFirstIdentityAsync, getLocalFirstIdentityProofAsync } from "./jwt/mint-async.ts";
export {
  verifyLocalFirstIdentityProof,
  type IdentityProofResult,
  type IdentityProofErrorCode,
  type VerifyOptions,
} from "./jwt/verify.ts";
export {
  sessionFromJwt,
  decodeJwtPayload,
  authModeFromIssuer,
  authStateFromJwt,
  jwtExpiresAtMs,
  assertSamePrincipal,
  AuthPrincipalChangeError,
  type Session,
  type AuthState,
  type AuthMode,
} from "./session/session.ts";
export { JazzError } from "./errors.ts";
