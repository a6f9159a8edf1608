// Node side of the auth benchmark (the server verifies every connecting token). Run:
//   pnpm exec tsx bench/auth/node.ts
import { createPublicKey, verify as nodeVerify } from "node:crypto";
import { generateAuthSecret, mintLocalFirstToken, verifyLocalFirstIdentityProof, deriveLocalFirstIdentity } from "../../packages/auth/src/index.ts";

const N = Number(process.env.N ?? 300);
const secrets = Array.from({ length: N }, generateAuthSecret);
const tokens: string[] = [];
const time = (fn: (i: number) => void) => {
  for (let i = 0; i < 20; i++) fn(i % N);
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    fn(i);
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[N >> 1], p90: samples[Math.floor(N * 0.9)] };
};
const cold = time((i) => {
  deriveLocalFirstIdentity(secrets[i]);
  tokens[i] = mintLocalFirstToken(secrets[i], { audience: "my-app" });
});
const ours = time((i) => {
  if (!verifyLocalFirstIdentityProof(tokens[i], "my-app").ok) throw new Error("rejected");
});
// Baseline: node:crypto (OpenSSL) Ed25519 signature check alone, no claim checks.
const native = time((i) => {
  const [h, c, s] = tokens[i].split(".");
  const x = JSON.parse(Buffer.from(c, "base64url").toString()).jazz_pub_key;
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
  if (!nodeVerify(null, Buffer.from(`${h}.${c}`), key, Buffer.from(s, "base64url"))) throw new Error("bad");
});
const row = (n: string, r: { median: number; p90: number }) =>
  console.log(`${n.padEnd(52)} ${r.median.toFixed(3).padStart(7)} ${r.p90.toFixed(3).padStart(7)}   ${(r.median / native.median).toFixed(1).padStart(5)}× node:crypto verify`);
console.log(`Node ${process.version}, ${N} tokens          median ms   p90 ms`);
row("secret → user id + signed token (cold)", cold);
row("verifyLocalFirstIdentityProof (strict, all checks)", ours);
row("node:crypto Ed25519 verify only (baseline)", native);
