// Test-only: an INDEPENDENT implementation of the published algorithm (reference §2.6) on
// node:crypto, so golden values are not our own code checked against itself.
import { createHash, createHmac, createPrivateKey, createPublicKey, sign, type KeyObject } from "node:crypto";

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

export function b64url(bytes: Uint8Array | string): string {
  return Buffer.from(bytes).toString("base64url");
}

export function nodeUuidV5(namespaceHex: string, name: Uint8Array): string {
  const h = createHash("sha1").update(Buffer.from(namespaceHex.replace(/-/g, ""), "hex")).update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export interface NodeIdentity {
  privateKey: KeyObject;
  publicKey: Uint8Array;
  publicKeyB64: string;
  userId: string;
}

export function nodeIdentity(seed: Uint8Array): NodeIdentity {
  const ed = createHash("sha512").update("jazz-auth-sign-v1").update(seed).digest().subarray(0, 32);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, ed]), format: "der", type: "pkcs8" });
  const jwk = createPublicKey(privateKey).export({ format: "jwk" }) as { x: string };
  const publicKey = new Uint8Array(Buffer.from(jwk.x, "base64url"));
  // namespace = ASCII "jazz-auth-key-v1"
  const userId = nodeUuidV5(Buffer.from("jazz-auth-key-v1").toString("hex"), publicKey);
  return { privateKey, publicKey, publicKeyB64: jwk.x, userId };
}

export const NAMESPACE_DNS_HEX = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

/** Builds and EdDSA-signs an arbitrary JWT (header and claims serialised exactly as given). */
export function nodeSignJwt(privateKey: KeyObject, header: object | string, claims: object | string): string {
  const h = b64url(typeof header === "string" ? header : JSON.stringify(header));
  const c = b64url(typeof claims === "string" ? claims : JSON.stringify(claims));
  const sig = sign(null, Buffer.from(`${h}.${c}`), privateKey);
  return `${h}.${c}.${b64url(sig)}`;
}

export function nodeHs256Jwt(key: string, header: object, claims: object): string {
  const h = b64url(JSON.stringify(header));
  const c = b64url(JSON.stringify(claims));
  return `${h}.${c}.${createHmac("sha256", key).update(`${h}.${c}`).digest("base64url")}`;
}
