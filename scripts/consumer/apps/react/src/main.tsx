import { StrictMode, useState } from "react";
import { createRoot } from "react-dom/client";
import { schema as s } from "jazz-tools";
import { JazzProvider, useAll, useDb, useLocalFirstAuth } from "jazz-tools/react";

const app = s.defineApp({ todos: s.table({ title: s.string() }) });

function Todos() {
  const db = useDb();
  const todos = useAll(app.todos) ?? [];
  const [title, setTitle] = useState("");
  return (
    <>
      <form
        id="form"
        onSubmit={(e) => {
          e.preventDefault();
          db.insert(app.todos, { title });
          setTitle("");
        }}
      >
        <input id="title" value={title} onChange={(e) => setTitle(e.target.value)} />
        <button type="submit">add</button>
      </form>
      <ul id="list">
        {todos.map((t) => (
          <li key={t.id}>{t.title}</li>
        ))}
      </ul>
    </>
  );
}

function App() {
  const { secret, isLoading } = useLocalFirstAuth();
  if (isLoading || !secret) return <p>Loading…</p>;
  return (
    <JazzProvider config={{ appId: "consumer-react", secret }} fallback={<p>Loading…</p>}>
      <Todos />
    </JazzProvider>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
document.body.dataset.ready = "1";
