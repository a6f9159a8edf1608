import { JazzError } from "@jazz-tools/core";
import { getContext, setContext } from "svelte";
import type { Session } from "@jazz-tools/auth";
import type { JazzClient } from "@jazz-tools/core/subscriptions";
import type { Db } from "./types.ts";

const KEY = Symbol("jazz-context");

/** What <JazzSvelteProvider> shares with its children; `client` is null until ready. */
export interface JazzContext {
  readonly client: JazzClient<Db> | null;
}

export class JazzContextMissingError extends JazzError {
  readonly code: string = "jazz_context_missing";
  override name = "JazzContextMissingError";
}

export function setJazzContext(ctx: JazzContext): void {
  setContext(KEY, ctx);
}

export function getJazzContext(): JazzContext {
  const ctx = getContext<JazzContext | undefined>(KEY);
  if (!ctx) throw new JazzContextMissingError("getDb/getSession/QuerySubscription must be used inside <JazzSvelteProvider>.");
  return ctx;
}

export function getJazzClient(): JazzClient<Db> {
  const client = getJazzContext().client;
  if (!client) throw new JazzContextMissingError("Jazz database is not yet initialised");
  return client;
}

export function getDb(): Db {
  return getJazzClient().db;
}

/** The session when called (a snapshot, as at the reference's alpha.50). */
export function getSession(): Session | null {
  return getJazzClient().session;
}
