// `jazz-tools/backend`: the backend context and the identity-proof verifier.
export {
  createJazzContext,
  JazzContext,
  BackendAuthError,
  BACKEND_PRINCIPAL,
  type JazzContextOptions,
  type RequestLike,
} from "@jazz-tools/server/backend";
export { verifyLocalFirstIdentityProof, type IdentityProofResult } from "@jazz-tools/auth";
export type { Session } from "@jazz-tools/auth";
