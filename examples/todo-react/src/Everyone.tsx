import { useAll, useSession } from "jazz-tools/react";
import { app, type Todo } from "todo-shared-schema";

/** Everyone's todos, live: open a second browser (another identity) to watch sync happen. */
export function Everyone() {
  const session = useSession();
  const others = useAll(session ? app.todos.where({ owner_id: { ne: session.user_id } }).orderBy("$createdAt", "desc").limit(20) : undefined) ?? [];
  return (
    <section id="everyone" className="card">
      <h2>Everyone else</h2>
      {others.length === 0 ? (
        <p className="hint">Nobody else has written yet. Open this page in another browser or a private window: its todos appear here as they are typed.</p>
      ) : (
        <ul id="shared-list">
          {others.map((todo: Todo) => (
            <li key={todo.id} className={todo.done ? "done" : ""}>
              <span>{todo.title}</span>
              <small title={todo.owner_id}>{todo.owner_id.slice(0, 8)}</small>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
