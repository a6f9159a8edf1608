// The schema every todo example shares (reference §4): projects, and todos that may nest under
// a parent todo and belong to a project.
import { schema as s } from "jazz-tools";

const schema = {
  projects: s.table({ name: s.string() }),
  todos: s.table({
    title: s.string(),
    done: s.boolean(),
    description: s.string().optional(),
    owner_id: s.string(),
    parentId: s.ref("todos").optional(),
    projectId: s.ref("projects").optional(),
  }),
};

type AppSchema = s.Schema<typeof schema>;
export const app: s.App<AppSchema> = s.defineApp(schema);
export type Todo = s.RowOf<typeof app.todos>;

/** The app id: from jazzPlugin / VITE_JAZZ_APP_ID when set, else a fixed local one. */
export const DEFAULT_APP_ID = "jazz-todo-example";
