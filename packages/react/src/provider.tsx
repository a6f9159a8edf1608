import { Suspense, useEffect, useRef, useState, type ReactNode } from "react";
import type { JazzClient } from "@jazz-tools/core/subscriptions";
import { createJazzClient } from "./client.ts";
import { JazzClientContext } from "./context.ts";
import { acquireClient, configKey, peekClient, releaseClient } from "./registry.ts";
import type { Db, DbConfig } from "./types.ts";

type ClientInput = JazzClient<Db> | Promise<JazzClient<Db>>;

export interface JazzProviderProps {
  /** Creates (and owns) a client; a different config recreates it and shuts the old one down. */
  config?: DbConfig;
  /** Or use a client created with createJazzClient (a promise is fine). */
  client?: ClientInput;
  /** Rendered while the client starts and while a useAllSuspense query loads. */
  fallback?: ReactNode;
  /** Called when the JWT expired; a returned token is handed to db.updateAuthToken. */
  onJWTExpired?: () => Promise<string | null | undefined> | string | null | undefined;
  children?: ReactNode;
}

export class JazzProviderConfigError extends Error {
  override name = "JazzProviderConfigError";
}

export function JazzProvider({ config, client, fallback = null, onJWTExpired, children }: JazzProviderProps) {
  if (!config === !client) {
    throw new JazzProviderConfigError("<JazzProvider> needs exactly one of `config` (a DbConfig) or `client` (from createJazzClient).");
  }
  // Two components, so switching between the forms remounts instead of reordering hooks.
  return config ? (
    <ConfigProvider config={config} fallback={fallback} onJWTExpired={onJWTExpired}>{children}</ConfigProvider>
  ) : (
    <ClientProvider client={client!} fallback={fallback} onJWTExpired={onJWTExpired}>{children}</ClientProvider>
  );
}

function ConfigProvider(props: JazzProviderProps & { config: DbConfig }) {
  return <Provide {...props} client={useConfigClient(props.config)} />;
}

function ClientProvider(props: JazzProviderProps & { client: ClientInput }) {
  return <Provide {...props} client={useGivenClient(props.client)} />;
}

function Provide({ client, fallback, onJWTExpired, children }: Omit<JazzProviderProps, "client"> & { client: JazzClient<Db> | null }) {
  useJwtRefresh(client, onJWTExpired);
  if (!client) return <>{fallback}</>;
  return (
    <JazzClientContext.Provider value={client}>
      <Suspense fallback={fallback}>{children}</Suspense>
    </JazzClientContext.Provider>
  );
}

/** Provides a client you created yourself (the reference's name for the `client` form). */
export function JazzClientProvider(props: Omit<JazzProviderProps, "config"> & { client: ClientInput }) {
  return <JazzProvider {...props} />;
}

function useConfigClient(config: DbConfig): JazzClient<Db> | null {
  const key = configKey(config);
  const [state, setState] = useState<{ key: string; client: JazzClient<Db> } | { key: string; error: unknown } | null>(null);
  const configRef = useRef(config);
  configRef.current = config;
  useEffect(() => {
    let live = true;
    acquireClient(key, () => createJazzClient(configRef.current)).then(
      (client) => live && setState({ key, client }),
      (error) => live && setState({ key, error }),
    );
    return () => {
      live = false;
      releaseClient(key);
    };
  }, [key]);
  if (state && state.key === key && "error" in state) throw state.error;
  if (state && state.key === key && "client" in state && !state.client.isShutdown) return state.client;
  const cached = peekClient(key);
  return cached && !cached.isShutdown ? cached : null;
}

function useGivenClient(input: ClientInput): JazzClient<Db> | null {
  const [state, setState] = useState<{ input: ClientInput; client?: JazzClient<Db>; error?: unknown }>(() =>
    isPromise(input) ? { input } : { input, client: input },
  );
  const previous = useRef<JazzClient<Db> | null>(null);
  useEffect(() => {
    let live = true;
    if (isPromise(input)) {
      input.then(
        (client) => live && setState({ input, client }),
        (error) => live && setState({ input, error }),
      );
    } else if (state.input !== input) {
      setState({ input, client: input });
    }
    return () => {
      live = false;
    };
  }, [input]);
  const current = state.input === input ? (state.client ?? null) : isPromise(input) ? null : input;
  if (state.input === input && state.error !== undefined) throw state.error;
  // Replacing the client shuts the replaced one down (the provider was its only owner).
  useEffect(() => {
    if (!current) return;
    const old = previous.current;
    previous.current = current;
    if (old && old !== current) void old.shutdown();
  }, [current]);
  return current;
}

function useJwtRefresh(client: JazzClient<Db> | null, onJWTExpired: JazzProviderProps["onJWTExpired"]) {
  const handler = useRef(onJWTExpired);
  handler.current = onJWTExpired;
  useEffect(() => {
    if (!client) return;
    let refreshing = false; // a latch: one refresh at a time
    const check = async () => {
      if (client.authState.error !== "expired" || refreshing || !handler.current) return;
      refreshing = true;
      try {
        const token = await handler.current();
        if (token && !client.isShutdown) client.db.updateAuthToken?.(token);
      } finally {
        refreshing = false;
      }
    };
    void check();
    return client.onAuthChanged(() => void check());
  }, [client]);
}

function isPromise<T>(v: unknown): v is Promise<T> {
  return typeof (v as Promise<T> | null)?.then === "function";
}
