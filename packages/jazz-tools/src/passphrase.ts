// jazz-tools/passphrase — its own entry so the BIP-39 word list stays out of the main bundle.
export { RecoveryPhrase, RecoveryPhraseError, type RecoveryPhraseErrorCode } from "@jazz-tools/auth/passphrase";
