// Who is this connection? Priority as the reference: backend impersonation (backend secret +
// session) first, then a bearer JWT (local-first self-signed, or external via JWKS / public
// key), and the admin secret as an extra capability. Anything refused raises AuthError with the
// reason the client surfaces in getAuthState().error.

import { createPublicKey, timingSafeEqual, type KeyObject } from "node:crypto";
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import {
  ANONYMOUS_ISSUER,
  LOCAL_FIRST_ISSUER,
  decodeJwtPayload,
  normalizeAudience,
  verifyLocalFirstIdentityProof,
} from "@jazz-tools/auth";
import type { HandshakeAuth, WireSession } from "@jazz-tools/core/sync";
import { AuthError, UsageError } from "../errors.ts";

export const SYSTEM_USER_ID = "jazz:system";
export const ADMIN_USER_ID = "jazz:admin";
/** An edge server connected with the peer secret and no session (its catalogue link). */
export const PEER_USER_ID = "jazz:peer";

export interface AuthConfig {
  appId: string;
  allowLocalFirstAuth: boolean;
  jwksUrl?: string;
  jwtPublicKey?: string;
  /** External JWTs must carry this `aud` (default: the app id, as given or UUIDv5-normalised). */
  jwtAudience?: string;
  /** External JWTs must carry this `iss` (default: not checked). */
  jwtIssuer?: string;
  /** Longest accepted external JWT lifetime, exp − iat, in seconds (default 86400). */
  jwtMaxLifetimeSeconds?: number;
  backendSecret?: string;
  adminSecret?: string;
  /** Edge servers presenting this secret may connect as peers (see ../edge/). */
  peerSecret?: string;
}

export interface ResolvedAuth {
  session: WireSession;
  /** The admin secret was presented and is right: schema publishing, policy bypass. */
  isAdmin: boolean;
  /** Backend secret without a session: the backend itself, permissions bypassed. */
  isBackend: boolean;
  /** An edge server (peer secret), acting for `session` or, without one, privileged. */
  isPeer?: boolean;
  /** When the credential stops being valid (ms since epoch), if it expires. */
  expiresAt?: number;
}

type KeyGetter = Parameters<typeof jwtVerify>[1];

const CLOCK_LEEWAY_SECONDS = 5;
const DEFAULT_MAX_LIFETIME_SECONDS = 86_400;

export class Authenticator {
  private constructor(
    private readonly cfg: AuthConfig,
    private readonly externalKey: KeyGetter | null,
    private readonly algorithms: string[],
  ) {}

  /** Validates the configured key material up front, so a bad key fails at startup (exit 2). */
  static async create(cfg: AuthConfig): Promise<Authenticator> {
    let key: KeyGetter | null = null;
    // Asymmetric algorithms only: an HMAC token "signed" with the public key must never pass.
    let algorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];
    if (cfg.jwksUrl) {
      // jose caches the key set and refetches it when a token names an unknown kid.
      key = createRemoteJWKSet(new URL(cfg.jwksUrl), { cooldownDuration: 2_000, cacheMaxAge: 10 * 60_000 });
    } else if (cfg.jwtPublicKey) {
      const imported = importPublicKey(cfg.jwtPublicKey);
      key = imported.key as unknown as KeyGetter;
      algorithms = imported.algorithms;
    }
    return new Authenticator(cfg, key, algorithms);
  }

  async resolve(auth: HandshakeAuth, now = Date.now()): Promise<ResolvedAuth> {
    let isAdmin = false;
    if (auth.adminSecret !== undefined) {
      if (!this.cfg.adminSecret) throw new AuthError("disabled", "this server has no admin secret configured");
      if (!secretEquals(auth.adminSecret, this.cfg.adminSecret)) throw new AuthError("invalid", "admin secret is wrong");
      isAdmin = true;
    }

    if (auth.peerSecret !== undefined) {
      if (!this.cfg.peerSecret) throw new AuthError("disabled", "this server accepts no edge peers (start it with --peer-secret)");
      if (!secretEquals(auth.peerSecret, this.cfg.peerSecret)) throw new AuthError("invalid", "peer secret is wrong");
      if (auth.session) {
        // The edge authenticated its client; the core re-checks that user's permissions.
        const s = auth.session as Partial<WireSession>;
        if (typeof s.user_id !== "string" || s.user_id.length === 0) {
          throw new AuthError("invalid", "peer session needs a non-empty user_id");
        }
        const claims = s.claims && typeof s.claims === "object" ? s.claims : {};
        const authMode = s.authMode === "local-first" || s.authMode === "anonymous" ? s.authMode : "external";
        return { session: { user_id: s.user_id, claims, authMode }, isAdmin, isBackend: false, isPeer: true };
      }
      return { session: { user_id: PEER_USER_ID, claims: {}, authMode: "backend" }, isAdmin, isBackend: true, isPeer: true };
    }

    if (auth.backendSecret !== undefined) {
      if (!this.cfg.backendSecret) {
        throw new AuthError("disabled", "backend impersonation is not enabled on this server (--backend-secret)");
      }
      if (!secretEquals(auth.backendSecret, this.cfg.backendSecret)) {
        throw new AuthError("invalid", "backend secret is wrong");
      }
      if (auth.session) {
        const s = auth.session as Partial<WireSession>;
        if (typeof s.user_id !== "string" || s.user_id.length === 0) {
          throw new AuthError("invalid", "backend session needs a non-empty user_id");
        }
        const claims = s.claims && typeof s.claims === "object" ? s.claims : {};
        const authMode = s.authMode === "local-first" || s.authMode === "anonymous" ? s.authMode : "external";
        return { session: { user_id: s.user_id, claims, authMode }, isAdmin, isBackend: false };
      }
      return { session: { user_id: SYSTEM_USER_ID, claims: {}, authMode: "backend" }, isAdmin, isBackend: true };
    }

    if (auth.token !== undefined) {
      const r = await this.verifyToken(auth.token, now);
      return { ...r, isAdmin, isBackend: false };
    }

    if (isAdmin) return { session: { user_id: ADMIN_USER_ID, claims: {}, authMode: "admin" }, isAdmin, isBackend: false };
    throw new AuthError("missing", "no credentials: send a bearer token, a backend secret or the admin secret");
  }

  private async verifyToken(token: string, now: number): Promise<{ session: WireSession; expiresAt?: number }> {
    if (typeof token !== "string" || token.length === 0 || token.length > 16_384) {
      throw new AuthError("invalid", "bearer token is empty or too long");
    }
    const payload = decodeJwtPayload(token);
    if (!payload) throw new AuthError("invalid", "bearer token is not a JWT");
    const iss = payload.iss;

    if (iss === LOCAL_FIRST_ISSUER || iss === ANONYMOUS_ISSUER) {
      if (!this.cfg.allowLocalFirstAuth) {
        throw new AuthError("disabled", "local-first auth is disabled on this server (--allow-local-first-auth)");
      }
      const r = verifyLocalFirstIdentityProof(token, this.cfg.appId, { now });
      if (!r.ok) throw new AuthError(r.code === "expired" ? "expired" : "invalid", `local-first token refused: ${r.error}`);
      return {
        session: { user_id: r.id, claims: { subject: r.id, issuer: iss }, authMode: r.authMode },
        expiresAt: r.claims.exp * 1000,
      };
    }

    if (!this.externalKey) {
      throw new AuthError("disabled", "external JWT auth is not configured on this server (--jwks-url or --jwt-public-key)");
    }
    let verified: JWTPayload;
    try {
      // RFC 8725: exp and aud required, iss pinned when configured, algorithms pinned per key.
      ({ payload: verified } = await jwtVerify(token, this.externalKey as never, {
        currentDate: new Date(now),
        algorithms: this.algorithms,
        clockTolerance: CLOCK_LEEWAY_SECONDS,
        requiredClaims: ["exp", "iat"],
        audience: this.cfg.jwtAudience ? [this.cfg.jwtAudience] : [this.cfg.appId, normalizeAudience(this.cfg.appId)],
        ...(this.cfg.jwtIssuer ? { issuer: this.cfg.jwtIssuer } : {}),
      }));
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw new AuthError("expired", "external JWT has expired");
      throw new AuthError("invalid", `external JWT refused: ${(e as Error).message}`);
    }
    const iat = verified.iat as number;
    if (iat > now / 1000 + CLOCK_LEEWAY_SECONDS) throw new AuthError("invalid", "external JWT refused: iat is in the future");
    const maxLifetime = this.cfg.jwtMaxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS;
    if ((verified.exp as number) - iat > maxLifetime) {
      throw new AuthError("invalid", `external JWT refused: its lifetime (exp - iat) is over ${maxLifetime} s (--jwt-max-lifetime)`);
    }
    if (typeof verified.sub !== "string" || verified.sub.length === 0) {
      throw new AuthError("invalid", "external JWT has no sub claim");
    }
    const nested =
      verified.claims && typeof verified.claims === "object" && !Array.isArray(verified.claims)
        ? (verified.claims as Record<string, unknown>)
        : {};
    return {
      // sub is the user id verbatim; the token's own claims are kept for permission checks.
      session: { user_id: verified.sub, claims: { ...nested, subject: verified.sub, issuer: verified.iss }, authMode: "external" },
      expiresAt: typeof verified.exp === "number" ? verified.exp * 1000 : undefined,
    };
  }
}

/** A JWK JSON object or a PEM (SPKI) public key, as a KeyObject plus the algorithms it may verify. */
function importPublicKey(text: string): { key: KeyObject; algorithms: string[] } {
  let key: KeyObject;
  try {
    if (text.trim().startsWith("{")) {
      const jwk = JSON.parse(text) as Record<string, unknown>;
      if (jwk.d !== undefined) throw new Error("the JWK contains a private key; pass the public key only");
      key = createPublicKey({ key: jwk as never, format: "jwk" });
    } else {
      key = createPublicKey(text);
    }
  } catch (e) {
    throw new UsageError(`--jwt-public-key is not a usable public key: ${(e as Error).message}`);
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const algorithms: Record<string, string[]> = {
    rsa: ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"],
    "rsa-pss": ["PS256", "PS384", "PS512"],
    ed25519: ["EdDSA", "Ed25519"],
    ec: curve === "secp384r1" ? ["ES384"] : curve === "secp521r1" ? ["ES512"] : ["ES256"],
  };
  const algs = algorithms[key.asymmetricKeyType ?? ""];
  if (!algs) throw new UsageError(`--jwt-public-key has unsupported key type ${key.asymmetricKeyType}`);
  return { key, algorithms: algs };
}

function secretEquals(given: unknown, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
