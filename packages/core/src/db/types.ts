// Public shapes of the Db (reference §2.1, §2.2) and the options its constructor takes.

import type { Session, SyncSigner } from "@jazz-tools/auth";
import type { SqlDriver } from "../sql/driver.ts";
import type { Batch, DurabilityTier } from "../engine/batch.ts";
import type { ReplicaLink } from "./link.ts";

export interface DbConfig {
  /** UUID or any string. */
  appId: string;
  driver?: { type: "persistent"; dbName?: string } | { type: "memory" };
  serverUrl?: string;
  env?: string;
  userBranch?: string;
  /** External auth. */
  jwtToken?: string;
  /** Mirror of an HttpOnly-cookie session. */
  cookieSession?: Session;
  /** Admin: not anonymous, no local policies. */
  adminSecret?: string;
  dbName?: string;
  logLevel?: "error" | "warn" | "info" | "debug" | "trace";
  devMode?: boolean;
  /** Local-first seed: base64url, 32 bytes. */
  secret?: string;
  [extra: string]: unknown;
}

/**
 * What a platform hands the core Db: the browser (worker-backed mirror), the server link and the
 * Node entry all build one of these. `link` omitted = the local replica is the authority.
 */
export interface DbOptions {
  config: DbConfig;
  /** The synchronous SQLite the Db reads and writes (in-memory mirror, better-sqlite3, ...). */
  driver: SqlDriver;
  /** The durable side (worker / server connection); receives every locally applied batch. */
  link?: ReplicaLink;
  /** Called once by shutdown(), after the link is closed (e.g. terminate a worker). */
  onShutdown?: () => void | Promise<void>;
  /** Tier of a read when the caller gives none (default "local"). */
  defaultReadTier?: DurabilityTier;
  /**
   * The tier at which the link's acceptance is final (the authority has spoken): the batch can
   * no longer be rejected and satisfies every tier. Default "global" with a serverUrl, else
   * "local" (a worker with no server is the authority).
   */
  authorityTier?: DurabilityTier;
  /**
   * A session token minted ahead (createDbFromParts mints it with the async WebCrypto signer):
   * used instead of minting synchronously in the constructor. For a `secret` config: its
   * local-first token; with no auth configured: an anonymous token and its seed.
   */
  premintedToken?: { token: string; anonymousSecret?: string };
  /**
   * Pure-JS token signing (`syncSigner` from @jazz-tools/auth), for Dbs that must mint without
   * awaiting: Node entries pass it. Without it (pages), the first token must be preminted,
   * refreshes are signed with WebCrypto, and `getLocalFirstIdentityProof` answers a Promise.
   */
  syncSigner?: SyncSigner;
  /**
   * This Db is the authority for its permissions (an embedded backend acting for a session):
   * reads are filtered by the read policy and every write is checked in full, instead of the
   * client-side subset a server-backed Db checks.
   */
  permissionsAuthority?: boolean;
}

export interface WaitOptions {
  tier: DurabilityTier;
}

export interface WriteHandle {
  batchId: string;
  wait(options: WaitOptions): Promise<void>;
}

export interface WriteResult<T> {
  value: T;
  batchId: string;
  wait(options: WaitOptions): Promise<T>;
  mapValue<U>(fn: (value: T) => U): WriteResult<U>;
}

export interface InsertOptions {
  id?: string;
  /** Override the write's clock (µs, non-negative integer). */
  updatedAt?: number;
}
export interface UpdateOptions {
  updatedAt?: number;
}
export interface UpsertOptions {
  id: string;
  updatedAt?: number;
}

export interface QueryOptions {
  tier?: DurabilityTier;
  localUpdates?: "immediate" | "deferred";
  propagation?: "full" | "local-only";
  visibility?: "public" | "hidden_from_live_query_list";
  /**
   * subscribeAll: called when the sync server refuses the query (QueryRefusedError); the
   * subscription is dropped. Without it the error is logged with console.error.
   */
  onError?: (error: Error) => void;
}

/** A batch the authority rejected, as delivered to onMutationError. */
export interface MutationErrorEvent {
  code: string;
  reason: string;
  batch: Batch;
  error: Error;
}
