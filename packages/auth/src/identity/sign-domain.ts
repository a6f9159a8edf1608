/** Prepended to the secret before SHA-512 to get the Ed25519 seed ("jazz-auth-sign-v1"). */
export const SIGN_DOMAIN = new TextEncoder().encode("jazz-auth-sign-v1");
