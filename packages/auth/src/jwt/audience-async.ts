import { NAMESPACE_DNS, uuidV5FromSha1, uuidV5Input } from "../identity/uuid.ts";
import { checkAudience } from "./audience-check.ts";

const encoder = new TextEncoder();

/**
 * `normalizeAudience` with WebCrypto's SHA-1: the async signer's, so pages ship no pure-JS
 * hash (modules of their own: an app's bundler splits by module, and a module the page loads must
 * not import the pure-JS one).
 */
export async function normalizeAudienceAsync(appIdOrUuid: string): Promise<string> {
  if (checkAudience(appIdOrUuid)) return appIdOrUuid.toLowerCase();
  const input = uuidV5Input(NAMESPACE_DNS, encoder.encode(appIdOrUuid)) as Uint8Array<ArrayBuffer>;
  return uuidV5FromSha1(new Uint8Array(await crypto.subtle.digest("SHA-1", input)));
}
