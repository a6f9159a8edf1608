import { authSecretFromBytes } from "../secret/secret.ts";
import { PasskeyBackupError } from "./errors.ts";

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const SECRET_BYTES = 32;

/**
 * The secret inside an assertion: authenticatorData must carry both UP and UV (flags byte at
 * offset 32, after the 32-byte rpIdHash) and the userHandle must be exactly the 32 secret bytes.
 */
export function secretFromAssertion(authenticatorData: Uint8Array, userHandle: ArrayBuffer | null): string {
  if (authenticatorData.length < 37) {
    throw new PasskeyBackupError("invalid-credential", { detail: "authenticator data too short" });
  }
  const flags = authenticatorData[32];
  if ((flags & FLAG_UP) === 0 || (flags & FLAG_UV) === 0) {
    throw new PasskeyBackupError("verification-failed", {
      detail: `user presence ${flags & FLAG_UP ? "yes" : "no"}, user verification ${flags & FLAG_UV ? "yes" : "no"}`,
    });
  }
  if (!userHandle || userHandle.byteLength !== SECRET_BYTES) {
    throw new PasskeyBackupError("invalid-credential", {
      detail: `user handle is ${userHandle ? userHandle.byteLength : 0} bytes, expected ${SECRET_BYTES}`,
    });
  }
  return authSecretFromBytes(new Uint8Array(userHandle));
}
