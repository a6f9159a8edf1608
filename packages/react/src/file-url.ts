import { useEffect, useState } from "react";
import type { FileReadOptions } from "@jazz-tools/core";
import { useJazzClient } from "./context.ts";

/**
 * An object URL (`blob:...`) for a file row or id, for `<img src>` / `<a href download>`:
 * undefined while loading (or with no file), revoked when the file changes or the component
 * unmounts. A file that cannot be loaded gives `error` instead.
 */
export function useFileUrl(app: unknown, fileOrId: string | { id: string } | null | undefined, options?: FileReadOptions): { url: string | undefined; error: Error | undefined } {
  const db = useJazzClient().db;
  const id = typeof fileOrId === "string" ? fileOrId : fileOrId?.id;
  const [state, setState] = useState<{ id?: string; url?: string; error?: Error }>({});
  const tier = options?.tier;
  useEffect(() => {
    if (!id || !fileOrId) return;
    let url: string | undefined;
    let live = true;
    db.loadFileAsBlob(app, fileOrId as never, tier ? { tier } : undefined).then(
      (blob) => {
        if (!live) return;
        url = URL.createObjectURL(blob);
        setState({ id, url });
      },
      (error: Error) => live && setState({ id, error }),
    );
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
    // The row object may be a new one with the same id on every render: follow the id.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [db, app, id, tier]);
  return state.id === id && id ? { url: state.url, error: state.error } : { url: undefined, error: undefined };
}
