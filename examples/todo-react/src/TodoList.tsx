import { useState, type FormEvent } from "react";
import { useAll, useDb, useSession } from "jazz-tools/react";
import { app, type Todo } from "todo-shared-schema";

export function TodoList() {
  const db = useDb();
  const session = useSession();
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);
  // Only this identity's todos: restoring a backup brings exactly these back.
  const todos = useAll(session ? app.todos.where({ owner_id: session.user_id }) : undefined) ?? [];

  const attempt = (write: () => void) => {
    try {
      write();
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const add = (e: FormEvent) => {
    e.preventDefault();
    const text = title.trim();
    if (!text || !session) return;
    attempt(() => db.insert(app.todos, { title: text, done: false, owner_id: session.user_id }));
    setTitle("");
  };

  return (
    <section>
      <form id="add-form" onSubmit={add}>
        <input id="title-input" type="text" placeholder="What needs doing?" value={title} onChange={(e) => setTitle(e.target.value)} />
        <button type="submit">Add</button>
      </form>
      {error && <p id="error-message" role="alert">{error}</p>}
      <ul id="todo-list">
        {todos.map((todo: Todo) => (
          <li key={todo.id} className={todo.done ? "done" : ""}>
            <input
              className="toggle"
              type="checkbox"
              checked={todo.done}
              onChange={() => attempt(() => db.update(app.todos, todo.id, { done: !todo.done }))}
            />
            <span>{todo.title}</span>
            {todo.description && <small>{todo.description}</small>}
            <button className="delete-btn" onClick={() => attempt(() => db.delete(app.todos, todo.id))}>
              Delete
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
