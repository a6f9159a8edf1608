// deleteClientStorage across tabs: every tab of the namespace closes its worker (releasing the
// OPFS handles), the requesting tab deletes the files, then every tab opens a fresh worker.
// Messages: reset-request → (each other tab) release + reset-ack → wipe → reset-finished.

import { wipeNamespace } from "../storage/opfs-dirs.ts";
import { openResetChannel, type TabMessage } from "./channel.ts";

export interface ResetParticipant {
  release(): Promise<void>;
  reopen(): Promise<void>;
}

/** Listen for other tabs' resets; returns the function that stops listening. */
export function answerResetRequests(namespace: string, tabId: string, me: ResetParticipant): () => void {
  const ch = openResetChannel(namespace);
  const handling = new Set<string>();
  ch.onmessage = async (e: MessageEvent<TabMessage>) => {
    const msg = e.data;
    if (!("requestId" in msg) || msg.origin === tabId) return;
    if (msg.type === "reset-request" && !handling.has(msg.requestId)) {
      handling.add(msg.requestId);
      await me.release();
      ch.postMessage({ type: "reset-ack", requestId: msg.requestId, origin: tabId } satisfies TabMessage);
    } else if (msg.type === "reset-finished" && handling.delete(msg.requestId)) {
      await me.reopen();
    }
  };
  return () => ch.close();
}

export async function wipeNamespaceAcrossTabs(namespace: string, tabId: string, me: ResetParticipant): Promise<void> {
  const ch = openResetChannel(namespace);
  const requestId = crypto.randomUUID();
  let lastAck = performance.now();
  ch.onmessage = (e: MessageEvent<TabMessage>) => {
    if (e.data.type === "reset-ack" && e.data.requestId === requestId) lastAck = performance.now();
  };
  try {
    ch.postMessage({ type: "reset-request", requestId, origin: tabId } satisfies TabMessage);
    await me.release();
    // Give the other tabs a moment to let go; wipeNamespace retries while a handle is still open.
    while (performance.now() - lastAck < 150) await new Promise((r) => setTimeout(r, 50));
    await wipeNamespace(namespace);
  } finally {
    ch.postMessage({ type: "reset-finished", requestId, origin: tabId } satisfies TabMessage);
    ch.close();
  }
  await me.reopen();
}
