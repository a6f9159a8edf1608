// Real WebAuthn ceremonies in Chromium against CDP virtual authenticators (origin
// http://localhost:<port>, so the RP id "localhost" is valid). navigator.credentials is never
// stubbed, except that the "not-supported" case hides WebAuthn to simulate its absence.
import { afterEach, describe, expect, it, vi } from "vitest";
import { cdp } from "vitest/browser";
import { generateAuthSecret, base64UrlToBytes } from "../index.ts";
import { BrowserPasskeyBackup, PasskeyBackupError, type PasskeyBackupErrorCode } from "./index.ts";

interface VirtualAuthenticatorOptions {
  hasUserVerification?: boolean;
  isUserVerified?: boolean;
}
const session = () => cdp();
const added: string[] = [];

async function addAuthenticator(options: VirtualAuthenticatorOptions = {}): Promise<string> {
  await session().send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = (await session().send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      ctap2Version: "ctap2_1",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
      ...options,
    },
  })) as { authenticatorId: string };
  added.push(authenticatorId);
  return authenticatorId;
}

afterEach(async () => {
  vi.unstubAllGlobals();
  for (const authenticatorId of added.splice(0)) {
    await session().send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
  }
});

async function codeOf(promise: Promise<unknown>): Promise<PasskeyBackupErrorCode> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PasskeyBackupError);
  return (error as PasskeyBackupError).code;
}

const toB64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

describe("BrowserPasskeyBackup in Chromium", () => {
  const backup = new BrowserPasskeyBackup({ appName: "Jazz Test" });

  it("uses location.hostname as the RP id by default, appHostname when given", () => {
    expect(backup.rpId).toBe("localhost");
    expect(new BrowserPasskeyBackup({ appName: "x", appHostname: "myapp.com" }).rpId).toBe("myapp.com");
  });

  it("backup then restore returns the same secret; the resident credential holds it as user.id", async () => {
    const authenticatorId = await addAuthenticator();
    const secret = generateAuthSecret();
    await backup.backup(secret, "Ada");

    const { credentials } = (await session().send("WebAuthn.getCredentials", { authenticatorId })) as {
      credentials: Array<{ isResidentCredential: boolean; rpId: string; userHandle: string }>;
    };
    expect(credentials).toHaveLength(1);
    expect(credentials[0]).toMatchObject({ isResidentCredential: true, rpId: "localhost" });
    expect(credentials[0].userHandle).toBe(toB64(base64UrlToBytes(secret)));

    expect(await backup.restore()).toBe(secret);
  });

  it("an authenticator without user verification: backup refused with verification-failed", async () => {
    await addAuthenticator({ hasUserVerification: false, isUserVerified: false });
    expect(await codeOf(backup.backup(generateAuthSecret(), "Ada"))).toBe("verification-failed");
  });

  it("a passkey on an authenticator without user verification: restore gives verification-failed", async () => {
    const authenticatorId = await addAuthenticator({ hasUserVerification: false, isUserVerified: false });
    // Put a resident credential holding a secret on that authenticator directly.
    const key = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign"]);
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", key.privateKey));
    const secret = generateAuthSecret();
    await session().send("WebAuthn.addCredential", {
      authenticatorId,
      credential: {
        credentialId: toB64(crypto.getRandomValues(new Uint8Array(16))),
        isResidentCredential: true,
        rpId: "localhost",
        privateKey: toB64(pkcs8),
        userHandle: toB64(base64UrlToBytes(secret)),
        signCount: 0,
      },
    });
    expect(await codeOf(backup.restore())).toBe("verification-failed");
  });

  it("no credential for this app gives no-credential", async () => {
    await addAuthenticator();
    expect(await codeOf(backup.restore())).toBe("no-credential");
  });

  it("an RP id this origin may not use gives get-failed / create-failed (SecurityError)", async () => {
    await addAuthenticator();
    const other = new BrowserPasskeyBackup({ appName: "Other", appHostname: "myapp.com" });
    const error = await other.restore().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PasskeyBackupError);
    expect((error as PasskeyBackupError).code).toBe("get-failed");
    expect(((error as PasskeyBackupError).cause as Error).name).toBe("SecurityError");
    expect(await codeOf(other.backup(generateAuthSecret(), "Ada"))).toBe("create-failed");
  });

  it("an invalid secret is refused before any ceremony", async () => {
    const authenticatorId = await addAuthenticator();
    expect(await codeOf(backup.backup(`${generateAuthSecret()}=`, "Ada"))).toBe("invalid-secret");
    expect(await codeOf(backup.backup("short", "Ada"))).toBe("invalid-secret");
    const { credentials } = (await session().send("WebAuthn.getCredentials", { authenticatorId })) as { credentials: unknown[] };
    expect(credentials).toHaveLength(0);
  });

  it("a browser without WebAuthn gives not-supported", async () => {
    vi.stubGlobal("PublicKeyCredential", undefined);
    expect(await codeOf(backup.backup(generateAuthSecret(), "Ada"))).toBe("not-supported");
    expect(await codeOf(backup.restore())).toBe("not-supported");
    vi.unstubAllGlobals();
    const credentials = navigator.credentials;
    Object.defineProperty(navigator, "credentials", { value: undefined, configurable: true });
    try {
      expect(await codeOf(backup.restore())).toBe("not-supported");
    } finally {
      Object.defineProperty(navigator, "credentials", { value: credentials, configurable: true });
    }
  });
});
