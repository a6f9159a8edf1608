import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";
import type * as NodeCrypto from "node:crypto";

ed.hashes.sha512 = sha512;

const L = ed.Point.CURVE().n;

function bytesToNumberLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/**
 * The cheap half of ed25519-dalek's `verify_strict`, which the reference server uses: S < L,
 * canonical encodings of A and R, and neither of small order. What remains is the cofactorless
 * equation [S]B = R + [k]A, compared as encoded bytes.
 */
function strictPrechecks(signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  if (bytesToNumberLE(signature.subarray(32)) >= L) return false;
  try {
    const A = ed.Point.fromBytes(publicKey, false);
    const R = ed.Point.fromBytes(signature.subarray(0, 32), false);
    return !A.isSmallOrder() && !R.isSmallOrder();
  } catch {
    return false;
  }
}

/** Pure JS (browsers, any runtime): noble's strict branch plus the cofactorless equation. */
export function verifyEd25519StrictNoble(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!strictPrechecks(signature, publicKey)) return false;
  try {
    if (!ed.verify(signature, message, publicKey, { zip215: false })) return false;
    // noble checks the cofactored equation; dalek's strict one is cofactorless, so check that too.
    const rBytes = signature.subarray(0, 32);
    const A = ed.Point.fromBytes(publicKey, false);
    const k = ed.etc.mod(bytesToNumberLE(sha512(ed.etc.concatBytes(rBytes, publicKey, message))), L);
    const expectedR = ed.Point.BASE.multiply(bytesToNumberLE(signature.subarray(32)), false).subtract(A.multiply(k, false));
    return ed.etc.bytesToHex(expectedR.toBytes()) === ed.etc.bytesToHex(rBytes);
  } catch {
    return false;
  }
}

// On Node the server verifies every connecting token: OpenSSL is ~50× faster than pure JS
// here. Its Ed25519 verify recomputes R from S and k and compares encodings (cofactorless, like
// dalek), so with the prechecks above it accepts exactly the same set. getBuiltinModule keeps
// this file free of a static node: import, so browser bundles are unaffected.
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.(
  "node:crypto",
) as typeof NodeCrypto | undefined;
const keyCache = new Map<string, NodeCrypto.KeyObject>();

export function verifyEd25519StrictNode(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!nodeCrypto) throw new Error("node:crypto is not available");
  if (!strictPrechecks(signature, publicKey)) return false;
  const x = ed.etc.bytesToHex(publicKey);
  let key = keyCache.get(x);
  if (!key) {
    const jwk = { kty: "OKP", crv: "Ed25519", x: Buffer.from(publicKey).toString("base64url") };
    key = nodeCrypto.createPublicKey({ key: jwk, format: "jwk" });
    if (keyCache.size >= 1024) keyCache.delete(keyCache.keys().next().value!);
    keyCache.set(x, key);
  }
  try {
    return nodeCrypto.verify(null, message, key, signature);
  } catch {
    return false;
  }
}

export const verifyEd25519Strict = nodeCrypto ? verifyEd25519StrictNode : verifyEd25519StrictNoble;
