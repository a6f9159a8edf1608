import { isUuid } from "../identity/uuid.ts";

/** Throws unless a non-empty string; true when it is a UUID already. */
export function checkAudience(appIdOrUuid: string): boolean {
  if (typeof appIdOrUuid !== "string" || appIdOrUuid.length === 0) {
    throw new TypeError("audience (app id) must be a non-empty string");
  }
  return isUuid(appIdOrUuid);
}
