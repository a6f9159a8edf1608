import { JazzProvider, useLocalFirstAuth } from "jazz-tools/react";
import { DEFAULT_APP_ID } from "todo-shared-schema";
import { TodoList } from "./TodoList.tsx";
import { Backup } from "./Backup.tsx";
import { DevTools } from "./DevTools.tsx";

const appId = import.meta.env.VITE_JAZZ_APP_ID ?? DEFAULT_APP_ID;
// Set by jazzPlugin (or by hand); without it the app runs fully offline on OPFS.
const serverUrl: string | undefined = import.meta.env.VITE_JAZZ_SERVER_URL || undefined;

export function App() {
  const { secret, isLoading } = useLocalFirstAuth();
  if (isLoading || !secret) return <p>Loading…</p>;
  return (
    <JazzProvider config={{ appId, secret, ...(serverUrl ? { serverUrl } : {}) }} fallback={<p>Loading…</p>}>
      <DevTools />
      <main>
        <h1>Todos</h1>
        <TodoList />
        <Backup />
      </main>
    </JazzProvider>
  );
}
