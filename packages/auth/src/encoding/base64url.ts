// Strict base64url without padding, matching Rust's URL_SAFE_NO_PAD decoder: no "=", only the
// URL-safe alphabet, no impossible length, and canonical trailing bits (so one value has exactly
// one encoding — a token cannot be re-encoded to slip past a byte comparison).

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

export class Base64UrlError extends Error {
  override name = "Base64UrlError";
}

export function bytesToBase64Url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63];
  }
  return out;
}

/** Decodes strict unpadded base64url; throws Base64UrlError saying what is wrong. */
export function base64UrlToBytes(text: string): Uint8Array {
  if (typeof text !== "string") throw new Base64UrlError("expected a base64url string");
  if (text.includes("=")) {
    throw new Base64UrlError("base64url must not be padded: remove the trailing '=' characters");
  }
  if (text.length % 4 === 1) throw new Base64UrlError(`invalid base64url length ${text.length}`);
  const values = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? LOOKUP[c] : -1;
    if (v < 0) {
      throw new Base64UrlError(
        `invalid base64url character ${JSON.stringify(text[i])} at ${i}: only A-Z a-z 0-9 - _ are allowed`,
      );
    }
    values[i] = v;
  }
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 3 < text.length; i += 4) {
    const n = (values[i] << 18) | (values[i + 1] << 12) | (values[i + 2] << 6) | values[i + 3];
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  const rest = text.length - i;
  if (rest === 2) {
    if (values[i + 1] & 15) throw new Base64UrlError("non-canonical base64url: trailing bits are set");
    out[o++] = (values[i] << 2) | (values[i + 1] >> 4);
  } else if (rest === 3) {
    if (values[i + 2] & 3) throw new Base64UrlError("non-canonical base64url: trailing bits are set");
    const n = (values[i] << 12) | (values[i + 1] << 6) | values[i + 2];
    out[o++] = n >> 10;
    out[o++] = (n >> 2) & 255;
  }
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function utf8ToBase64Url(text: string): string {
  return bytesToBase64Url(encoder.encode(text));
}

/** Strict: invalid base64url or invalid UTF-8 throws. */
export function base64UrlToUtf8(text: string): string {
  const bytes = base64UrlToBytes(text);
  try {
    return decoder.decode(bytes);
  } catch {
    throw new Base64UrlError("base64url payload is not valid UTF-8");
  }
}
