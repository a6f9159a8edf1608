import { useSession, useSyncStatus } from "jazz-tools/react";

const LABEL = {
  connecting: "Connecting…",
  connected: "Synced",
  offline: "Offline",
  unauthorized: "Not signed in to the server",
  closed: "Local only",
} as const;

/** Who you are and whether your writes reached the server: the two things a sync app must show. */
export function SyncBadge() {
  const session = useSession();
  const status = useSyncStatus();
  const pending = status.pendingBatches;
  const label = status.connection === "connected" && pending > 0 ? `Syncing ${pending} change${pending === 1 ? "" : "s"}…` : LABEL[status.connection];
  return (
    <header className="topbar">
      <h1>Todos</h1>
      <div className="badges">
        <span id="sync-status" className={`sync sync-${status.connection}`} title={status.reason ?? label}>
          <i aria-hidden="true" /> {label}
        </span>
        {session && (
          <span id="identity" className="identity" title={session.user_id}>
            you are {session.user_id.slice(0, 8)}
          </span>
        )}
      </div>
      {status.reason && status.connection !== "connected" && status.connection !== "closed" && (
        <p id="sync-reason" className="sync-reason">{status.reason}</p>
      )}
    </header>
  );
}
