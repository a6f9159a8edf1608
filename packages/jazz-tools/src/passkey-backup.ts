// jazz-tools/passkey-backup — browser only (WebAuthn).
export {
  BrowserPasskeyBackup,
  PasskeyBackupError,
  type BrowserPasskeyBackupOptions,
  type PasskeyBackupErrorCode,
} from "@jazz-tools/auth/passkey-backup";
