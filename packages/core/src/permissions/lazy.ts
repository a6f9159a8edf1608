// Local enforcement (the policy compiler and checks) is loaded on first need: only a Db that
// talks to a server ever receives a bundle, so a local-only page does not ship this code at
// start. createDbFromParts preloads it when a serverUrl is configured, so the server's bundle
// is applied synchronously on arrival, as before.
import type * as LocalModule from "./local.ts";

let loaded: typeof LocalModule | null = null;
let loading: Promise<typeof LocalModule> | null = null;

/** The module if it is loaded already (then a bundle can be applied synchronously). */
export function localPermissionsModule(): typeof LocalModule | null {
  return loaded;
}

export function loadLocalPermissions(): Promise<typeof LocalModule> {
  return (loading ??= import("./local.ts").then((m) => (loaded = m)));
}

/** Hands over the module loaded statically (Node code that needs it synchronously). */
export function provideLocalPermissions(m: typeof LocalModule): void {
  loaded ??= m;
}
