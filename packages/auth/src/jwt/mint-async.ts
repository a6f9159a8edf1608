// Native WebCrypto Ed25519 for start-up and refresh: same bytes as the sync path (Ed25519 is
// deterministic), without building noble's base-point table on the page's first token.
import { bytesToBase64Url, base64UrlToBytes } from "../encoding/base64url.ts";
import { deriveLocalFirstIdentity, hasCachedIdentity, primeIdentityCache, signingKeyFor, type LocalFirstIdentity } from "../identity/derive.ts";
import { generateAuthSecret, validateAuthSecret } from "../secret/secret.ts";
import { ANONYMOUS_ISSUER } from "./constants.ts";
import { localFirstSigningInput, mintLocalFirstToken, type MintTokenOptions } from "./mint.ts";

const PKCS8_ED25519_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const encoder = new TextEncoder();
let nativeUnavailable = false;
const keys = new Map<string, Promise<CryptoKey | null>>();

async function importKey(secret: string): Promise<CryptoKey | null> {
  const subtle = globalThis.crypto?.subtle;
  if (nativeUnavailable || !subtle) return null;
  const signingKey = signingKeyFor(secret);
  const der = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
  der.set(PKCS8_ED25519_PREFIX);
  der.set(signingKey, PKCS8_ED25519_PREFIX.length);
  try {
    const key = await subtle.importKey("pkcs8", der, { name: "Ed25519" }, !hasCachedIdentity(secret), ["sign"]);
    if (!hasCachedIdentity(secret)) {
      const jwk = await subtle.exportKey("jwk", key);
      primeIdentityCache(secret, signingKey, base64UrlToBytes(jwk.x!));
    }
    return key;
  } catch {
    // Ed25519 not in this engine's WebCrypto: use the pure-JS path from now on.
    nativeUnavailable = true;
    return null;
  }
}

function keyFor(secret: string): Promise<CryptoKey | null> {
  validateAuthSecret(secret);
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 64) keys.delete(keys.keys().next().value!);
    keys.set(secret, (key = importKey(secret)));
  }
  return key;
}

export async function deriveLocalFirstIdentityAsync(secret: string): Promise<LocalFirstIdentity> {
  await keyFor(secret);
  return deriveLocalFirstIdentity(secret);
}

/** Same token as `mintLocalFirstToken`, signed by the platform's Ed25519 when it has one. */
export async function mintLocalFirstTokenAsync(secret: string, options: MintTokenOptions): Promise<string> {
  const key = await keyFor(secret);
  if (!key) return mintLocalFirstToken(secret, options);
  const signingInput = localFirstSigningInput(secret, options);
  const signature = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, key, encoder.encode(signingInput)));
  return `${signingInput}.${bytesToBase64Url(signature)}`;
}

export async function mintAnonymousTokenAsync(
  options: Omit<MintTokenOptions, "issuer"> & { secret?: string },
): Promise<{ token: string; secret: string }> {
  const { secret = generateAuthSecret(), ...rest } = options;
  return { token: await mintLocalFirstTokenAsync(secret, { ...rest, issuer: ANONYMOUS_ISSUER }), secret };
}
