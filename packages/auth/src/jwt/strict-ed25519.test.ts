// Both Ed25519 backends (pure JS for browsers, OpenSSL on Node) must accept exactly the set
// ed25519-dalek's verify_strict accepts; compare them on valid, malleated and weak inputs.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import * as ed from "@noble/ed25519";
import { verifyEd25519Strict, verifyEd25519StrictNode, verifyEd25519StrictNoble } from "./strict-ed25519.ts";

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const le = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 255n));
const fromLe = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
const backends = { noble: verifyEd25519StrictNoble, node: verifyEd25519StrictNode };

function signed(seed: Uint8Array, msg: Uint8Array) {
  return { sig: ed.sign(msg, seed), pub: ed.getPublicKey(seed), msg };
}

describe.each(Object.entries(backends))("strict Ed25519 (%s)", (_name, verify) => {
  it("accepts valid signatures and rejects any single-bit change", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 64 }), fc.nat(64 * 8 - 1), (seed, msg, bit) => {
        const { sig, pub } = signed(seed, msg);
        expect(verify(sig, msg, pub)).toBe(true);
        const bad = sig.slice();
        bad[bit >> 3] ^= 1 << (bit & 7);
        expect(verify(bad, msg, pub)).toBe(false);
      }),
      { numRuns: 30 },
    );
  });

  it("rejects S + L (malleability)", () => {
    const { sig, pub, msg } = signed(new Uint8Array(32).fill(1), new Uint8Array([1, 2, 3]));
    const s = fromLe(sig.subarray(32)) + L;
    const bad = sig.slice();
    bad.set(le(s), 32);
    expect(verify(bad, msg, pub)).toBe(false);
  });

  it("rejects a small-order public key even when the equation holds", () => {
    const identity = le(1n); // y = 1: the neutral element
    const sig = new Uint8Array(64);
    sig.set(identity, 0); // R = identity, S = 0: [0]B = I + [k]I
    expect(verify(sig, new Uint8Array([9]), identity)).toBe(false);
  });

  it("rejects a non-canonical R encoding", () => {
    const { sig, pub, msg } = signed(new Uint8Array(32).fill(2), new Uint8Array([4]));
    const bad = sig.slice();
    bad.set(le(2n ** 255n - 19n + 1n), 0); // y = p + 1 ≡ 1, not reduced
    expect(verify(bad, msg, pub)).toBe(false);
  });

  it("rejects wrong lengths without throwing", () => {
    expect(verify(new Uint8Array(63), new Uint8Array(), new Uint8Array(32))).toBe(false);
    expect(verify(new Uint8Array(64), new Uint8Array(), new Uint8Array(31))).toBe(false);
  });
});

it("Node uses the OpenSSL backend", () => {
  expect(verifyEd25519Strict).toBe(verifyEd25519StrictNode);
});
