// createDbFromParts mints the first session token with the async (WebCrypto) signer; the
// synchronous one stays for the constructor path and getLocalFirstIdentityProof.

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
      // Identity proofs stay on the synchronous signer.
      expect(auth.verifyLocalFirstIdentityProof(db.getLocalFirstIdentityProof({ audience: "x" })!, "x")).toMatchObject({ ok: true });
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
