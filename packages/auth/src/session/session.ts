import { JazzError } from "../errors.ts";
import { base64UrlToUtf8 } from "../encoding/base64url.ts";
import { ANONYMOUS_ISSUER, LOCAL_FIRST_ISSUER } from "../jwt/constants.ts";

export type AuthMode = "external" | "local-first" | "anonymous";

export interface Session {
  user_id: string;
  /** The JWT's `claims` object plus `subject` (= sub) and `issuer` (= iss). */
  claims: Record<string, unknown>;
  authMode: AuthMode;
}

export interface AuthState {
  authMode: AuthMode;
  session: Session | null;
  error?: "expired" | "missing" | "invalid" | "disabled";
}

export class AuthPrincipalChangeError extends JazzError {
  readonly code: string = "auth_principal_change";
  override name = "AuthPrincipalChangeError";
  constructor() {
    super("Changing auth principal on a live client is not supported. Recreate the Db.");
  }
}

export function authModeFromIssuer(iss: unknown): AuthMode {
  if (iss === LOCAL_FIRST_ISSUER) return "local-first";
  if (iss === ANONYMOUS_ISSUER) return "anonymous";
  return "external";
}

/** The JWT payload, decoded WITHOUT verification (the server verifies). null if undecodable. */
export function decodeJwtPayload(jwt: string): Record<string, unknown> | null {
  if (typeof jwt !== "string") return null;
  const parts = jwt.split(".");
  if (parts.length !== 3) return null;
  try {
    // External IdPs occasionally pad; the client-side view is lenient, the verifier is not.
    const payload: unknown = JSON.parse(base64UrlToUtf8(parts[1].replace(/=+$/, "")));
    if (payload === null || typeof payload !== "object" || Array.isArray(payload)) return null;
    return payload as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * The client-side session a JWT describes, decoded without verification (reference
 * `client-session.ts`): `{ user_id: sub, claims: { ...payload.claims, subject, issuer }, authMode }`.
 * Returns null when the token cannot be decoded or has no string `sub`.
 */
export function sessionFromJwt(jwt: string): Session | null {
  const payload = decodeJwtPayload(jwt);
  if (!payload || typeof payload.sub !== "string" || payload.sub.length === 0) return null;
  const nested =
    payload.claims !== null && typeof payload.claims === "object" && !Array.isArray(payload.claims)
      ? (payload.claims as Record<string, unknown>)
      : {};
  return {
    user_id: payload.sub,
    claims: { ...nested, subject: payload.sub, issuer: payload.iss },
    authMode: authModeFromIssuer(payload.iss),
  };
}

/** `exp` of a JWT in milliseconds since the epoch, or null if it has none. */
export function jwtExpiresAtMs(jwt: string): number | null {
  const exp = decodeJwtPayload(jwt)?.exp;
  return typeof exp === "number" && Number.isFinite(exp) ? exp * 1000 : null;
}

/**
 * The AuthState a client holding `jwt` is in. `error: "invalid"` for an undecodable token,
 * `"expired"` once `exp` has passed (the session is kept so the UI still knows who it was).
 */
export function authStateFromJwt(jwt: string | null | undefined, options: { now?: number } = {}): AuthState {
  if (jwt === null || jwt === undefined) return { authMode: "external", session: null, error: "missing" };
  const session = sessionFromJwt(jwt);
  if (!session) return { authMode: "external", session: null, error: "invalid" };
  const exp = jwtExpiresAtMs(jwt);
  if (exp !== null && exp <= (options.now ?? Date.now())) return { authMode: session.authMode, session, error: "expired" };
  return { authMode: session.authMode, session };
}

/**
 * For `db.updateAuthToken(jwt)`: throws AuthPrincipalChangeError (reference text) when the new
 * token names a different `sub` than the current one. Returns the new session.
 */
export function assertSamePrincipal(currentJwt: string | null | undefined, nextJwt: string | null): Session | null {
  const next = nextJwt === null ? null : sessionFromJwt(nextJwt);
  const current = currentJwt ? sessionFromJwt(currentJwt) : null;
  if (current && next && current.user_id !== next.user_id) throw new AuthPrincipalChangeError();
  return next;
}

