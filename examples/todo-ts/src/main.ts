// The low-level client API with no framework: createDb, db.subscribeAll, db.onAuthChanged and
// BrowserAuthSecretStore (reference §4.3).
import { createDb } from "jazz-tools";
// The docs import this from "jazz-tools"; its browser entry does not export it yet.
import { BrowserAuthSecretStore } from "@jazz-tools/auth/browser";
import { RecoveryPhrase } from "jazz-tools/passphrase";
import { app, DEFAULT_APP_ID, type Todo } from "todo-shared-schema";
import "todo-shared-schema/style.css";

const appId = import.meta.env.VITE_JAZZ_APP_ID ?? DEFAULT_APP_ID;
const serverUrl: string | undefined = import.meta.env.VITE_JAZZ_SERVER_URL || undefined;

export async function startApp(root: HTMLElement): Promise<{ destroy(): Promise<void> }> {
  root.innerHTML = "<p>Loading…</p>";
  const secret = await BrowserAuthSecretStore.getOrCreateSecret();
  const db = await createDb({ appId, secret, ...(serverUrl ? { serverUrl } : {}) });

  // The UI appears once the Db is ready, so no form is usable before its handlers exist.
  root.innerHTML = `
    <h1>Todos</h1>
    <form id="add-form">
      <input id="title-input" type="text" placeholder="What needs doing?" />
      <button type="submit">Add</button>
    </form>
    <p id="error-message" role="alert" hidden></p>
    <ul id="todo-list"></ul>
    <section id="backup">
      <h2>Backup</h2>
      <button id="show-phrase">Show recovery phrase</button>
      <pre id="recovery-phrase" hidden></pre>
      <form id="restore-form">
        <textarea id="restore-input" placeholder="24-word recovery phrase"></textarea>
        <button id="restore-btn" type="submit">Restore</button>
      </form>
      <p id="backup-status" hidden></p>
    </section>`;
  const $ = <T extends HTMLElement>(sel: string) => root.querySelector<T>(sel)!;
  const list = $<HTMLUListElement>("#todo-list");
  const errorBox = $<HTMLParagraphElement>("#error-message");

  const attempt = (write: () => void) => {
    try {
      write();
      errorBox.hidden = true;
    } catch (err) {
      errorBox.textContent = (err as Error).message;
      errorBox.hidden = false;
    }
  };

  const render = (todos: Todo[]) => {
    list.replaceChildren(
      ...todos.map((todo) => {
        const li = document.createElement("li");
        li.dataset.id = todo.id;
        li.className = todo.done ? "done" : "";
        const toggle = document.createElement("input");
        toggle.type = "checkbox";
        toggle.className = "toggle";
        toggle.checked = todo.done;
        toggle.addEventListener("change", () => attempt(() => db.update(app.todos, todo.id, { done: !todo.done })));
        const title = document.createElement("span");
        title.textContent = todo.title;
        const del = document.createElement("button");
        del.className = "delete-btn";
        del.textContent = "Delete";
        del.addEventListener("click", () => attempt(() => db.delete(app.todos, todo.id)));
        li.append(toggle, title);
        if (todo.description) {
          const small = document.createElement("small");
          small.textContent = todo.description;
          li.append(small);
        }
        li.append(del);
        return li;
      }),
    );
  };

  // Re-subscribe whenever the session changes, to show only this identity's todos.
  let userId: string | null = null;
  let unsubscribe: (() => void) | null = null;
  const stopAuth = db.onAuthChanged(({ session }) => {
    if (session?.user_id === userId) return;
    userId = session?.user_id ?? null;
    unsubscribe?.();
    unsubscribe = userId ? db.subscribeAll(app.todos.where({ owner_id: userId }), ({ all }) => render(all)) : null;
    if (!userId) render([]);
  });

  $<HTMLFormElement>("#add-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = $<HTMLInputElement>("#title-input");
    const text = input.value.trim();
    const owner_id = db.getAuthState().session?.user_id;
    if (!text || !owner_id) return;
    attempt(() => db.insert(app.todos, { title: text, done: false, owner_id }));
    input.value = "";
  });

  $("#show-phrase").addEventListener("click", async () => {
    const stored = await BrowserAuthSecretStore.loadSecret();
    const pre = $("#recovery-phrase");
    pre.textContent = stored ? RecoveryPhrase.fromSecret(stored) : "";
    pre.hidden = !stored;
  });

  $<HTMLFormElement>("#restore-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const status = $("#backup-status");
    try {
      const restored = RecoveryPhrase.toSecret($<HTMLTextAreaElement>("#restore-input").value);
      await BrowserAuthSecretStore.saveSecret(restored);
      // Reload so the live Jazz client picks up the restored secret.
      location.reload();
    } catch (err) {
      status.textContent = `${(err as Error).name}: ${(err as Error).message}`;
      status.hidden = false;
    }
  });

  return {
    async destroy() {
      stopAuth();
      unsubscribe?.();
      await db.shutdown();
    },
  };
}
