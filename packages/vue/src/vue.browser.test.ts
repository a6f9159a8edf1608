import { defineComponent, h, nextTick, ref, toRaw, watch, type PropType } from "vue";
import { cleanup, render, screen, waitFor } from "@testing-library/vue";
import { afterEach, describe, expect, it } from "vitest";
import { userEvent } from "vitest/browser";
import { schema as s } from "@jazz-tools/core";
import { generateAuthSecret } from "@jazz-tools/auth";
import { createJazzClient, JazzProvider, useAll, useDb, useJazzClient, useLocalFirstAuth, useSession, useSyncStatus, useFileUrl, type JazzClient } from "./index.ts";
import { BrowserAuthSecretStore } from "@jazz-tools/auth/browser";

const app = s.defineApp({
  todos: s.table({ title: s.string(), done: s.boolean() }),
});
type Todo = { id: string; title: string; done: boolean };

let n = 0;
const clients: JazzClient[] = [];
async function memoryClient(): Promise<JazzClient> {
  const client = await createJazzClient({ appId: `vue-binding-${Date.now()}-${n++}`, secret: generateAuthSecret() });
  clients.push(client);
  return client;
}
afterEach(async () => {
  cleanup();
  await Promise.all(clients.splice(0).map((c) => c.shutdown()));
});

/** Mounts `inner` inside <JazzProvider :client>. */
function withProvider(client: JazzClient | Promise<JazzClient>, inner: ReturnType<typeof defineComponent>) {
  return render(defineComponent({
    render: () => h(JazzProvider, { client }, { default: () => h(inner), fallback: () => h("p", "loading") }),
  }));
}

describe("useAll (Vue)", () => {
  it("editing one field of one row runs only that field's watchers and re-renders only that row", async () => {
    const client = await memoryClient();
    const ids = Array.from({ length: 20 }, (_, i) => client.db.insert(app.todos, { title: `t${i}`, done: false }).value.id);
    const rowRenders = new Map<string, number>();
    let listRenders = 0;
    const fired = { title7: 0, done7: 0, title3: 0 };
    let rows!: ReturnType<typeof useAll<typeof app.todos>>;
    const Row = defineComponent({
      props: { todo: { type: Object as PropType<Todo>, required: true } },
      setup(props) {
        return () => {
          rowRenders.set(props.todo.id, (rowRenders.get(props.todo.id) ?? 0) + 1);
          return h("li", props.todo.title);
        };
      },
    });
    const List = defineComponent({
      setup() {
        rows = useAll(app.todos);
        watch(() => rows.value?.[7]?.title, () => fired.title7++);
        watch(() => rows.value?.[7]?.done, () => fired.done7++);
        watch(() => rows.value?.[3]?.title, () => fired.title3++);
        return () => {
          listRenders++;
          return h("ul", (rows.value ?? []).map((t) => h(Row, { key: t.id, todo: t })));
        };
      },
    });
    withProvider(client, List);
    await waitFor(() => expect(screen.getAllByRole("listitem")).toHaveLength(20));
    const before = rows.value!.map((r) => toRaw(r));
    Object.assign(fired, { title7: 0, done7: 0, title3: 0 });
    rowRenders.clear();
    listRenders = 0;
    client.db.update(app.todos, ids[7]!, { title: "changed" });
    await nextTick();
    expect(screen.getAllByRole("listitem")[7]!.textContent).toBe("changed");
    expect(fired).toEqual({ title7: 1, done7: 0, title3: 0 });
    expect([...rowRenders.entries()]).toEqual([[ids[7], 1]]);
    expect(listRenders).toBe(0);
    rows.value!.forEach((r, i) => expect(toRaw(r)).toBe(before[i]));
  });

  it("adding, removing and reordering keep untouched row objects", async () => {
    const client = await memoryClient();
    const a = client.db.insert(app.todos, { title: "a", done: false }).value.id;
    const b = client.db.insert(app.todos, { title: "b", done: false }).value.id;
    const c = client.db.insert(app.todos, { title: "c", done: false }).value.id;
    let rows!: ReturnType<typeof useAll<typeof app.todos>>;
    withProvider(client, defineComponent({
      setup() {
        rows = useAll(app.todos.orderBy("title"));
        return () => h("p", `${rows.value?.length}`);
      },
    }));
    await waitFor(() => expect(rows.value?.length).toBe(3));
    const raw = (id: string) => toRaw(rows.value!.find((r) => r.id === id)!);
    const [ra, rc] = [raw(a), raw(c)];
    client.db.insert(app.todos, { title: "0 first", done: false });
    client.db.delete(app.todos, b);
    client.db.update(app.todos, a, { title: "z last" });
    await nextTick();
    expect(rows.value!.map((r) => r.title)).toEqual(["0 first", "c", "z last"]);
    expect(raw(c)).toBe(rc);
    expect(raw(a)).toBe(ra);
  });

  it("follows a query getter: a new filter re-subscribes, undefined skips", async () => {
    const client = await memoryClient();
    client.db.insert(app.todos, { title: "open", done: false });
    client.db.insert(app.todos, { title: "closed", done: true });
    const filter = ref<boolean | null>(false);
    let rows!: ReturnType<typeof useAll<typeof app.todos>>;
    withProvider(client, defineComponent({
      setup() {
        rows = useAll(() => (filter.value === null ? undefined : app.todos.where({ done: filter.value })));
        return () => h("p", rows.value?.map((r) => r.title).join(",") ?? "none");
      },
    }));
    await waitFor(() => expect(rows.value?.map((r) => r.title)).toEqual(["open"]));
    filter.value = true;
    await waitFor(() => expect(rows.value?.map((r) => r.title)).toEqual(["closed"]));
    filter.value = null;
    await nextTick();
    expect(rows.value).toBeUndefined();
  });

  it("a controlled input bound to a row field keeps its caret when typing in the middle", async () => {
    const client = await memoryClient();
    const id = client.db.insert(app.todos, { title: "Hello world", done: false }).value.id;
    withProvider(client, defineComponent({
      setup() {
        const db = useDb();
        const rows = useAll(app.todos.where({ id }));
        return () => {
          const todo = rows.value?.[0];
          return todo
            ? h("input", { "aria-label": "title", value: todo.title, onInput: (e: Event) => db.update(app.todos, id, { title: (e.target as HTMLInputElement).value }) })
            : null;
        };
      },
    }));
    const input = (await screen.findByLabelText("title")) as HTMLInputElement;
    input.focus();
    input.setSelectionRange(5, 5);
    await userEvent.keyboard(", big");
    await nextTick();
    expect(input.value).toBe("Hello, big world");
    expect(input.selectionStart).toBe(10);
  });
});

describe("useLocalFirstAuth (Vue)", () => {
  it("loads the stored secret and follows login", async () => {
    const store = new BrowserAuthSecretStore({ key: `vue-lfa-${Date.now()}` });
    let auth!: ReturnType<typeof useLocalFirstAuth>;
    render(defineComponent({
      setup() {
        auth = useLocalFirstAuth(store);
        return () => h("p", auth.secret.value ?? "none");
      },
    }));
    await waitFor(() => expect(auth.isLoading.value).toBe(false));
    expect(auth.secret.value).toBe(await store.loadSecret());
    const next = generateAuthSecret();
    await auth.login(next);
    await waitFor(() => expect(screen.getByText(next)).toBeTruthy());
  });
});

describe("createJazzClient", () => {
  it("registers the client with window.__jazz until it shuts down", async () => {
    const client = await memoryClient();
    const ns = client.db.storage.namespace;
    const jazz = (window as unknown as { __jazz: { listLiveStorageNamespaces(): string[] } }).__jazz;
    expect(jazz.listLiveStorageNamespaces()).toContain(ns);
    await client.shutdown();
    expect(jazz.listLiveStorageNamespaces()).not.toContain(ns);
  });
});

describe("JazzProvider (Vue)", () => {
  it("shows the fallback slot for a promised client, then the default slot; useSession is the client's session", async () => {
    let resolve!: (c: JazzClient) => void;
    const pending = new Promise<JazzClient>((r) => (resolve = r));
    withProvider(pending, defineComponent({
      setup() {
        const session = useSession();
        return () => h("p", { "data-testid": "uid" }, session?.user_id ?? "none");
      },
    }));
    expect(screen.getByText("loading")).toBeTruthy();
    const client = await memoryClient();
    resolve(client);
    await waitFor(() => expect(screen.getByTestId("uid").textContent).toBe(client.session?.user_id));
  });

  it("replacing the client shuts the old one down", async () => {
    const first = await memoryClient();
    const second = await memoryClient();
    const seen: JazzClient[] = [];
    const Probe = defineComponent({
      setup() {
        seen.push(useJazzClient());
        return () => h("p", "ok");
      },
    });
    const Host = defineComponent({
      props: { client: { type: Object as PropType<JazzClient>, required: true } },
      setup: (props) => () => h(JazzProvider, { client: props.client }, { default: () => h(Probe) }),
    });
    const view = render(Host, { props: { client: first } });
    await waitFor(() => expect(seen).toEqual([first]));
    await view.rerender({ client: second });
    await waitFor(() => expect(seen).toEqual([first, second]));
    expect(first.isShutdown).toBe(true);
    expect(second.isShutdown).toBe(false);
  });
});

describe("useSyncStatus (Vue)", () => {
  it("is a ref that follows the Db's sync status: pending writes, then an unreachable server's reason", async () => {
    const client = await createJazzClient({ appId: `vue-status-${n++}`, secret: generateAuthSecret(), serverUrl: "http://127.0.0.1:9" });
    clients.push(client);
    const Status = defineComponent({
      setup() {
        const status = useSyncStatus();
        return () => h("p", { "data-testid": "status" }, `${status.value.connection}|${status.value.pendingBatches}|${status.value.reason ?? ""}`);
      },
    });
    withProvider(client, Status);
    await screen.findByTestId("status");
    client.db.insert(app.todos, { title: "offline write", done: false });
    await waitFor(() => expect(screen.getByTestId("status").textContent).toMatch(/^(offline|connecting)\|1\|cannot reach the sync server/), { timeout: 10_000 });
  });
});

describe("useFileUrl (Vue)", () => {
  const files = s.defineApp({
    file_parts: s.table({ data: s.bytes() }),
    files: s.table({ name: s.string().optional(), mimeType: s.string(), partIds: s.array(s.ref("file_parts")), partSizes: s.array(s.int()) }),
  });
  it("gives an object URL with the file's bytes, and revokes it when the component goes", async () => {
    const client = await memoryClient();
    const file = await client.db.createFileFromBlob(files, new Blob(["vue bytes"], { type: "text/plain" }));
    const Link = defineComponent({
      setup() {
        const { url } = useFileUrl(files, () => file);
        return () => h("a", { "data-testid": "link", href: url.value ?? "" }, url.value ? "ready" : "loading");
      },
    });
    const view = withProvider(client, Link);
    await waitFor(() => expect(screen.getByTestId("link").textContent).toBe("ready"));
    const url = screen.getByTestId("link").getAttribute("href")!;
    expect(await (await fetch(url)).text()).toBe("vue bytes");
    view.unmount();
    await expect(fetch(url)).rejects.toThrow();
  });
});

