import type { FileReadOptions } from "@jazz-tools/core";
import { getJazzContext } from "./context.ts";

type MaybeGetter<T> = T | (() => T);
const read = <T>(v: MaybeGetter<T>): T => (typeof v === "function" ? (v as () => T)() : v);

/**
 * An object URL (`blob:...`) for a file row or id (a value or getter) in Svelte 5 components:
 * `.current` is undefined while loading or with no file; the URL is revoked when the file
 * changes or the component is destroyed.
 */
export class FileUrl {
  current = $state<string | undefined>(undefined);
  error = $state.raw<Error | undefined>(undefined);

  constructor(app: unknown, fileOrId: MaybeGetter<string | { id: string } | null | undefined>, options?: FileReadOptions) {
    const ctx = getJazzContext();
    $effect.pre(() => {
      const f = read(fileOrId);
      const id = typeof f === "string" ? f : f?.id;
      const client = ctx.client;
      this.current = undefined;
      this.error = undefined;
      if (!id || !client) return;
      let made: string | undefined;
      let live = true;
      client.db.loadFileAsBlob(app, f as never, options).then(
        (blob) => {
          if (!live) return;
          made = URL.createObjectURL(blob);
          this.current = made;
        },
        (e: Error) => {
          if (live) this.error = e;
        },
      );
      return () => {
        live = false;
        if (made) URL.revokeObjectURL(made);
      };
    });
  }
}
