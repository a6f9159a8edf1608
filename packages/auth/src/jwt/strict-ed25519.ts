import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";

ed.hashes.sha512 = sha512;

const L = ed.Point.CURVE().n;

function bytesToNumberLE(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/**
 * Ed25519 verification with the same acceptance set as ed25519-dalek's `verify_strict`, which the
 * reference server uses: canonical point encodings and S < L, no small-order public key or R,
 * and the cofactorless equation [S]B = R + [k]A. noble's `{ zip215: false }` gives the first
 * three; R's order and the cofactorless equation are checked here with noble's own point type,
 * so a token accepted here is accepted there and vice versa.
 */
export function verifyEd25519Strict(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    if (!ed.verify(signature, message, publicKey, { zip215: false })) return false;
    const rBytes = signature.subarray(0, 32);
    const R = ed.Point.fromBytes(rBytes, false);
    if (R.isSmallOrder()) return false;
    const A = ed.Point.fromBytes(publicKey, false);
    const s = bytesToNumberLE(signature.subarray(32));
    const k = ed.etc.mod(bytesToNumberLE(sha512(ed.etc.concatBytes(rBytes, publicKey, message))), L);
    const sB = ed.Point.BASE.multiply(s, false);
    return sB.equals(R.add(A.multiply(k, false)));
  } catch {
    return false;
  }
}
