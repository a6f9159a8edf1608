// createDbFromParts mints the first session token with the async (WebCrypto) signer; the
// synchronous one (DbOptions.syncSigner, what Node entries pass) serves the constructor path,
// refreshes and sync identity proofs. Without it (a page) proofs are signed natively, async.

import { describe, expect, it, vi } from "vitest";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import * as auth from "@jazz-tools/auth";
import { createDbFromParts } from "./create.ts";

vi.mock("@jazz-tools/auth", async (importOriginal) => {
  const real = await importOriginal<typeof import("@jazz-tools/auth")>();
  return {
    ...real,
    mintLocalFirstToken: vi.fn(real.mintLocalFirstToken),
    mintLocalFirstTokenAsync: vi.fn(real.mintLocalFirstTokenAsync),
    mintAnonymousToken: vi.fn(real.mintAnonymousToken),
    mintAnonymousTokenAsync: vi.fn(real.mintAnonymousTokenAsync),
  };
});

describe("createDbFromParts: first token", () => {
  it("a secret config gets its local-first token from mintLocalFirstTokenAsync, a valid token for the secret's identity", async () => {
    vi.mocked(auth.mintLocalFirstToken).mockClear();
    const secret = auth.generateAuthSecret();
    const db = await createDbFromParts({ config: { appId: "app-async", secret }, driver: createNodeSqlDriver() });
    try {
      expect(auth.mintLocalFirstTokenAsync).toHaveBeenCalledWith(secret, { audience: "app-async" });
      expect(auth.mintLocalFirstToken).not.toHaveBeenCalled();
      const token = db.getAuthToken()!;
      const verified = auth.verifyLocalFirstIdentityProof(token, "app-async");
      expect(verified).toMatchObject({ ok: true, id: auth.deriveLocalFirstIdentity(secret).userId, authMode: "local-first" });
      expect(db.getAuthState().session?.user_id).toBe(auth.deriveLocalFirstIdentity(secret).userId);
      // No synchronous signer given (as on a page): the proof is signed with WebCrypto.
      const proof = db.getLocalFirstIdentityProof({ audience: "x" });
      expect(proof).toBeInstanceOf(Promise);
      expect(auth.verifyLocalFirstIdentityProof((await proof)!, "x")).toMatchObject({ ok: true, id: auth.deriveLocalFirstIdentity(secret).userId });
      expect(auth.mintLocalFirstToken).not.toHaveBeenCalled();
    } finally {
      await db.shutdown();
    }
  });

  it("without a synchronous signer, the token is re-minted with WebCrypto at 80 % of its lifetime", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const secret = auth.generateAuthSecret();
    const db = await createDbFromParts({ config: { appId: "app-refresh", secret }, driver: createNodeSqlDriver() });
    try {
      const first = db.getAuthToken()!;
      let changes = 0;
      db.onAuthChanged(() => changes++);
      vi.mocked(auth.mintLocalFirstToken).mockClear();
      await vi.advanceTimersByTimeAsync(2880 * 1000);
      for (let i = 0; i < 200 && db.getAuthToken() === first; i++) await new Promise((r) => setImmediate(r));
      const next = db.getAuthToken()!;
      expect(auth.decodeJwtPayload(next)!.iat).toBe((auth.decodeJwtPayload(first)!.iat as number) + 2880);
      expect(auth.verifyLocalFirstIdentityProof(next, "app-refresh")).toMatchObject({ ok: true });
      expect(changes).toBe(2); // the current state at subscription, then the refresh
      expect(auth.mintLocalFirstToken).not.toHaveBeenCalled();
    } finally {
      vi.useRealTimers();
      await db.shutdown();
    }
  });

  it("with a synchronous signer (Node), identity proofs are synchronous strings", async () => {
    const secret = auth.generateAuthSecret();
    const db = await createDbFromParts({ config: { appId: "app-sync", secret }, driver: createNodeSqlDriver(), syncSigner: auth.syncSigner });
    try {
      const proof = db.getLocalFirstIdentityProof({ audience: "x", ttlSeconds: 30 });
      expect(typeof proof).toBe("string");
      expect(auth.verifyLocalFirstIdentityProof(proof as string, "x")).toMatchObject({ ok: true, id: auth.deriveLocalFirstIdentity(secret).userId });
    } finally {
      await db.shutdown();
    }
  });

  it("with no auth configured, the anonymous token comes from mintAnonymousTokenAsync", async () => {
    vi.mocked(auth.mintAnonymousToken).mockClear();
    const db = await createDbFromParts({ config: { appId: "app-anon" }, driver: createNodeSqlDriver() });
    try {
      expect(auth.mintAnonymousTokenAsync).toHaveBeenCalled();
      expect(auth.mintAnonymousToken).not.toHaveBeenCalled();
      expect(db.getAuthState().authMode).toBe("anonymous");
      expect(auth.verifyLocalFirstIdentityProof(db.getAuthToken()!, "app-anon")).toMatchObject({ ok: true, authMode: "anonymous" });
    } finally {
      await db.shutdown();
    }
  });
});
