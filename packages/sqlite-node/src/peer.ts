// Node-only third-party packages are optional peer dependencies of jazz-tools (a browser app
// never installs them); they are loaded when a Node code path first needs them, and a missing
// one is named in the error.
import { createRequire } from "node:module";
import { MissingDependencyError } from "@jazz-tools/core";

const require = createRequire(import.meta.url);

/** Synchronously loads a CommonJS peer dependency (better-sqlite3, ws). */
export function requirePeer<T>(name: string, purpose: string): T {
  try {
    return require(name) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" && String((e as Error).message).includes(`'${name}'`)) {
      throw new MissingDependencyError(name, purpose);
    }
    throw e;
  }
}

/** The peer dependency, or null when it is not installed. */
export function optionalPeer<T>(name: string): T | null {
  try {
    return require(name) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" && String((e as Error).message).includes(`'${name}'`)) return null;
    throw e;
  }
}
