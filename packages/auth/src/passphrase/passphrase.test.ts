import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { RecoveryPhrase, RecoveryPhraseError } from "./index.ts";
import { generateAuthSecret } from "../index.ts";
import { b64url } from "../testing/node-reference.ts";

const ZERO_SECRET = "A".repeat(43);
const ZERO_PHRASE = `${"abandon ".repeat(23)}art`;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RecoveryPhraseError);
    return (error as RecoveryPhraseError).code;
  }
  return undefined;
}

describe("RecoveryPhrase", () => {
  it("all-zero secret ↔ abandon×23 art (BIP-39 test vector)", () => {
    expect(RecoveryPhrase.fromSecret(ZERO_SECRET)).toBe(ZERO_PHRASE);
    expect(RecoveryPhrase.toSecret(ZERO_PHRASE)).toBe(ZERO_SECRET);
  });

  it("all-0xff secret ↔ zoo×23 vote (BIP-39 test vector)", () => {
    const secret = b64url(new Uint8Array(32).fill(0xff));
    expect(RecoveryPhrase.fromSecret(secret)).toBe(`${"zoo ".repeat(23)}vote`);
  });

  it("round-trips random secrets with 24 lowercase single-spaced words", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const secret = b64url(bytes);
        const phrase = RecoveryPhrase.fromSecret(secret);
        expect(phrase).toMatch(/^[a-z]+( [a-z]+){23}$/);
        expect(RecoveryPhrase.toSecret(phrase)).toBe(secret);
      }),
      { numRuns: 200 },
    );
    const s = generateAuthSecret();
    expect(RecoveryPhrase.toSecret(RecoveryPhrase.fromSecret(s))).toBe(s);
  });

  it("is case- and whitespace-tolerant", () => {
    const messy = `  ${ZERO_PHRASE.toUpperCase().split(" ").join(" \t\n  ")}\n`;
    expect(RecoveryPhrase.toSecret(messy)).toBe(ZERO_SECRET);
  });

  it("names what is wrong", () => {
    expect(codeOf(() => RecoveryPhrase.toSecret("abandon ".repeat(12)))).toBe("invalid-length");
    expect(codeOf(() => RecoveryPhrase.toSecret(""))).toBe("invalid-length");
    expect(codeOf(() => RecoveryPhrase.toSecret(`${"abandon ".repeat(24)}art`))).toBe("invalid-length");
    expect(codeOf(() => RecoveryPhrase.toSecret(`${"abandon ".repeat(22)}abandonn art`))).toBe("invalid-word");
    expect(() => RecoveryPhrase.toSecret(`${"abandon ".repeat(22)}abandonn art`)).toThrowError(/word 23 \("abandonn"\)/);
    expect(codeOf(() => RecoveryPhrase.toSecret(`${"abandon ".repeat(23)}abandon`))).toBe("invalid-checksum");
    expect(codeOf(() => RecoveryPhrase.fromSecret("not-a-secret"))).toBe("invalid-secret");
    expect(codeOf(() => RecoveryPhrase.fromSecret(`${ZERO_SECRET}=`))).toBe("invalid-secret");
  });

  it("fuzz: random text and random word sequences give a secret or a named error, never a crash", () => {
    const codes = new Set(["invalid-length", "invalid-word", "invalid-checksum"]);
    const word = fc.constantFrom(...wordlist);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.array(word, { minLength: 24, maxLength: 24 }).map((w) => w.join(" ")),
          fc.array(fc.oneof(word, fc.string()), { minLength: 20, maxLength: 26 }).map((w) => w.join(" ")),
        ),
        (input) => {
          try {
            const secret = RecoveryPhrase.toSecret(input);
            expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
          } catch (error) {
            expect(error).toBeInstanceOf(RecoveryPhraseError);
            expect(codes.has((error as RecoveryPhraseError).code)).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
