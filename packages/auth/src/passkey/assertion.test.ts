// The assertion checks restore() applies after the browser returns. Chromium already refuses
// a UV-less assertion when UV is required, so the flag check is defense in depth against
// non-conforming authenticators and is exercised here on raw bytes.
import { describe, expect, it } from "vitest";
import { secretFromAssertion } from "./assertion.ts";
import { PasskeyBackupError } from "./errors.ts";

function authData(flags: number): Uint8Array {
  const data = new Uint8Array(37);
  data[32] = flags;
  return data;
}
const handle = Uint8Array.from({ length: 32 }, (_, i) => i).buffer;
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PasskeyBackupError);
    return (e as PasskeyBackupError).code;
  }
};

describe("secretFromAssertion", () => {
  it("UP and UV set, 32-byte handle → the secret", () => {
    expect(secretFromAssertion(authData(0x05), handle)).toBe(Buffer.from(new Uint8Array(handle)).toString("base64url"));
    expect(secretFromAssertion(authData(0x45 | 0x18), handle)).toHaveLength(43);
  });
  it("missing UV or UP → verification-failed", () => {
    expect(codeOf(() => secretFromAssertion(authData(0x01), handle))).toBe("verification-failed");
    expect(codeOf(() => secretFromAssertion(authData(0x04), handle))).toBe("verification-failed");
  });
  it("wrong handle or short data → invalid-credential", () => {
    expect(codeOf(() => secretFromAssertion(authData(0x05), new ArrayBuffer(31)))).toBe("invalid-credential");
    expect(codeOf(() => secretFromAssertion(authData(0x05), null))).toBe("invalid-credential");
    expect(codeOf(() => secretFromAssertion(new Uint8Array(33), handle))).toBe("invalid-credential");
  });
});
