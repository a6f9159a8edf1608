import { JazzError } from "../errors.ts";
import { base64UrlToBytes, bytesToBase64Url, Base64UrlError } from "../encoding/base64url.ts";

export const AUTH_SECRET_BYTES = 32;
/** 32 bytes as unpadded base64url. */
export const AUTH_SECRET_LENGTH = 43;

export class AuthSecretError extends JazzError {
  readonly code: string = "auth_secret";
  override name = "AuthSecretError";
}

function randomBytes(n: number): Uint8Array {
  const c = globalThis.crypto;
  if (!c?.getRandomValues) throw new AuthSecretError("no CSPRNG available (globalThis.crypto.getRandomValues)");
  return c.getRandomValues(new Uint8Array(n));
}

/** A new local-first account: 32 CSPRNG bytes, base64url without padding (43 characters). */
export function generateAuthSecret(): string {
  return bytesToBase64Url(randomBytes(AUTH_SECRET_BYTES));
}

/**
 * Checks a secret where it enters (store, login, phrase, passkey, token minting) and returns its
 * 32 bytes. Rejects what the reference's `decode_seed` (URL_SAFE_NO_PAD) rejects.
 */
export function validateAuthSecret(secret: unknown): Uint8Array {
  if (typeof secret !== "string") {
    throw new AuthSecretError(`auth secret must be a string, got ${secret === null ? "null" : typeof secret}`);
  }
  if (secret.length === 0) throw new AuthSecretError("auth secret is empty");
  if (secret.includes("=")) {
    throw new AuthSecretError(
      "auth secret must be base64url without padding: remove the trailing '=' (expected 43 characters)",
    );
  }
  if (/[+/]/.test(secret)) {
    throw new AuthSecretError(
      "auth secret uses the standard base64 alphabet ('+' or '/'): it must be base64url ('-' and '_')",
    );
  }
  const foreign = /[^A-Za-z0-9_-]/.exec(secret);
  if (foreign) {
    throw new AuthSecretError(
      `invalid auth secret: character ${JSON.stringify(foreign[0])} at ${foreign.index} is not base64url (A-Z a-z 0-9 - _)`,
    );
  }
  if (secret.length !== AUTH_SECRET_LENGTH) {
    throw new AuthSecretError(
      `auth secret must encode exactly ${AUTH_SECRET_BYTES} bytes (${AUTH_SECRET_LENGTH} base64url characters), got ${secret.length} characters`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = base64UrlToBytes(secret);
  } catch (error) {
    if (error instanceof Base64UrlError) throw new AuthSecretError(`invalid auth secret: ${error.message}`);
    throw error;
  }
  if (bytes.length !== AUTH_SECRET_BYTES) {
    throw new AuthSecretError(
      `auth secret must encode exactly ${AUTH_SECRET_BYTES} bytes (${AUTH_SECRET_LENGTH} base64url characters), got ${bytes.length} bytes (${secret.length} characters)`,
    );
  }
  return bytes;
}

export function isValidAuthSecret(secret: unknown): secret is string {
  try {
    validateAuthSecret(secret);
    return true;
  } catch {
    return false;
  }
}

export function authSecretFromBytes(bytes: Uint8Array): string {
  if (!(bytes instanceof Uint8Array) || bytes.length !== AUTH_SECRET_BYTES) {
    throw new AuthSecretError(`auth secret must be exactly ${AUTH_SECRET_BYTES} bytes`);
  }
  return bytesToBase64Url(bytes);
}
