// The sync wire protocol (see docs/protocol.md): one WebSocket per client, one message per
// frame: JSON text frames, and binary frames (frames.ts) for batches that carry bytes. Platform-free so the browser worker, Node clients and the server share
// one codec and cannot drift.

import type { Batch, BatchFate, DurabilityTier } from "../engine/batch.ts";
import type { QueryIR } from "../query/ir.ts";
import type { RuntimeSchema } from "../schema/runtime.ts";
import { base64ToBytes, bytesToBase64 } from "../schema/values.ts";
import { frameBytes, packFrame, splitBytes, unpackFrame } from "./frames.ts";

/**
 * 2 added the `evict` message, 3 binary frames for batches with bytes. A server accepts 1 and 2
 * and sends such clients no `evict` (1) and only text frames (1, 2); a client sends binary
 * frames only to a server whose welcome says 3.
 */
export const SYNC_PROTOCOL_VERSION = 3;
/** The first protocol version with binary frames. */
export const BINARY_FRAMES_VERSION = 3;
export const MIN_SYNC_PROTOCOL_VERSION = 1;
/** Offered as a WebSocket subprotocol; a second subprotocol `jazz-bearer.<jwt>` may carry the token. */
export const SYNC_SUBPROTOCOL = "jazz-sync.v1";
export const BEARER_SUBPROTOCOL_PREFIX = "jazz-bearer.";

/** What a client proves about itself in the handshake. Every field is optional. */
export interface HandshakeAuth {
  /** Bearer JWT: local-first (self-signed) or external (JWKS / public key). */
  token?: string;
  /** Backend impersonation: the server's backend secret plus the session to act as. */
  backendSecret?: string;
  session?: { user_id: string; claims?: Record<string, unknown> };
  adminSecret?: string;
  /** Edge → core: the shared server-to-server secret (`--peer-secret`); with `session`, the
   * edge acts for that user (permissions apply), without one it is the privileged peer. */
  peerSecret?: string;
}

export interface WireSession {
  user_id: string;
  claims: Record<string, unknown>;
  authMode: "local-first" | "external" | "anonymous" | "backend" | "admin";
}

export type AuthErrorReason = "expired" | "invalid" | "missing" | "disabled";

// ---------------------------------------------------------------- client → server

export type ClientMessage =
  | {
      t: "hello";
      v: number;
      clientId: string;
      auth: HandshakeAuth;
      /** Structural schema the client runs with; created on the server in development. */
      schema?: RuntimeSchema;
    }
  /** Replace the credentials of a live connection (token refresh); answered by `auth`. */
  | { t: "auth"; auth: HandshakeAuth }
  | { t: "push"; batch: Batch }
  | { t: "sub"; id: string; query: QueryIR; tier: DurabilityTier }
  | { t: "unsub"; id: string }
  | { t: "schema"; schema: RuntimeSchema }
  | { t: "ping"; n: number };

// ---------------------------------------------------------------- server → client

export type ServerMessage =
  | {
      t: "welcome";
      v: number;
      connectionId: string;
      session: WireSession;
      schema: RuntimeSchema;
      /** The active permissions bundle (opaque JSON), or null when none is deployed. */
      permissions: unknown;
    }
  | { t: "auth"; session: WireSession }
  | { t: "fate"; fate: BatchFate }
  /** Batches (possibly projected onto the rows in scope) the client must merge. */
  | { t: "batches"; batches: Batch[] }
  | { t: "settled"; id: string; tier: DurabilityTier }
  /** v2: rows that left every subscription of this connection without being written. */
  | { t: "evict"; rows: { table: string; ids: string[] }[] }
  | { t: "catalogue"; schema: RuntimeSchema; permissions: unknown }
  | { t: "error"; code: ErrorCode; message: string; reason?: AuthErrorReason; id?: string }
  | { t: "pong"; n: number };

export type ErrorCode =
  | "bad_request"
  | "incompatible_protocol"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "internal"
  | "too_many_subscriptions"
  /** A live query over the server's per-query time budget (refused, or dropped later). */
  | "query_too_slow";

/** WebSocket close codes the server uses; the client decides whether to reconnect by them. */
export const CLOSE = {
  /** Credentials missing, invalid or expired: wait for new credentials before reconnecting. */
  unauthorized: 4001,
  incompatibleProtocol: 4002,
  forbidden: 4003,
  badRequest: 4004,
  notFound: 4005,
  /** The client did not read what the server sent it (send buffer over the limit): resync. */
  slowConsumer: 4006,
  /** No hello within the timeout, or no pong to the server's ping. */
  timeout: 4007,
  shuttingDown: 1001,
  internalError: 1011,
} as const;

export { ProtocolError } from "./url.ts";
import { ProtocolError } from "./url.ts";

const CLIENT_TYPES = new Set(["hello", "auth", "push", "sub", "unsub", "schema", "ping"]);
const SERVER_TYPES = new Set(["welcome", "auth", "fate", "batches", "settled", "evict", "catalogue", "error", "pong"]);

/**
 * JSON with two escapes for SqlValues JSON lacks: Uint8Array → {"$bytes": base64} (the same
 * form QueryIR uses) and bigint → {"$bigint": "123"}. Batch values are revived by
 * decodeBatchValues; query IR keeps the {"$bytes"} form the compiler expects.
 */
export function encodeMessage(msg: ClientMessage | ServerMessage): string {
  return JSON.stringify(msg, wireReplacer);
}

/**
 * The frame for a message: a binary frame when `binary` (the peer speaks protocol 3) and the
 * message carries bytes, else its JSON text.
 */
export function encodeFrame(msg: ClientMessage | ServerMessage, binary: boolean): string | Uint8Array {
  if (!binary) return encodeMessage(msg);
  const split = splitBytes(msg);
  return split ? packFrame(split) : encodeMessage(msg);
}

export function wireReplacer(this: unknown, key: string, value: unknown): unknown {
  // The value before toJSON: a Node Buffer would already be {type: "Buffer", data} here.
  const raw = this && typeof this === "object" ? (this as Record<string, unknown>)[key] : value;
  if (raw instanceof Uint8Array) return { $bytes: bytesToBase64(raw) };
  if (typeof value === "bigint") return { $bigint: value.toString() };
  return value;
}

/**
 * Turns the wire escapes in a batch's values back into Uint8Array / bigint (in place). `bins`:
 * the byte values of the binary frame the batch came in ({"$bin": i} refers to them).
 */
export function decodeBatchValues(batch: Batch, bins?: Uint8Array[]): Batch {
  for (const w of batch.writes) {
    const v = w.values as Record<string, unknown> | undefined;
    if (!v) continue;
    for (const k in v) {
      const x = v[k];
      if (x !== null && typeof x === "object") {
        const o = x as { $bytes?: unknown; $bigint?: unknown; $bin?: unknown };
        if (typeof o.$bytes === "string") v[k] = base64ToBytes(o.$bytes);
        else if (o.$bin !== undefined) v[k] = binAt(bins, o.$bin, `${w.table}.${k}`);
        else if (typeof o.$bigint === "string") v[k] = decodeBigint(o.$bigint, `${w.table}.${k}`);
        else throw new ProtocolError(`write value ${w.table}.${k} is an object; SqlValues are strings, numbers, bytes or null`);
      }
    }
  }
  return batch;
}

function binAt(bins: Uint8Array[] | undefined, index: unknown, where: string): Uint8Array {
  if (!bins) throw new ProtocolError(`write value ${where}: {"$bin"} is only valid in a binary frame`);
  if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= bins.length) {
    throw new ProtocolError(`write value ${where}: {"$bin"} must index one of the frame's ${bins.length} byte values`);
  }
  return bins[index]!;
}

/**
 * A batch as a server stores it (its log, an edge's outbox): JSON text, or, when its values
 * carry bytes, the binary frame form (a BLOB: no base64 on every accepted file part).
 */
export function encodeStoredBatch(batch: Batch): string | Uint8Array {
  const split = splitBytes(batch);
  return split ? packFrame(split) : JSON.stringify(batch, wireReplacer);
}

/** A batch stored by encodeStoredBatch (JSON text from older data dirs included), revived. */
export function decodeStoredBatch(body: unknown): Batch {
  if (typeof body === "string") return decodeBatchValues(JSON.parse(body) as Batch);
  const bytes = frameBytes(body);
  if (!bytes) throw new ProtocolError("a stored batch must be JSON text or a binary frame");
  const { value, bins } = unpackFrame(bytes);
  return decodeBatchValues(value as Batch, bins);
}

/** SQLite integers are 64-bit: at most 19 digits. Checked before parsing (a huge string costs seconds). */
function decodeBigint(text: string, where: string): bigint {
  if (text.length > 20 || !/^-?\d{1,19}$/.test(text)) throw new ProtocolError(`write value ${where}: {"$bigint"} must be a 64-bit integer in decimal`);
  const n = BigInt(text);
  if (n > 9223372036854775807n || n < -9223372036854775808n) throw new ProtocolError(`write value ${where}: {"$bigint"} is outside the 64-bit range`);
  return n;
}


interface Parsed {
  m: { t: string } & Record<string, unknown>;
  /** The byte values of a binary frame (undefined for a text frame). */
  bins?: Uint8Array[];
}

function parse(frame: unknown, types: Set<string>): Parsed {
  let value: unknown;
  let bins: Uint8Array[] | undefined;
  if (typeof frame === "string") {
    try {
      value = JSON.parse(frame);
    } catch {
      throw new ProtocolError("frame is not valid JSON");
    }
  } else {
    const bytes = frameBytes(frame);
    if (!bytes) throw new ProtocolError("expected a JSON text frame or a binary frame");
    ({ value, bins } = unpackFrame(bytes));
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ProtocolError("frame must be a JSON object");
  }
  const t = (value as { t?: unknown }).t;
  if (typeof t !== "string" || !types.has(t)) {
    throw new ProtocolError(`unknown message type ${JSON.stringify(t)}`);
  }
  if (bins && t !== "push" && t !== "batches") throw new ProtocolError(`a "${t}" message cannot come in a binary frame`);
  return { m: value as Parsed["m"], ...(bins ? { bins } : {}) };
}

/** Parses and shape-checks a client frame, text or binary (the server must not trust it). */
export function decodeClientMessage(frame: unknown): ClientMessage {
  const { m, bins } = parse(frame, CLIENT_TYPES);
  const str = (k: string) => {
    if (typeof m[k] !== "string" || (m[k] as string).length === 0) {
      throw new ProtocolError(`"${m.t}" needs a non-empty string "${k}"`);
    }
  };
  const obj = (k: string) => {
    if (!m[k] || typeof m[k] !== "object" || Array.isArray(m[k])) {
      throw new ProtocolError(`"${m.t}" needs an object "${k}"`);
    }
  };
  switch (m.t) {
    case "hello":
      if (typeof m.v !== "number") throw new ProtocolError(`"hello" needs a protocol version "v"`);
      str("clientId");
      obj("auth");
      if (m.schema !== undefined) obj("schema");
      break;
    case "auth":
      obj("auth");
      break;
    case "push":
      obj("batch");
      checkBatchShape(m.batch as Record<string, unknown>);
      decodeBatchValues(m.batch as unknown as Batch, bins);
      break;
    case "sub":
      str("id");
      obj("query");
      if (m.tier !== "local" && m.tier !== "edge" && m.tier !== "global") {
        throw new ProtocolError(`"sub" needs a tier of "local", "edge" or "global"`);
      }
      break;
    case "unsub":
      str("id");
      break;
    case "schema":
      obj("schema");
      break;
    case "ping":
      break;
  }
  return m as unknown as ClientMessage;
}

export function decodeServerMessage(frame: unknown): ServerMessage {
  const { m: parsed, bins } = parse(frame, SERVER_TYPES);
  const m = parsed as unknown as ServerMessage;
  if (m.t === "batches") {
    if (!Array.isArray(m.batches)) throw new ProtocolError(`"batches" needs an array "batches"`);
    for (const b of m.batches) decodeBatchValues(b, bins);
  }
  return m;
}

function checkBatchShape(b: Record<string, unknown>): void {
  if (typeof b.batchId !== "string" || !/^[0-9a-f]{32}$/.test(b.batchId)) {
    throw new ProtocolError("batch.batchId must be 32 lowercase hex characters");
  }
  if (typeof b.ts !== "number" || !Number.isSafeInteger(b.ts) || b.ts < 0) {
    throw new ProtocolError("batch.ts must be a non-negative integer (µs)");
  }
  if (typeof b.author !== "string") throw new ProtocolError("batch.author must be a string");
  if (b.stagedAt !== undefined && (typeof b.stagedAt !== "number" || !Number.isSafeInteger(b.stagedAt) || b.stagedAt < 0)) {
    throw new ProtocolError("batch.stagedAt must be a non-negative integer (µs)");
  }
  if (b.schemaHash !== undefined && (typeof b.schemaHash !== "string" || !/^[0-9a-f]{12,64}$/.test(b.schemaHash))) {
    throw new ProtocolError("batch.schemaHash must be a schema hash (12 to 64 lowercase hex characters)");
  }
  if (b.kind !== "direct" && b.kind !== "transaction") {
    throw new ProtocolError(`batch.kind must be "direct" or "transaction"`);
  }
  if (!Array.isArray(b.writes)) throw new ProtocolError("batch.writes must be an array");
  for (const w of b.writes as Record<string, unknown>[]) {
    if (!w || typeof w !== "object") throw new ProtocolError("batch.writes[] must be objects");
    if (typeof w.table !== "string" || typeof w.id !== "string") {
      throw new ProtocolError("each write needs a string table and id");
    }
    if (w.op !== "insert" && w.op !== "update" && w.op !== "delete") {
      throw new ProtocolError(`write op must be "insert", "update" or "delete"`);
    }
    if (w.values !== undefined && (typeof w.values !== "object" || w.values === null || Array.isArray(w.values))) {
      throw new ProtocolError("write values must be an object");
    }
  }
}

export { normaliseSyncUrl } from "./url.ts";
