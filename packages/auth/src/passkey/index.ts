// jazz-tools/passkey-backup — keeps the 32-byte secret in a resident WebAuthn credential's
// user.id and reads it back as the assertion's userHandle after user verification. A vault,
// not an authentication ceremony: no server checks the assertion (reference §2.6).
import { validateAuthSecret } from "../secret/secret.ts";
import { secretFromAssertion } from "./assertion.ts";
import { PasskeyBackupError, type PasskeyBackupErrorCode } from "./errors.ts";

export { PasskeyBackupError, type PasskeyBackupErrorCode } from "./errors.ts";
export { secretFromAssertion } from "./assertion.ts";

export interface BrowserPasskeyBackupOptions {
  /** Relying-party name shown in the passkey sheet. */
  appName: string;
  /** WebAuthn RP id; default `location.hostname`. Changing it orphans existing passkeys. */
  appHostname?: string;
}


function webAuthnAvailable(): boolean {
  return (
    typeof globalThis.PublicKeyCredential !== "undefined" &&
    typeof globalThis.navigator !== "undefined" &&
    typeof globalThis.navigator.credentials?.create === "function" &&
    typeof globalThis.navigator.credentials?.get === "function"
  );
}

function challenge(): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(16));
}

function errorName(error: unknown): string {
  return error instanceof Error || (typeof DOMException !== "undefined" && error instanceof DOMException)
    ? (error as Error).name
    : "";
}

/**
 * Browsers answer every refused ceremony with an opaque NotAllowedError (cancelled, timed out,
 * no matching passkey, user not verified) so as not to leak which. The one case we can tell
 * apart is a device with no user-verifying platform authenticator: then "verification-failed".
 */
async function refusedCode(error: unknown, otherwise: PasskeyBackupErrorCode): Promise<PasskeyBackupErrorCode> {
  if (errorName(error) !== "NotAllowedError") return otherwise === "no-credential" ? "get-failed" : otherwise;
  try {
    const uv = await PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable();
    if (!uv) return "verification-failed";
  } catch {
    // Unknown: keep the generic code.
  }
  return otherwise;
}

export class BrowserPasskeyBackup {
  readonly appName: string;
  readonly rpId: string;

  constructor(options: BrowserPasskeyBackupOptions) {
    if (!options || typeof options.appName !== "string" || options.appName.length === 0) {
      throw new TypeError("BrowserPasskeyBackup needs { appName }");
    }
    this.appName = options.appName;
    this.rpId = options.appHostname ?? globalThis.location?.hostname ?? "localhost";
  }

  /** Stores `secret` in a new resident passkey; `displayName` is what the passkey sheet shows. */
  async backup(secret: string, displayName: string): Promise<void> {
    if (!webAuthnAvailable()) throw new PasskeyBackupError("not-supported");
    let secretBytes: Uint8Array;
    try {
      secretBytes = validateAuthSecret(secret);
    } catch (error) {
      throw new PasskeyBackupError("invalid-secret", { cause: error });
    }
    let credential: Credential | null;
    try {
      credential = await navigator.credentials.create({
        publicKey: {
          rp: { id: this.rpId, name: this.appName },
          user: { id: new Uint8Array(secretBytes), name: displayName, displayName },
          challenge: challenge(),
          pubKeyCredParams: [
            { type: "public-key", alg: -7 },
            { type: "public-key", alg: -257 },
          ],
          authenticatorSelection: {
            authenticatorAttachment: "platform",
            userVerification: "required",
            residentKey: "required",
            requireResidentKey: true,
          },
          // credProtect: the authenticator releases the credential only after user verification.
          extensions: { credentialProtectionPolicy: "userVerificationRequired" } as AuthenticationExtensionsClientInputs,
        },
      });
    } catch (error) {
      const code = await refusedCode(error, "create-failed");
      throw new PasskeyBackupError(code, { cause: error, detail: errorName(error) || String(error) });
    }
    if (!credential) throw new PasskeyBackupError("create-failed", { detail: "no credential returned" });
  }

  /** Asks the user to pick the app's passkey and returns the secret it holds. */
  async restore(): Promise<string> {
    if (!webAuthnAvailable()) throw new PasskeyBackupError("not-supported");
    // Best effort: it only governs silent (mediation "optional") sign-in, and some Chromium
    // builds without a password-manager service reject it; that must not block a restore.
    await navigator.credentials.preventSilentAccess?.().catch(() => {});
    let credential: Credential | null;
    try {
      credential = await navigator.credentials.get({
        publicKey: { challenge: challenge(), rpId: this.rpId, userVerification: "required" },
        mediation: "required",
      });
    } catch (error) {
      // NotAllowedError here is, in practice, "no passkey for this app was picked".
      const code = await refusedCode(error, "no-credential");
      const detail = code === "no-credential" ? "none available, or the prompt was dismissed" : errorName(error) || String(error);
      throw new PasskeyBackupError(code, { cause: error, detail });
    }
    if (!credential) throw new PasskeyBackupError("no-credential");
    const response = (credential as PublicKeyCredential).response as AuthenticatorAssertionResponse | undefined;
    if (!response || !(response.authenticatorData instanceof ArrayBuffer)) {
      throw new PasskeyBackupError("invalid-credential", { detail: "not a public-key assertion" });
    }
    return secretFromAssertion(new Uint8Array(response.authenticatorData), response.userHandle);
  }
}
