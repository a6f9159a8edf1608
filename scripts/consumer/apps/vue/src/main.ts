import { computed, createApp, defineComponent, h, ref } from "vue";
import { schema as s } from "jazz-tools";
import { createJazzClient, JazzProvider, useAll, useDb, useLocalFirstAuth } from "jazz-tools/vue";

const app = s.defineApp({ todos: s.table({ title: s.string() }) });

const Todos = defineComponent({
  setup() {
    const db = useDb();
    const todos = useAll(app.todos);
    const title = ref("");
    const add = (e: Event) => {
      e.preventDefault();
      db.insert(app.todos, { title: title.value });
      title.value = "";
    };
    return () => [
      h("form", { id: "form", onSubmit: add }, [
        h("input", { id: "title", value: title.value, onInput: (e: Event) => (title.value = (e.target as HTMLInputElement).value) }),
        h("button", { type: "submit" }, "add"),
      ]),
      h("ul", { id: "list" }, (todos.value ?? []).map((t) => h("li", { key: t.id }, t.title))),
    ];
  },
});

const App = defineComponent({
  setup() {
    const { secret } = useLocalFirstAuth();
    const client = computed(() => (secret.value ? createJazzClient({ appId: "consumer-vue", secret: secret.value }) : null));
    return () => (client.value ? h(JazzProvider, { client: client.value }, { default: () => h(Todos) }) : h("p", "Loading…"));
  },
});

createApp(App).mount("#app");
document.body.dataset.ready = "1";
