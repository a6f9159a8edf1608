import { flushSync } from "svelte";
import { cleanup, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import { userEvent } from "vitest/browser";
import { generateAuthSecret } from "@jazz-tools/auth";
import { BrowserAuthSecretStore } from "@jazz-tools/auth/browser";
import { createJazzClient, LocalFirstAuth, type JazzClient, type QuerySubscription } from "./index.ts";
import Harness from "./test-fixtures/Harness.svelte";
import List from "./test-fixtures/List.svelte";
import Editor from "./test-fixtures/Editor.svelte";
import Session from "./test-fixtures/Session.svelte";
import Status from "./test-fixtures/Status.svelte";
import FileLink from "./test-fixtures/FileLink.svelte";
import { schema as s } from "@jazz-tools/core";
import { app, type Counts } from "./test-fixtures/schema.ts";

let n = 0;
const clients: JazzClient[] = [];
async function memoryClient(): Promise<JazzClient> {
  const client = await createJazzClient({ appId: `svelte-binding-${Date.now()}-${n++}`, secret: generateAuthSecret() });
  clients.push(client);
  return client;
}
afterEach(async () => {
  cleanup();
  await Promise.all(clients.splice(0).map((c) => c.shutdown()));
});

describe("QuerySubscription", () => {
  it("editing one field of one row runs only that field's effect", async () => {
    const client = await memoryClient();
    const ids = Array.from({ length: 20 }, (_, i) => client.db.insert(app.todos, { title: `t${i}`, done: false }).value.id);
    const counts: Counts = { title: {}, done: {} };
    let sub!: QuerySubscription<typeof app.todos>;
    render(Harness, { client, inner: List, innerProps: { counts, expose: (q: QuerySubscription<typeof app.todos>) => (sub = q) } });
    await waitFor(() => expect(screen.getAllByRole("listitem")).toHaveLength(20));
    expect(sub.loading).toBe(false);
    const before = [...sub.current!];
    counts.title = {};
    counts.done = {};
    client.db.update(app.todos, ids[7]!, { title: "changed" });
    flushSync();
    expect(screen.getAllByRole("listitem")[7]!.textContent).toBe("changed");
    expect(counts).toEqual({ title: { [ids[7]!]: 1 }, done: {} });
    sub.current!.forEach((row, i) => expect(row).toBe(before[i]));
  });

  it("adding, removing and reordering keep untouched row objects", async () => {
    const client = await memoryClient();
    const a = client.db.insert(app.todos, { title: "a", done: false }).value.id;
    const b = client.db.insert(app.todos, { title: "b", done: false }).value.id;
    const c = client.db.insert(app.todos, { title: "c", done: false }).value.id;
    const counts: Counts = { title: {}, done: {} };
    let sub!: QuerySubscription<typeof app.todos>;
    render(Harness, { client, inner: List, innerProps: { counts, ordered: true, expose: (q: QuerySubscription<typeof app.todos>) => (sub = q) } });
    await waitFor(() => expect(screen.getAllByRole("listitem")).toHaveLength(3));
    const find = (id: string) => sub.current!.find((r) => r.id === id);
    const [ra, rc] = [find(a), find(c)];
    client.db.insert(app.todos, { title: "0 first", done: false });
    client.db.delete(app.todos, b);
    client.db.update(app.todos, a, { title: "z last" });
    flushSync();
    expect(screen.getAllByRole("listitem").map((li) => li.textContent)).toEqual(["0 first", "c", "z last"]);
    expect(find(c)).toBe(rc);
    expect(find(a)).toBe(ra);
  });

  it("a controlled input bound to a row field keeps its caret when typing in the middle", async () => {
    const client = await memoryClient();
    const id = client.db.insert(app.todos, { title: "Hello world", done: false }).value.id;
    render(Harness, { client, inner: Editor, innerProps: { id } });
    const input = (await screen.findByLabelText("title")) as HTMLInputElement;
    input.focus();
    input.setSelectionRange(5, 5);
    await userEvent.keyboard(", big");
    flushSync();
    expect(input.value).toBe("Hello, big world");
    expect(input.selectionStart).toBe(10);
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

describe("JazzSvelteProvider", () => {
  it("renders the fallback for a pending client, then children with getSession()", async () => {
    let resolve!: (c: JazzClient) => void;
    render(Harness, { client: new Promise<JazzClient>((r) => (resolve = r)), inner: Session });
    expect(screen.getByText("loading")).toBeTruthy();
    const client = await memoryClient();
    resolve(client);
    await waitFor(() => expect(screen.getByTestId("uid").textContent).toBe(client.session!.user_id));
    expect(screen.getByTestId("has-db").textContent).toBe("db");
  });

  it("replacing the client shuts the old one down", async () => {
    const first = await memoryClient();
    const second = await memoryClient();
    const view = render(Harness, { client: first, inner: Session });
    await waitFor(() => expect(screen.getByTestId("uid").textContent).toBe(first.session!.user_id));
    await view.rerender({ client: second, inner: Session });
    await waitFor(() => expect(screen.getByTestId("uid").textContent).toBe(second.session!.user_id));
    expect(first.isShutdown).toBe(true);
  });
});

describe("LocalFirstAuth", () => {
  it("loads a secret and follows login from elsewhere", async () => {
    const store = new BrowserAuthSecretStore({ key: `svelte-lfa-${Date.now()}` });
    const auth = new LocalFirstAuth(store);
    await waitFor(() => expect(auth.isLoading).toBe(false));
    expect(auth.secret).toBe(await store.loadSecret());
    const other = new LocalFirstAuth(store);
    const next = generateAuthSecret();
    await other.login(next);
    expect(auth.secret).toBe(next);
    auth.destroy();
    other.destroy();
  });
});

describe("SyncStatus (Svelte)", () => {
  it(".current follows the Db's sync status: pending writes, then an unreachable server's reason", async () => {
    const client = await createJazzClient({ appId: `svelte-status-${n++}`, secret: generateAuthSecret(), serverUrl: "http://127.0.0.1:9" });
    clients.push(client);
    render(Harness, { client, inner: Status });
    await screen.findByTestId("status");
    client.db.insert(app.todos, { title: "offline write", done: false });
    await waitFor(() => expect(screen.getByTestId("status").textContent).toMatch(/^(offline|connecting)\|1\|cannot reach the sync server/), { timeout: 10_000 });
  });
});

describe("FileUrl (Svelte)", () => {
  const files = s.defineApp({
    file_parts: s.table({ data: s.bytes() }),
    files: s.table({ name: s.string().optional(), mimeType: s.string(), partIds: s.array(s.ref("file_parts")), partSizes: s.array(s.int()) }),
  });
  it(".current is an object URL with the file's bytes, revoked when the component is destroyed", async () => {
    const client = await memoryClient();
    const file = await client.db.createFileFromBlob(files, new Blob(["svelte bytes"], { type: "text/plain" }));
    const view = render(Harness, { client, inner: FileLink, innerProps: { app: files, file } });
    await waitFor(() => expect(screen.getByTestId("link").textContent).toBe("ready"));
    const url = screen.getByTestId("link").getAttribute("href")!;
    expect(await (await fetch(url)).text()).toBe("svelte bytes");
    view.unmount();
    await expect(fetch(url)).rejects.toThrow();
  });
});

