// Where a namespace's files live in OPFS, and deleting them. Kept apart from ../worker/opfs.ts
// (which loads wa-sqlite's OPFS VFS) because tabs use it too: a page must not load the VFS.

import { JazzError } from "@jazz-tools/core";

const ROOT_DIR = "jazz";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** OPFS could not be used (e.g. SecurityError in a private window). */
export class OpfsUnavailableError extends JazzError {
  readonly code: string = "opfs_unavailable";
  override name = "OpfsUnavailableError";
}

/** The OPFS directory holding one namespace's files (database, journal). */
export function namespaceDir(namespace: string): string {
  // encodeURIComponent keeps "::", "/" and "%" of namespaces out of the path syntax.
  return `${ROOT_DIR}/${encodeURIComponent(namespace).replaceAll("%", "~")}`;
}

/** Deletes a namespace's files; its database must be closed (in every tab) first. */
export async function wipeNamespace(namespace: string): Promise<void> {
  const root = await navigator.storage.getDirectory();
  let jazz: FileSystemDirectoryHandle;
  try {
    jazz = await root.getDirectoryHandle(ROOT_DIR);
  } catch {
    return;
  }
  const name = namespaceDir(namespace).split("/")[1]!;
  for (let attempt = 0; ; attempt++) {
    try {
      await jazz.removeEntry(name, { recursive: true });
      return;
    } catch (e) {
      if ((e as DOMException)?.name === "NotFoundError") return;
      // A closing worker (this or another tab) may still hold an access handle for a moment.
      if (attempt >= 12) throw e;
      await sleep(50 * 2 ** Math.min(attempt, 5));
    }
  }
}
