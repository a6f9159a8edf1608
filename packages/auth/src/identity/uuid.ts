// UUID text and bytes; no hashing here (uuid-v5.ts hashes with pure-JS SHA-1, the async
// signer with WebCrypto's), so a page that never hashes synchronously does not ship SHA-1.

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID_RE.test(text);
}

export function uuidToBytes(uuid: string): Uint8Array {
  if (!isUuid(uuid)) throw new TypeError(`not a UUID: ${JSON.stringify(uuid)}`);
  const hex = uuid.replace(/-/g, "");
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function bytesToUuid(b: Uint8Array): string {
  let hex = "";
  for (let i = 0; i < 16; i++) hex += b[i].toString(16).padStart(2, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The bytes UUIDv5 hashes: namespace ‖ name. */
export function uuidV5Input(namespace: Uint8Array, name: Uint8Array): Uint8Array {
  const input = new Uint8Array(16 + name.length);
  input.set(namespace, 0);
  input.set(name, 16);
  return input;
}

/** A UUIDv5 from SHA-1(namespace ‖ name): version 5, RFC 4122 variant. */
export function uuidV5FromSha1(digest: Uint8Array): string {
  const hash = digest.slice(0, 16);
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  return bytesToUuid(hash);
}


/** RFC 4122 DNS namespace, used to turn a non-UUID app id into a UUID audience. */
export const NAMESPACE_DNS = uuidToBytes("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
/** The 16 ASCII bytes "jazz-auth-key-v1" = 6a617a7a-2d61-7574-682d-6b65792d7631. */
export const NAMESPACE_JAZZ_AUTH_KEY = new TextEncoder().encode("jazz-auth-key-v1");
