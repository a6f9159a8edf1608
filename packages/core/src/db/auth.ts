// How a DbConfig becomes a session (reference §2.1): local-first secret, external JWT, cookie
// session, admin, or anonymous. The crypto lives in @jazz-tools/auth.

import {
  AuthPrincipalChangeError,
  authStateFromJwt,
  getLocalFirstIdentityProofAsync,
  mintLocalFirstTokenAsync,
  refreshDelayMs,
  sessionFromJwt,
  SESSION_TOKEN_TTL_SECONDS,
  validateAuthSecret,
  type AuthState,
  type Session,
  type SyncSigner,
} from "@jazz-tools/auth";
import type { DbConfig } from "./types.ts";
import { DbConfigError } from "./errors.ts";

/** Author id of writes made with `adminSecret` and no user session. */
export const ADMIN_PRINCIPAL = "jazz:admin";

export function checkAuthConfig(config: DbConfig): void {
  const set = (["secret", "jwtToken", "cookieSession"] as const).filter((k) => config[k] !== undefined && config[k] !== null);
  if (set.length > 1) {
    throw new DbConfigError(
      set.includes("secret")
        ? "DbConfig error: secret, jwtToken, and cookieSession are mutually exclusive"
        : "DbConfig error: jwtToken and cookieSession are mutually exclusive",
    );
  }
  if (config.secret !== undefined) validateAuthSecret(config.secret);
}

type Listener = (state: AuthState) => void;

/** The Db's auth state: current token/session, token refresh, listeners. */
export class DbAuth {
  private state: AuthState;
  private jwt: string | null = null;
  private readonly secret: string | null;
  private anonymousSecret: string | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private listeners = new Set<Listener>();
  readonly admin: boolean;

  private closed = false;

  constructor(
    private readonly config: DbConfig,
    preminted?: { token: string; anonymousSecret?: string },
    private readonly signer?: SyncSigner,
  ) {
    checkAuthConfig(config);
    this.secret = config.secret ?? null;
    this.admin = !!config.adminSecret;
    if (this.secret) {
      this.mintLocalFirst(preminted?.token);
    } else if (config.jwtToken) {
      this.jwt = config.jwtToken;
      this.state = authStateFromJwt(config.jwtToken);
    } else if (config.cookieSession) {
      this.state = { authMode: config.cookieSession.authMode ?? "external", session: config.cookieSession };
    } else if (this.admin) {
      this.state = { authMode: "external", session: null };
    } else {
      const { token, secret } = preminted?.anonymousSecret
        ? { token: preminted.token, secret: preminted.anonymousSecret }
        : this.sync().mintAnonymousToken({ audience: config.appId });
      this.anonymousSecret = secret;
      this.jwt = token;
      this.state = { authMode: "anonymous", session: sessionFromJwt(token) };
    }
    this.state ??= { authMode: "anonymous", session: null };
  }

  /** The pure-JS signer, for a token that cannot wait (no preminted one was given). */
  private sync(): SyncSigner {
    if (!this.signer) throw new DbConfigError("internal: this Db has neither a preminted session token nor a synchronous signer (create it with createDbFromParts)");
    return this.signer;
  }

  /** `token`: one minted ahead for this secret (createDbFromParts' async signer). */
  private mintLocalFirst(token?: string): void {
    this.setLocalFirstToken(token ?? this.sync().mintLocalFirstToken(this.secret!, { audience: this.config.appId }));
  }

  private setLocalFirstToken(jwt: string): void {
    this.jwt = jwt;
    this.state = { authMode: "local-first", session: sessionFromJwt(jwt) };
    // Re-mint at 80 % of the TTL; the timer must not keep a Node process alive.
    this.refreshTimer = setTimeout(() => void this.refresh(), refreshDelayMs(SESSION_TOKEN_TTL_SECONDS));
    (this.refreshTimer as { unref?: () => void }).unref?.();
  }

  private async refresh(): Promise<void> {
    const options = { audience: this.config.appId };
    let jwt: string;
    try {
      jwt = this.signer ? this.signer.mintLocalFirstToken(this.secret!, options) : await mintLocalFirstTokenAsync(this.secret!, options);
    } catch (e) {
      // The current token still has a fifth of its life: try again in a minute.
      console.error("jazz: could not refresh the session token:", e);
      if (this.closed) return;
      this.refreshTimer = setTimeout(() => void this.refresh(), 60_000);
      (this.refreshTimer as { unref?: () => void }).unref?.();
      return;
    }
    if (this.closed) return;
    this.setLocalFirstToken(jwt);
    this.emit();
  }

  get authMode() {
    return this.state.authMode;
  }
  get session(): Session | null {
    return this.state.session;
  }
  /** Writes are denied for anonymous sessions (admins are never anonymous). */
  get isAnonymous(): boolean {
    return !this.admin && this.state.authMode === "anonymous";
  }
  /** user_id recorded as $createdBy / $updatedBy. */
  get author(): string {
    return this.state.session?.user_id ?? (this.admin ? ADMIN_PRINCIPAL : "anonymous");
  }
  /** The bearer token a link presents to a server (null for cookie/admin sessions). */
  get token(): string | null {
    return this.jwt;
  }

  getState(): AuthState {
    return { ...this.state };
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    listener(this.getState());
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    const s = this.getState();
    for (const l of [...this.listeners]) l(s);
  }

  updateToken(jwt: string | null): void {
    const next = jwt === null ? null : sessionFromJwt(jwt);
    const cur = this.state.session;
    if (cur && next && cur.user_id !== next.user_id) throw new AuthPrincipalChangeError();
    this.jwt = jwt;
    this.state = jwt === null ? { authMode: this.state.authMode, session: null, error: "missing" } : authStateFromJwt(jwt);
    this.emit();
  }

  updateCookieSession(session: Session | null): void {
    const cur = this.state.session;
    if (cur && session && cur.user_id !== session.user_id) {
      throw new AuthPrincipalChangeError();
    }
    this.state = session ? { authMode: session.authMode ?? "external", session } : { authMode: this.state.authMode, session: null, error: "missing" };
    this.emit();
  }

  identityProof(options: { ttlSeconds?: number; audience?: string } = {}): string | null | Promise<string | null> {
    if (!this.secret) return null;
    const args = { appId: this.config.appId, ...options };
    return this.signer ? this.signer.getLocalFirstIdentityProof(this.secret, args) : getLocalFirstIdentityProofAsync(this.secret, args);
  }

  close(): void {
    this.closed = true;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.listeners.clear();
  }
}

