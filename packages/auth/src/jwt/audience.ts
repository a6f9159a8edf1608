import { isUuid, NAMESPACE_DNS, uuidV5 } from "../identity/uuid.ts";

const encoder = new TextEncoder();

/**
 * The `aud` of a Jazz token: a UUID app id is kept (lowercased, its canonical text form);
 * anything else becomes UUIDv5(DNS, appId). "my-app" → 4af0209b-7fe4-57ba-b068-3b47d0855d11.
 */
export function normalizeAudience(appIdOrUuid: string): string {
  if (typeof appIdOrUuid !== "string" || appIdOrUuid.length === 0) {
    throw new TypeError("audience (app id) must be a non-empty string");
  }
  if (isUuid(appIdOrUuid)) return appIdOrUuid.toLowerCase();
  return uuidV5(NAMESPACE_DNS, encoder.encode(appIdOrUuid));
}
