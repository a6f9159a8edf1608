import { JazzError } from "@jazz-tools/core";
import { createContext, useContext } from "react";
import type { JazzClient } from "@jazz-tools/core/subscriptions";
import type { Db } from "./types.ts";

export const JazzClientContext = createContext<JazzClient<Db> | null>(null);

export class JazzProviderMissingError extends JazzError {
  readonly code: string = "jazz_provider_missing";
  override name = "JazzProviderMissingError";
}

/** The client of the nearest <JazzProvider>. */
export function useJazzClient(): JazzClient<Db> {
  const client = useContext(JazzClientContext);
  if (!client) {
    throw new JazzProviderMissingError("useJazzClient/useDb/useAll must be used inside <JazzProvider> (or <JazzClientProvider>).");
  }
  return client;
}
