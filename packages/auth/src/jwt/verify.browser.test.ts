// The browser has no node:crypto: tokens are minted and verified with the pure-JS backend.
import { expect, it } from "vitest";
import { generateAuthSecret, mintLocalFirstToken, mintLocalFirstTokenAsync, verifyLocalFirstIdentityProof, deriveLocalFirstIdentity } from "../index.ts";
import { verifyEd25519Strict, verifyEd25519StrictNoble } from "./strict-ed25519.ts";

it("mints and verifies in Chromium with the pure-JS backend", () => {
  expect(verifyEd25519Strict).toBe(verifyEd25519StrictNoble);
  const secret = generateAuthSecret();
  const token = mintLocalFirstToken(secret, { audience: "my-app" });
  expect(verifyLocalFirstIdentityProof(token, "my-app")).toMatchObject({ ok: true, id: deriveLocalFirstIdentity(secret).userId });
  const [h, c, s] = token.split(".");
  const other = mintLocalFirstToken(generateAuthSecret(), { audience: "my-app" }).split(".")[2];
  expect(verifyLocalFirstIdentityProof(`${h}.${c}.${other}`, "my-app")).toMatchObject({ ok: false, code: "invalid-signature" });
  expect(verifyLocalFirstIdentityProof(`${h}.${c}.${s}`, "other-app")).toMatchObject({ ok: false, code: "audience-mismatch" });
});

it("Chromium's native Ed25519 (async path) gives the same token as the pure-JS path", async () => {
  for (let i = 0; i < 5; i++) {
    const secret = generateAuthSecret();
    const now = Date.now();
    const viaWebCrypto = await mintLocalFirstTokenAsync(secret, { audience: "my-app", now });
    expect(viaWebCrypto).toBe(mintLocalFirstToken(secret, { audience: "my-app", now }));
    expect(verifyLocalFirstIdentityProof(viaWebCrypto, "my-app").ok).toBe(true);
  }
});
