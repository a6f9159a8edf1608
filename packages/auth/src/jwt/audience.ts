import { NAMESPACE_DNS } from "../identity/uuid.ts";
import { checkAudience } from "./audience-check.ts";
import { uuidV5 } from "../identity/uuid-v5.ts";

const encoder = new TextEncoder();

/**
 * The `aud` of a Jazz token: a UUID app id is kept (lowercased, its canonical text form);
 * anything else becomes UUIDv5(DNS, appId). "my-app" → 4af0209b-7fe4-57ba-b068-3b47d0855d11.
 */
export function normalizeAudience(appIdOrUuid: string): string {
  if (checkAudience(appIdOrUuid)) return appIdOrUuid.toLowerCase();
  return uuidV5(NAMESPACE_DNS, encoder.encode(appIdOrUuid));
}
