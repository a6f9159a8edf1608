import { JazzProvider, useLocalFirstAuth } from "jazz-tools/react";
import { DEFAULT_APP_ID } from "todo-shared-schema";
import { TodoList } from "./TodoList.tsx";
import { Backup } from "./Backup.tsx";
import { DevTools } from "./DevTools.tsx";
import { SyncBadge } from "./SyncBadge.tsx";
import { Everyone } from "./Everyone.tsx";

const appId = import.meta.env.VITE_JAZZ_APP_ID ?? DEFAULT_APP_ID;
// Set by jazzPlugin (or by hand); without it the app runs fully offline on OPFS.
const serverUrl: string | undefined = import.meta.env.VITE_JAZZ_SERVER_URL || undefined;

export function App() {
  const { secret, isLoading } = useLocalFirstAuth();
  const loading = <p className="loading">Opening your local database…</p>;
  if (isLoading || !secret) return loading;
  return (
    <JazzProvider config={{ appId, secret, ...(serverUrl ? { serverUrl } : {}) }} fallback={loading}>
      <DevTools />
      <main>
        <SyncBadge />
        <section className="card">
          <h2>Yours</h2>
          <TodoList />
        </section>
        <Everyone />
        <Backup />
      </main>
    </JazzProvider>
  );
}
