// The pure-JS (noble) signer, for engines whose WebCrypto lacks Ed25519. Only mint-async.ts
// imports this module, dynamically: a module of its own, so a bundle splits it off as a lazy
// chunk instead of keeping the whole signer reachable through a namespace object.
export { mintLocalFirstToken } from "./mint.ts";
export { deriveLocalFirstIdentity } from "../identity/derive.ts";
