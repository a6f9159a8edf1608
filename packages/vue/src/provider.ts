import { JazzError } from "@jazz-tools/core";
import {
  defineComponent,
  h,
  inject,
  provide,
  shallowRef,
  watch,
  Fragment,
  type InjectionKey,
  type PropType,
  type ShallowRef,
} from "vue";
import type { JazzClient } from "@jazz-tools/core/subscriptions";
import type { Db } from "./types.ts";

type ClientInput = JazzClient<Db> | Promise<JazzClient<Db>>;

export const JazzClientKey: InjectionKey<ShallowRef<JazzClient<Db> | null>> = Symbol("jazz-client");

export class JazzProviderMissingError extends JazzError {
  readonly code: string = "jazz_provider_missing";
  override name = "JazzProviderMissingError";
}

/**
 * <JazzProvider :client="clientOrPromise">: renders the `fallback` slot until the client is
 * ready, then the default slot. A new `client` prop shuts the replaced client down.
 */
export const JazzProvider = defineComponent({
  name: "JazzProvider",
  props: {
    client: { type: [Object, Promise] as PropType<ClientInput>, required: true },
  },
  setup(props, { slots }) {
    const current = shallowRef<JazzClient<Db> | null>(null);
    const error = shallowRef<unknown>(undefined);
    provide(JazzClientKey, current);
    let generation = 0;
    watch(
      () => props.client,
      async (input, previous) => {
        const mine = ++generation;
        const old = current.value;
        if (input !== previous && old) {
          current.value = null;
          void old.shutdown();
        }
        try {
          const client = await input;
          if (mine === generation) current.value = client;
        } catch (err) {
          if (mine === generation) error.value = err;
        }
      },
      { immediate: true },
    );
    return () => {
      if (error.value !== undefined) throw error.value;
      const client = current.value;
      if (!client) return slots.fallback?.();
      // Keyed by client, so a replaced client remounts the subtree (fresh useDb/useAll).
      return h(Fragment, { key: clientIds(client) }, slots.default?.({ db: client.db }));
    };
  },
});

const ids = new WeakMap<object, number>();
let nextId = 1;
function clientIds(client: object): number {
  let id = ids.get(client);
  if (id === undefined) ids.set(client, (id = nextId++));
  return id;
}

export function useJazzClient(): JazzClient<Db> {
  const client = inject(JazzClientKey, null)?.value;
  if (!client) {
    throw new JazzProviderMissingError("useJazzClient/useDb/useAll must be called inside <JazzProvider> once its client is ready.");
  }
  return client;
}
