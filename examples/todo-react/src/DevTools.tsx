import { useEffect } from "react";
import { attachDevTools, useJazzClient } from "jazz-tools/react";
import { app } from "todo-shared-schema";

/** In development, serve the live client to the Jazz inspector (window.postMessage bridge). */
export function DevTools() {
  const client = useJazzClient();
  useEffect(() => (import.meta.env.DEV ? attachDevTools(client, app.wasmSchema) : undefined), [client]);
  return null;
}
