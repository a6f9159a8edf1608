import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";
import { bytesToBase64Url } from "../encoding/base64url.ts";
import { validateAuthSecret } from "../secret/secret.ts";
import { NAMESPACE_JAZZ_AUTH_KEY } from "./uuid.ts";
import { uuidV5 } from "./uuid-v5.ts";

import { SIGN_DOMAIN } from "./sign-domain.ts";

/** noble's synchronous API needs a SHA-512; set on first use, not on import (tree-shaking). */
function ready(): typeof ed {
  ed.hashes.sha512 ??= sha512;
  return ed;
}

export interface LocalFirstIdentity {
  /** UUIDv5(jazz-auth-key-v1, publicKey) — the account id, `sub` of every token. */
  userId: string;
  publicKey: Uint8Array;
  /** base64url (no padding) of publicKey: the `jazz_pub_key` claim. */
  publicKeyB64: string;
}

interface CachedIdentity extends LocalFirstIdentity {
  signingKey: Uint8Array;
}

/** user id for a raw 32-byte Ed25519 public key. */
export function userIdFromPublicKey(publicKey: Uint8Array): string {
  return uuidV5(NAMESPACE_JAZZ_AUTH_KEY, publicKey);
}

// Derivation is a scalar multiplication (~1 ms); the Db calls it at every token refresh, proof
// and session read, so keep a small per-secret cache (bounded: secrets are few per page).
const cache = new Map<string, CachedIdentity>();
const CACHE_LIMIT = 64;

/** SHA-512("jazz-auth-sign-v1" ‖ seed)[0..32]: the Ed25519 private key seed of `secret`. */
export function signingKeyFor(secret: string): Uint8Array {
  const seed = validateAuthSecret(secret);
  const input = new Uint8Array(SIGN_DOMAIN.length + seed.length);
  input.set(SIGN_DOMAIN, 0);
  input.set(seed, SIGN_DOMAIN.length);
  // The domain string is prepended before hashing; the first 32 bytes are the Ed25519 seed.
  return sha512(input).slice(0, 32);
}

function remember(secret: string, signingKey: Uint8Array, publicKey: Uint8Array): CachedIdentity {
  const identity: CachedIdentity = {
    userId: userIdFromPublicKey(publicKey),
    publicKey,
    publicKeyB64: bytesToBase64Url(publicKey),
    signingKey,
  };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(secret, identity);
  return identity;
}

function derive(secret: string): CachedIdentity {
  const hit = cache.get(secret);
  if (hit) return hit;
  const signingKey = signingKeyFor(secret);
  return remember(secret, signingKey, ready().getPublicKey(signingKey));
}

export function deriveLocalFirstIdentity(secret: string): LocalFirstIdentity {
  const { userId, publicKey, publicKeyB64 } = derive(secret);
  // Copy so callers cannot mutate the cached key.
  return { userId, publicKey: publicKey.slice(), publicKeyB64 };
}

/** Ed25519 signature with the key derived from `secret`. Internal to token minting. */
export function signWithSecret(secret: string, message: Uint8Array): Uint8Array {
  return ready().sign(message, derive(secret).signingKey);
}
