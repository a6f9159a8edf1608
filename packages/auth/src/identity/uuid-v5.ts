import { sha1 } from "@noble/hashes/legacy.js";
import { uuidV5FromSha1, uuidV5Input } from "./uuid.ts";

/** RFC 9562 UUIDv5: SHA-1(namespace ‖ name), version 5, RFC 4122 variant. */
export function uuidV5(namespace: Uint8Array, name: Uint8Array): string {
  return uuidV5FromSha1(sha1(uuidV5Input(namespace, name)));
}
