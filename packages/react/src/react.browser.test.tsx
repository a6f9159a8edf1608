import { StrictMode, memo, useState } from "react";
import { act, cleanup, render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { userEvent } from "vitest/browser";
import { schema as s } from "@jazz-tools/core";
import { generateAuthSecret } from "@jazz-tools/auth";
import { BrowserAuthSecretStore } from "@jazz-tools/auth/browser";
import {
  createJazzClient,
  JazzProvider,
  useAll,
  useAllSuspense,
  useAuthState,
  useDb,
  useJazzClient,
  useLocalFirstAuth,
  useSession,
  useSyncStatus,
  useFileUrl,
  type DbConfig,
  type JazzClient,
} from "./index.ts";

const app = s.defineApp({
  todos: s.table({ title: s.string(), done: s.boolean(), owner_id: s.string().optional() }),
});
type Todo = { id: string; title: string; done: boolean };

let n = 0;
const localConfig = (extra: Partial<DbConfig> = {}): DbConfig => ({
  appId: `react-binding-${Date.now()}-${n++}`,
  secret: generateAuthSecret(),
  ...extra,
});

const clients: JazzClient[] = [];
async function localClient(): Promise<JazzClient> {
  const client = await createJazzClient(localConfig());
  clients.push(client);
  return client;
}

afterEach(async () => {
  cleanup();
  await Promise.all(clients.splice(0).map((c) => c.shutdown()));
});

describe("useAll", () => {
  it("is undefined with no query and while loading, then gives the rows", async () => {
    const client = await localClient();
    client.db.insert(app.todos, { title: "one", done: false });
    const seen: Array<Todo[] | undefined> = [];
    function List({ on }: { on: boolean }) {
      const todos = useAll(on ? app.todos : undefined);
      seen.push(todos);
      return <p data-testid="count">{todos === undefined ? "loading" : todos.length}</p>;
    }
    const view = render(<JazzProvider client={client}><List on={false} /></JazzProvider>);
    expect(screen.getByTestId("count").textContent).toBe("loading");
    view.rerender(<JazzProvider client={client}><List on /></JazzProvider>);
    await waitFor(() => expect(screen.getByTestId("count").textContent).toBe("1"));
    expect(seen[0]).toBeUndefined();
  });

  it("with memo rows, updating one field of one row re-renders only that row; others keep identity", async () => {
    const client = await localClient();
    const ids = Array.from({ length: 20 }, (_, i) => client.db.insert(app.todos, { title: `t${i}`, done: false }).value.id);
    const renders = new Map<string, number>();
    const Row = memo(function Row({ todo }: { todo: Todo }) {
      renders.set(todo.id, (renders.get(todo.id) ?? 0) + 1);
      return <li>{todo.title}</li>;
    });
    let lastRows: Todo[] | undefined;
    function List() {
      const todos = useAll(app.todos);
      lastRows = todos;
      return <ul>{todos?.map((t) => <Row key={t.id} todo={t} />)}</ul>;
    }
    render(<JazzProvider client={client}><List /></JazzProvider>);
    await waitFor(() => expect(screen.getAllByRole("listitem")).toHaveLength(20));
    const before = lastRows!;
    renders.clear();
    act(() => {
      client.db.update(app.todos, ids[7]!, { title: "changed" });
    });
    expect(screen.getAllByRole("listitem")[7]!.textContent).toBe("changed");
    expect([...renders.entries()]).toEqual([[ids[7], 1]]);
    expect(lastRows![3]).toBe(before[3]);
    expect(lastRows![7]).not.toBe(before[7]);
  });

  it("a controlled input bound to a row field keeps its caret when typing in the middle", async () => {
    const client = await localClient();
    const id = client.db.insert(app.todos, { title: "Hello world", done: false }).value.id;
    function Editor() {
      const db = useDb();
      const todo = useAll(app.todos.where({ id }))?.[0];
      if (!todo) return null;
      return <input aria-label="title" value={todo.title} onChange={(e) => db.update(app.todos, id, { title: e.target.value })} />;
    }
    render(<JazzProvider client={client}><Editor /></JazzProvider>);
    const input = (await screen.findByLabelText("title")) as HTMLInputElement;
    input.focus();
    input.setSelectionRange(5, 5);
    await userEvent.keyboard(", big");
    expect(input.value).toBe("Hello, big world");
    expect(input.selectionStart).toBe(10);
    expect((await client.db.all(app.todos))[0].title).toBe("Hello, big world");
  });

  it("useAllSuspense shows the fallback, then the rows", async () => {
    const client = await localClient();
    client.db.insert(app.todos, { title: "s", done: false });
    function List() {
      const todos = useAllSuspense(app.todos);
      return <p data-testid="n">{todos.length}</p>;
    }
    let fallbackShown = false;
    function Waiting() {
      fallbackShown = true;
      return <p>waiting</p>;
    }
    // RTL's act environment retries a suspended render only inside an awaited act.
    await act(async () => {
      render(<JazzProvider client={client} fallback={<Waiting />}><List /></JazzProvider>);
    });
    expect(fallbackShown).toBe(true);
    await waitFor(() => expect(screen.getByTestId("n").textContent).toBe("1"));
  });
});

describe("JazzProvider", () => {
  it("creates one client under StrictMode and registers it with window.__jazz", async () => {
    const config = localConfig();
    // Count every client registered for this app (a created-then-discarded one would show here).
    const w = window as any;
    const contexts: Set<{ namespace: string }> = (w.__jazzWindowStorageContexts__ ??= new Set());
    const add = contexts.add;
    let registrations = 0;
    contexts.add = function (c) {
      if (c.namespace.startsWith(config.appId)) registrations++;
      return add.call(this, c);
    };
    const seen = new Set<JazzClient>();
    function Who() {
      seen.add(useJazzClient());
      const session = useSession();
      const auth = useAuthState();
      return <p data-testid="who">{`${session?.user_id}|${auth.authMode}|${auth.userId}`}</p>;
    }
    render(<StrictMode><JazzProvider config={config} fallback={<p>loading</p>}><Who /></JazzProvider></StrictMode>);
    await waitFor(() => expect(screen.getByTestId("who").textContent).toMatch(/^[0-9a-f-]{36}\|local-first\|[0-9a-f-]{36}$/));
    await new Promise((r) => setTimeout(r, 50)); // past the deferred release of StrictMode's unmount
    expect(seen.size).toBe(1);
    const [client] = [...seen];
    expect(client!.isShutdown).toBe(false);
    contexts.add = add;
    expect(registrations).toBe(1);
    expect([...contexts].filter((c) => c.namespace === client!.db.storage.namespace)).toHaveLength(1);
  });

  it("recreates the client when the config changes and shuts the old one down", async () => {
    const first = localConfig();
    const second = { ...first, secret: generateAuthSecret() };
    const dbs: JazzClient[] = [];
    function Probe() {
      const client = useJazzClient();
      if (!dbs.includes(client)) dbs.push(client);
      return <p data-testid="user">{useSession()?.user_id}</p>;
    }
    const view = render(<JazzProvider config={first}><Probe /></JazzProvider>);
    await waitFor(() => expect(dbs).toHaveLength(1));
    const firstUser = screen.getByTestId("user").textContent;
    view.rerender(<JazzProvider config={second}><Probe /></JazzProvider>);
    await waitFor(() => expect(screen.getByTestId("user").textContent).not.toBe(firstUser));
    expect(dbs).toHaveLength(2);
    await waitFor(() => expect(dbs[0]!.isShutdown).toBe(true));
    expect(dbs[1]!.isShutdown).toBe(false);
    view.unmount();
  });

  it("useLocalFirstAuth().login switches the mounted provider at once", async () => {
    const store = new BrowserAuthSecretStore({ key: `react-lfa-${Date.now()}` });
    await store.clearSecret();
    let login!: (s: string) => Promise<void>;
    function App() {
      const auth = useLocalFirstAuth(store);
      login = auth.login;
      if (auth.isLoading || !auth.secret) return <p>auth…</p>;
      return (
        <JazzProvider config={{ appId: `lfa-${n++}`, secret: auth.secret }} fallback={<p>db…</p>}>
          <User />
        </JazzProvider>
      );
    }
    function User() {
      return <p data-testid="uid">{useSession()?.user_id}</p>;
    }
    render(<App />);
    const firstUid = (await screen.findByTestId("uid")).textContent;
    const restored = generateAuthSecret();
    await act(() => login(restored));
    await waitFor(() => expect(screen.getByTestId("uid").textContent).not.toBe(firstUid));
    expect(await store.loadSecret()).toBe(restored);
  });
});

describe("onJWTExpired", () => {
  const b64 = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  const jwt = (exp: number) => `${b64({ alg: "RS256", typ: "JWT" })}.${b64({ iss: "https://idp.example", sub: "user-1", exp })}.sig`;

  it("asks for a fresh token when the JWT expired and hands it to the Db, once", async () => {
    const now = Math.floor(Date.now() / 1000);
    let calls = 0;
    function State() {
      const auth = useAuthState();
      return <p data-testid="auth">{`${auth.authMode}|${auth.userId}|${auth.error ?? "ok"}`}</p>;
    }
    render(
      <JazzProvider
        config={{ appId: `jwt-${n++}`, jwtToken: jwt(now - 10) }}
        onJWTExpired={async () => (calls++, jwt(now + 3600))}
      >
        <State />
      </JazzProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("auth").textContent).toBe("external|user-1|ok"));
    expect(calls).toBe(1);
  });
});

describe("writes from components", () => {
  it("an insert from a click shows in the same event", async () => {
    const client = await localClient();
    function Adder() {
      const db = useDb();
      const todos = useAll(app.todos) ?? [];
      const [clicks, setClicks] = useState(0);
      return (
        <>
          <button onClick={() => { db.insert(app.todos, { title: `n${clicks}`, done: false }); setClicks(clicks + 1); }}>add</button>
          <ul>{todos.map((t) => <li key={t.id}>{t.title}</li>)}</ul>
        </>
      );
    }
    render(<JazzProvider client={client}><Adder /></JazzProvider>);
    const button = await screen.findByText("add");
    await waitFor(() => expect(screen.queryAllByRole("listitem")).toHaveLength(0));
    act(() => button.click());
    expect(screen.getAllByRole("listitem").map((li) => li.textContent)).toEqual(["n0"]);
  });
});

describe("useSyncStatus", () => {
  it("re-renders with the Db's sync status: pending writes and an unreachable server's reason (StrictMode)", async () => {
    // A real link to a port nothing listens on: the status moves on its own.
    const client = await createJazzClient(localConfig({ serverUrl: "http://127.0.0.1:9" }));
    clients.push(client);
    function Status() {
      const s = useSyncStatus();
      return <p data-testid="status">{`${s.connection}|${s.pendingBatches}|${s.reason ?? ""}`}</p>;
    }
    render(<StrictMode><JazzProvider client={client}><Status /></JazzProvider></StrictMode>);
    act(() => void client.db.insert(app.todos, { title: "offline write", done: false }));
    await waitFor(() => expect(screen.getByTestId("status").textContent).toMatch(/^(offline|connecting)\|1\|cannot reach the sync server at http:\/\/127\.0\.0\.1:9/), { timeout: 10_000 });
    expect(client.db.getSyncStatus().pendingBatches).toBe(1);
  });

  it("a local-only client is closed with nothing pending", async () => {
    const client = await localClient();
    function Status() {
      const s = useSyncStatus();
      return <p data-testid="status">{`${s.connection}|${s.pendingBatches}`}</p>;
    }
    render(<JazzProvider client={client}><Status /></JazzProvider>);
    act(() => void client.db.insert(app.todos, { title: "x", done: false }));
    // The worker commits it at once (no server: local is final), leaving nothing pending.
    await waitFor(() => expect(screen.getByTestId("status").textContent).toBe("closed|0"));
  });
});

describe("useFileUrl", () => {
  const files = s.defineApp({
    file_parts: s.table({ data: s.bytes() }),
    files: s.table({ name: s.string().optional(), mimeType: s.string(), partIds: s.array(s.ref("file_parts")), partSizes: s.array(s.int()) }),
  });
  it("gives an object URL with the file's bytes and type, and revokes it on unmount", async () => {
    const client = await localClient();
    const file = await client.db.createFileFromBlob(files, new Blob(["hello file"], { type: "text/plain" }));
    function Link() {
      const { url } = useFileUrl(files, file);
      return <a data-testid="link" href={url ?? ""}>{url ? "ready" : "loading"}</a>;
    }
    const view = render(<JazzProvider client={client}><Link /></JazzProvider>);
    await waitFor(() => expect(screen.getByTestId("link").textContent).toBe("ready"));
    const url = screen.getByTestId("link").getAttribute("href")!;
    expect(url).toMatch(/^blob:/);
    const res = await fetch(url);
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(await res.text()).toBe("hello file");
    view.unmount();
    await expect(fetch(url)).rejects.toThrow();
  });

  it("reports a file that cannot be loaded as error", async () => {
    const client = await localClient();
    function Link() {
      const { url, error } = useFileUrl(files, "0190a5c4-8f1e-7c3a-9b2d-4e5f6a7b8c9d");
      return <p data-testid="state">{error ? error.name : (url ?? "loading")}</p>;
    }
    render(<JazzProvider client={client}><Link /></JazzProvider>);
    await waitFor(() => expect(screen.getByTestId("state").textContent).toBe("FileNotFoundError"));
  });
});

