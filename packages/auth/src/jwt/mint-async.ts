// Native WebCrypto Ed25519, SHA-512 and SHA-1 for start-up, refresh and proofs: the same bytes
// as the sync path (Ed25519 is deterministic), without building noble's base-point table and
// without shipping noble to pages at all. An engine without Ed25519 in WebCrypto loads the
// pure-JS signer (mint.ts) on demand.
import { bytesToBase64Url, base64UrlToBytes } from "../encoding/base64url.ts";
import { SIGN_DOMAIN } from "../identity/sign-domain.ts";
import { NAMESPACE_JAZZ_AUTH_KEY, uuidV5FromSha1, uuidV5Input } from "../identity/uuid.ts";
import type { LocalFirstIdentity } from "../identity/derive.ts";
import { generateAuthSecret, validateAuthSecret } from "../secret/secret.ts";
import { normalizeAudienceAsync } from "./audience-async.ts";
import { ANONYMOUS_ISSUER, IDENTITY_PROOF_TTL_SECONDS } from "./constants.ts";
import { checkMintOptions, signingInputFor, type MintTokenOptions } from "./signing-input.ts";

const PKCS8_ED25519_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
const encoder = new TextEncoder();
let nativeUnavailable = false;

interface NativeKey {
  key: CryptoKey;
  identity: LocalFirstIdentity;
}
const keys = new Map<string, Promise<NativeKey | null>>();

const concat = (a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
};

async function importKey(seed: Uint8Array): Promise<NativeKey | null> {
  const subtle = globalThis.crypto?.subtle;
  if (nativeUnavailable || !subtle) return null;
  try {
    const signingKey = new Uint8Array(await subtle.digest("SHA-512", concat(SIGN_DOMAIN, seed))).slice(0, 32);
    const key = await subtle.importKey("pkcs8", concat(PKCS8_ED25519_PREFIX, signingKey), { name: "Ed25519" }, true, ["sign"]);
    const publicKey = base64UrlToBytes((await subtle.exportKey("jwk", key)).x!);
    const userId = uuidV5FromSha1(new Uint8Array(await subtle.digest("SHA-1", uuidV5Input(NAMESPACE_JAZZ_AUTH_KEY, publicKey) as Uint8Array<ArrayBuffer>)));
    return { key, identity: { userId, publicKey, publicKeyB64: bytesToBase64Url(publicKey) } };
  } catch {
    // Ed25519 not in this engine's WebCrypto: use the pure-JS path from now on.
    nativeUnavailable = true;
    return null;
  }
}

function keyFor(secret: string): Promise<NativeKey | null> {
  const seed = validateAuthSecret(secret);
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 64) keys.delete(keys.keys().next().value!);
    keys.set(secret, (key = importKey(seed)));
  }
  return key;
}

const pureJs = () => import("./pure-js.ts");

export async function deriveLocalFirstIdentityAsync(secret: string): Promise<LocalFirstIdentity> {
  const native = await keyFor(secret);
  if (!native) return (await pureJs()).deriveLocalFirstIdentity(secret);
  const { userId, publicKey, publicKeyB64 } = native.identity;
  return { userId, publicKey: publicKey.slice(), publicKeyB64 };
}

/** Same token as `mintLocalFirstToken`, signed by the platform's Ed25519 when it has one. */
export async function mintLocalFirstTokenAsync(secret: string, options: MintTokenOptions): Promise<string> {
  checkMintOptions(options);
  const native = await keyFor(secret);
  if (!native) return (await pureJs()).mintLocalFirstToken(secret, options);
  const signingInput = signingInputFor(native.identity, options, await normalizeAudienceAsync(options.audience));
  const signature = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, native.key, encoder.encode(signingInput)));
  return `${signingInput}.${bytesToBase64Url(signature)}`;
}

export async function mintAnonymousTokenAsync(
  options: Omit<MintTokenOptions, "issuer"> & { secret?: string },
): Promise<{ token: string; secret: string }> {
  const { secret = generateAuthSecret(), ...rest } = options;
  return { token: await mintLocalFirstTokenAsync(secret, { ...rest, issuer: ANONYMOUS_ISSUER }), secret };
}

/** `getLocalFirstIdentityProof`, signed natively: what a page's Db answers (it has no noble). */
export async function getLocalFirstIdentityProofAsync(
  secret: string | null | undefined,
  options: { appId: string; audience?: string; ttlSeconds?: number; now?: number },
): Promise<string | null> {
  if (!secret) return null;
  return mintLocalFirstTokenAsync(secret, {
    audience: options.audience ?? options.appId,
    ttlSeconds: options.ttlSeconds ?? IDENTITY_PROOF_TTL_SECONDS,
    now: options.now,
  });
}
