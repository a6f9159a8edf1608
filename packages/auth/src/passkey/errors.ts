// PasskeyBackupError: codes and fixed messages (kept apart so assertion checks can be tested in Node).
import { JazzError } from "../errors.ts";

export type PasskeyBackupErrorCode =
  | "not-supported"
  | "invalid-secret"
  | "create-failed"
  | "get-failed"
  | "no-credential"
  | "invalid-credential"
  | "verification-failed";

const MESSAGES: Record<PasskeyBackupErrorCode, string> = {
  "not-supported": "Passkeys (WebAuthn) are not supported in this browser",
  "invalid-secret": "The secret to back up is not a valid local-first secret (32 bytes, base64url)",
  "create-failed": "Creating the passkey failed or was cancelled",
  "get-failed": "Reading the passkey failed or was cancelled",
  "no-credential": "No passkey backup was found for this app",
  "invalid-credential": "The passkey did not return a valid local-first secret",
  "verification-failed": "The passkey was used without user verification",
};

export class PasskeyBackupError extends JazzError {
  override name = "PasskeyBackupError";
  constructor(readonly code: PasskeyBackupErrorCode, options?: { cause?: unknown; detail?: string }) {
    super(options?.detail ? `${MESSAGES[code]}: ${options.detail}` : MESSAGES[code], { cause: options?.cause });
  }
}
