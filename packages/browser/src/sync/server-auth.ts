// The server's verdict on the credentials, reflected in the Db's auth state (as the Node client
// does): `getAuthState().error` becomes e.g. "expired", which is what `onJWTExpired` in the
// framework providers reacts to; a later accepted handshake clears it.

import type { AuthState } from "@jazz-tools/auth";
import type { Db } from "@jazz-tools/core";

type AuthError = AuthState["error"];
const KNOWN = new Set<string>(["expired", "missing", "invalid", "disabled"]);

/** `listen` delivers the server's auth events (error unset: the credentials were accepted). */
export function reflectServerAuth(db: Db, listen: (cb: (e: { error?: string }) => void) => void): void {
  let error: AuthError;
  const listeners = new Set<(s: AuthState) => void>();
  const baseGet = db.getAuthState.bind(db);
  const baseOn = db.onAuthChanged.bind(db);
  db.getAuthState = () => {
    const s = baseGet();
    return error ? { ...s, error } : s;
  };
  db.onAuthChanged = (listener) => {
    listeners.add(listener);
    const off = baseOn(() => listener(db.getAuthState()));
    return () => {
      off();
      listeners.delete(listener);
    };
  };
  listen((e) => {
    const next = e.error && KNOWN.has(e.error) ? (e.error as AuthError) : e.error ? "invalid" : undefined;
    if (next === error) return;
    error = next;
    const s = db.getAuthState();
    for (const l of [...listeners]) l(s);
  });
}
