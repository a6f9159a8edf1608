import { createApp, defineComponent, h, watchEffect, type PropType } from "vue";
import { JazzProvider, useAll } from "../../../packages/vue/src/index.ts";
import type { JazzClient } from "../../../packages/core/src/subscriptions/index.ts";
import { app, counters, type Item } from "./schema.ts";

const Row = defineComponent({
  props: { item: { type: Object as PropType<Item>, required: true } },
  setup(props) {
    // One effect per field: only the changed field's effect should run.
    watchEffect(() => (void props.item.label, counters.fieldEffects++));
    watchEffect(() => (void props.item.done, counters.otherEffects++));
    return () => {
      counters.rowRenders++;
      return h("li", { "data-id": props.item.id }, props.item.label);
    };
  },
});

const List = defineComponent({
  setup() {
    const items = useAll(app.items);
    return () => {
      counters.listRenders++;
      return h("ul", (items.value ?? []).map((item) => h(Row, { key: item.id, item })));
    };
  },
});

export function mountVue(el: HTMLElement, client: JazzClient<any>) {
  const vueApp = createApp({ render: () => h(JazzProvider, { client }, { default: () => h(List) }) });
  vueApp.mount(el);
  return () => vueApp.unmount();
}
