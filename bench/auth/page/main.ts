// Runs in Chromium: secret → user id + signed session token, as createDb does at start.
import {
  mintLocalFirstTokenAsync,
  deriveLocalFirstIdentity,
  generateAuthSecret,
  mintLocalFirstToken,
  verifyLocalFirstIdentityProof,
  base64UrlToBytes,
} from "../../../packages/auth/src/index.ts";

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p90: s[Math.floor(s.length * 0.9)], min: s[0] };
}

// Chromium coarsens performance.now() to 0.1 ms, so time batches and report per-call means.
const BATCH = 10;

async function runBench(n: number) {
  // First token of the page through the async (WebCrypto) path, as createDb can do it.
  const a0 = performance.now();
  await mintLocalFirstTokenAsync(generateAuthSecret(), { audience: "my-app" });
  const firstAsyncMs = performance.now() - a0;
  // The sync path's first call also builds noble's base-point table (once per page).
  const f0 = performance.now();
  mintLocalFirstToken(generateAuthSecret(), { audience: "my-app" });
  const firstMs = performance.now() - f0;
  // Warm the JIT on throwaway secrets.
  for (let i = 0; i < 20; i++) mintLocalFirstToken(generateAuthSecret(), { audience: "my-app" });

  const cold: number[] = []; // fresh secret each time: derivation + mint, nothing cached
  const warm: number[] = []; // same secret: cached identity, mint (sign) only — a token refresh
  const verify: number[] = [];
  const secrets = Array.from({ length: n }, generateAuthSecret);
  const tokens: string[] = [];
  for (let b = 0; b + BATCH <= n; b += BATCH) {
    const batch = secrets.slice(b, b + BATCH);
    let t0 = performance.now();
    for (const secret of batch) {
      const { userId } = deriveLocalFirstIdentity(secret);
      const token = mintLocalFirstToken(secret, { audience: "my-app" });
      if (!userId || !token) throw new Error("no result");
      tokens.push(token);
    }
    cold.push((performance.now() - t0) / BATCH);
    t0 = performance.now();
    for (const secret of batch) mintLocalFirstToken(secret, { audience: "my-app", ttlSeconds: 60 });
    warm.push((performance.now() - t0) / BATCH);
    t0 = performance.now();
    for (const token of tokens.slice(b, b + BATCH)) {
      if (!verifyLocalFirstIdentityProof(token, "my-app").ok) throw new Error("verify failed");
    }
    verify.push((performance.now() - t0) / BATCH);
  }

  const asyncCold: number[] = [];
  const fresh = Array.from({ length: n }, generateAuthSecret);
  for (let b = 0; b + BATCH <= n; b += BATCH) {
    const t0 = performance.now();
    for (const secret of fresh.slice(b, b + BATCH)) await mintLocalFirstTokenAsync(secret, { audience: "my-app" });
    asyncCold.push((performance.now() - t0) / BATCH);
  }

  // Native WebCrypto Ed25519 for the same job (hash, import seed, derive public key, sign): the
  // floor a browser-native path could reach. Async, so it cannot serve a synchronous Db start.
  const native: number[] = [];
  const pkcs8Prefix = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);
  let nativeOk = true;
  try {
    for (let b = 0; b + BATCH <= Math.min(n, 100); b += BATCH) {
      const t0 = performance.now();
      for (const secret of secrets.slice(b, b + BATCH)) {
        const seed = base64UrlToBytes(secret);
        const input = new Uint8Array(17 + 32);
        input.set(new TextEncoder().encode("jazz-auth-sign-v1"));
        input.set(seed, 17);
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-512", input)).slice(0, 32);
        const der = new Uint8Array(48);
        der.set(pkcs8Prefix);
        der.set(digest, 16);
        const key = await crypto.subtle.importKey("pkcs8", der, { name: "Ed25519" }, true, ["sign"]);
        const jwk = await crypto.subtle.exportKey("jwk", key); // carries the public key x
        await crypto.subtle.sign({ name: "Ed25519" }, key, new TextEncoder().encode(`header.claims.${jwk.x}`));
      }
      native.push((performance.now() - t0) / BATCH);
    }
  } catch {
    nativeOk = false;
  }
  return { n, firstMs, firstAsyncMs, asyncCold: stats(asyncCold), cold: stats(cold), warm: stats(warm), verify: stats(verify), native: nativeOk ? stats(native) : null };
}

(window as unknown as { runBench: typeof runBench; benchReady: boolean }).runBench = runBench;
(window as unknown as { benchReady: boolean }).benchReady = true;
