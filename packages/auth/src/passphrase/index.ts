// jazz-tools/passphrase — BIP-39 (English, 24 words) over the 32-byte secret. Its own entry so
// the 2048-word list only loads where a recovery phrase is shown or typed.
import { JazzError } from "../errors.ts";
import { entropyToMnemonic, mnemonicToEntropy } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { authSecretFromBytes, validateAuthSecret } from "../secret/secret.ts";

export type RecoveryPhraseErrorCode = "invalid-length" | "invalid-word" | "invalid-checksum" | "invalid-secret";

export class RecoveryPhraseError extends JazzError {
  override name = "RecoveryPhraseError";
  constructor(readonly code: RecoveryPhraseErrorCode, message: string) {
    super(message);
  }
}

const WORD_COUNT = 24;
let wordIndex: Set<string> | undefined;

function isWord(word: string): boolean {
  wordIndex ??= new Set(wordlist);
  return wordIndex.has(word);
}

export const RecoveryPhrase = {
  /** The secret as 24 lowercase words separated by single spaces. */
  fromSecret(secret: string): string {
    let bytes: Uint8Array;
    try {
      bytes = validateAuthSecret(secret);
    } catch (error) {
      throw new RecoveryPhraseError("invalid-secret", (error as Error).message);
    }
    return entropyToMnemonic(bytes, wordlist);
  },

  /** Case- and whitespace-tolerant; returns the secret (base64url, no padding). */
  toSecret(phrase: string): string {
    if (typeof phrase !== "string") {
      throw new RecoveryPhraseError("invalid-length", `recovery phrase must be a string of ${WORD_COUNT} words`);
    }
    const trimmed = phrase.trim().toLowerCase();
    const words = trimmed === "" ? [] : trimmed.split(/\s+/);
    if (words.length !== WORD_COUNT) {
      throw new RecoveryPhraseError(
        "invalid-length",
        `recovery phrase must have ${WORD_COUNT} words, got ${words.length}`,
      );
    }
    words.forEach((word, i) => {
      if (!isWord(word)) {
        throw new RecoveryPhraseError(
          "invalid-word",
          `word ${i + 1} (${JSON.stringify(word.slice(0, 32))}) is not in the BIP-39 English word list`,
        );
      }
    });
    let entropy: Uint8Array;
    try {
      entropy = mnemonicToEntropy(words.join(" "), wordlist);
    } catch {
      throw new RecoveryPhraseError("invalid-checksum", "recovery phrase checksum does not match: check the word order and spelling");
    }
    return authSecretFromBytes(entropy);
  },
};
