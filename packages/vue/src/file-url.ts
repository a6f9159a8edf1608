import { shallowRef, toValue, watch, type MaybeRefOrGetter, type Ref } from "vue";
import type { FileReadOptions } from "@jazz-tools/core";
import { useJazzClient } from "./provider.ts";

/**
 * An object URL (`blob:...`) for a file row or id (a value, ref or getter): undefined while
 * loading or with no file, revoked when the file changes or the component's scope ends.
 */
export function useFileUrl(
  app: unknown,
  fileOrId: MaybeRefOrGetter<string | { id: string } | null | undefined>,
  options?: FileReadOptions,
): { url: Ref<string | undefined>; error: Ref<Error | undefined> } {
  const db = useJazzClient().db;
  const url = shallowRef<string | undefined>(undefined);
  const error = shallowRef<Error | undefined>(undefined);
  watch(
    () => {
      const f = toValue(fileOrId);
      return typeof f === "string" ? f : (f?.id ?? null);
    },
    (id, _prev, onCleanup) => {
      url.value = undefined;
      error.value = undefined;
      if (!id) return;
      let made: string | undefined;
      let live = true;
      onCleanup(() => {
        live = false;
        if (made) URL.revokeObjectURL(made);
      });
      db.loadFileAsBlob(app, toValue(fileOrId) as never, options).then(
        (blob) => {
          if (!live) return;
          made = URL.createObjectURL(blob);
          url.value = made;
        },
        (e: Error) => {
          if (live) error.value = e;
        },
      );
    },
    { immediate: true },
  );
  return { url, error };
}
