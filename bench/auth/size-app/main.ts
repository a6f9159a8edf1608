// A minimal app for the size measurement: the main bundle uses identity + tokens; the recovery
// phrase and passkey backup are loaded on demand, as the docs' flows do.
import { generateAuthSecret, mintLocalFirstToken } from "../../../packages/auth/src/index.ts";

const secret = generateAuthSecret();
(globalThis as Record<string, unknown>).token = mintLocalFirstToken(secret, { audience: "my-app" });
(globalThis as Record<string, unknown>).showPhrase = async () =>
  (await import("../../../packages/jazz-tools/src/passphrase.ts")).RecoveryPhrase.fromSecret(secret);
(globalThis as Record<string, unknown>).backup = async () =>
  new (await import("../../../packages/jazz-tools/src/passkey-backup.ts")).BrowserPasskeyBackup({ appName: "x" });
