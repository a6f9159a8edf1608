// Files as rows: a file's bytes are cut into `file_parts` rows (one write each, so a large file
// is never one message or held whole in memory), and the `files` row that lists them is written
// last. A reader that sees a file row can therefore find every part (at the tier it asks for); an
// upload that fails midway deletes the parts it wrote, and one cut short by a crash leaves only
// unreferenced parts, never a visible half file. Reads fetch one part at a time, in order, and
// fail with IncompleteFileDataError rather than return a truncated file.
import type { DurabilityTier } from "../engine/batch.ts";
import type { QueryLike } from "../query/ir.ts";
import type { QueryOptions, WriteResult } from "../db/types.ts";
import { DEFAULT_CHUNK_BYTES, DEFAULT_MIME_TYPE, MAX_PART_BYTES, fileTables } from "./conventions.ts";
import { chunked } from "./chunks.ts";
import { FileArgumentError, FileNotFoundError, IncompleteFileDataError } from "./errors.ts";

/** Part batches written ahead of the oldest unconfirmed one. */
const WINDOW = 4;
/** Bytes of parts per batch (at least one part). */
const BATCH_BYTES = 1024 * 1024;

export interface FileWriteOptions {
  name?: string;
  mimeType?: string;
  /** Bytes per part (default 256 KiB, at most 1 MiB). */
  chunkSizeBytes?: number;
  /** Resolve only once every part and the file row reached this tier. */
  tier?: DurabilityTier;
}

export interface FileReadOptions {
  /** Read the file row and its parts as settled at this tier (waits for the server's copy). */
  tier?: DurabilityTier;
}

/** The Db methods file storage uses (core's Db has them all). */
export interface FileDb {
  insert(table: QueryLike<any>, data: Record<string, unknown>): WriteResult<any>;
  batch(cb: (scope: { insert(table: QueryLike<any>, data: Record<string, unknown>): any }) => string[]): WriteResult<string[]>;
  delete(table: QueryLike<any>, id: string): unknown;
  one(query: QueryLike<any>, options?: QueryOptions): Promise<any>;
}

export async function createFileFromBlob(db: FileDb, app: unknown, blob: Blob, options: FileWriteOptions = {}): Promise<any> {
  if (!blob || typeof (blob as Blob).stream !== "function") throw new FileArgumentError("createFileFromBlob(app, blob): blob must be a Blob or File");
  const fileName = typeof File !== "undefined" && blob instanceof File ? blob.name : undefined;
  return createFileFromStream(db, app, blob.stream(), {
    ...options,
    name: options.name ?? fileName,
    mimeType: options.mimeType ?? (blob.type || undefined),
  });
}

export async function createFileFromStream(db: FileDb, app: unknown, stream: ReadableStream<unknown>, options: FileWriteOptions = {}): Promise<any> {
  const { files, parts } = fileTables(app);
  const size = options.chunkSizeBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PART_BYTES) {
    throw new FileArgumentError(`chunkSizeBytes must be an integer from 1 to ${MAX_PART_BYTES} (1 MiB), got ${String(size)}`);
  }
  if (!stream || typeof (stream as ReadableStream).getReader !== "function") {
    throw new FileArgumentError("createFileFromStream(app, stream): stream must be a ReadableStream of bytes");
  }
  const tier = options.tier;
  const partIds: string[] = [];
  const partSizes: number[] = [];
  // Parts go out in batches of up to BATCH_BYTES (one durable commit each, and one message well
  // under the server's frame limit). A few batches are written ahead (the durable side works on
  // them in parallel), but no more than WINDOW wait unconfirmed: a long stream is never held
  // whole in memory.
  const inFlight: WriteResult<string[]>[] = [];
  let group: Uint8Array[] = [];
  let groupBytes = 0;
  const flush = async () => {
    if (group.length === 0) return;
    const chunks = group;
    group = [];
    groupBytes = 0;
    const w = db.batch((b) => chunks.map((data) => b.insert(parts, { data }).id as string));
    partIds.push(...w.value);
    partSizes.push(...chunks.map((c) => c.length));
    inFlight.push(w);
    if (inFlight.length >= WINDOW) await inFlight.shift()!.wait({ tier: tier ?? "local" });
  };
  try {
    for await (const chunk of chunked(stream, size)) {
      if (groupBytes > 0 && groupBytes + chunk.length > BATCH_BYTES) await flush();
      group.push(chunk);
      groupBytes += chunk.length;
    }
    await flush();
    if (tier) await Promise.all(inFlight.map((w) => w.wait({ tier })));
  } catch (e) {
    // Nothing refers to the parts written so far: remove them, so a failed upload leaves no trace.
    for (const id of partIds) {
      try {
        db.delete(parts, id);
      } catch {
        // already gone (or the Db closed): nothing to clean
      }
    }
    throw e;
  }
  const nameRequired = (files._schema as { tables: Record<string, { columns: Record<string, { optional: boolean }> }> }).tables.files?.columns.name?.optional === false;
  const row: Record<string, unknown> = { mimeType: options.mimeType || DEFAULT_MIME_TYPE, partIds, partSizes };
  if (options.name !== undefined) row.name = options.name;
  else if (nameRequired) row.name = "";
  const w = db.insert(files, row);
  if (tier) await w.wait({ tier });
  return w.value;
}

interface FileRecord {
  id: string;
  mimeType: string;
  partIds: string[];
  partSizes: number[];
}

async function fileRecord(db: FileDb, app: unknown, fileOrId: unknown, options: FileReadOptions): Promise<FileRecord> {
  const { files } = fileTables(app);
  let row: Record<string, unknown> | null;
  if (typeof fileOrId === "string") {
    row = await db.one(files.where({ id: fileOrId }), queryOptions(options));
    if (!row) throw new FileNotFoundError(fileOrId);
  } else if (fileOrId && typeof fileOrId === "object" && typeof (fileOrId as { id?: unknown }).id === "string") {
    row = fileOrId as Record<string, unknown>;
  } else {
    throw new FileArgumentError("loadFileAs*(app, fileOrId): pass a files row or its id");
  }
  const id = row.id as string;
  const partIds = row.partIds;
  const partSizes = row.partSizes;
  if (
    !Array.isArray(partIds) ||
    !Array.isArray(partSizes) ||
    partIds.length !== partSizes.length ||
    partIds.some((p) => typeof p !== "string") ||
    partSizes.some((n) => !Number.isInteger(n) || n < 0)
  ) {
    throw new IncompleteFileDataError(id, "invalid-file-record", `File "${id}" is incomplete: partIds and partSizes must be arrays of part ids and byte counts of the same length.`);
  }
  const mimeType = typeof row.mimeType === "string" && row.mimeType ? row.mimeType : DEFAULT_MIME_TYPE;
  return { id, mimeType, partIds: partIds as string[], partSizes: partSizes as number[] };
}

function queryOptions(o: FileReadOptions): QueryOptions | undefined {
  return o.tier ? { tier: o.tier } : undefined;
}

export async function loadFileAsStream(db: FileDb, app: unknown, fileOrId: unknown, options: FileReadOptions = {}): Promise<ReadableStream<Uint8Array>> {
  const { parts } = fileTables(app);
  const file = await fileRecord(db, app, fileOrId, options);
  let next = 0;
  // The next part is read while this one is handed out (one round trip ahead over a server), so
  // at most two parts are held: the one being read by the consumer and the next.
  const ahead = new Map<number, Promise<Record<string, unknown> | null>>();
  const read = (i: number) => {
    let p = ahead.get(i);
    if (!p) {
      p = db.one(parts.where({ id: file.partIds[i]! }), queryOptions(options)) as Promise<Record<string, unknown> | null>;
      p.catch(() => {}); // awaited by pull(); this only keeps an abandoned read from going unhandled
      ahead.set(i, p);
    }
    return p;
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (next >= file.partIds.length) {
        controller.close();
        return;
      }
      const i = next++;
      const partId = file.partIds[i]!;
      try {
        const current = read(i);
        if (i + 1 < file.partIds.length) read(i + 1);
        const part = await current;
        ahead.delete(i);
        if (!part) {
          throw new IncompleteFileDataError(file.id, "missing-part", `File "${file.id}" is incomplete: part ${i} (${partId}) is not readable here${options.tier ? ` at tier ${options.tier}` : " yet (pass { tier: \"edge\" } to wait for it)"}.`, i, partId);
        }
        const data = part.data;
        if (!(data instanceof Uint8Array) || data.length !== file.partSizes[i]) {
          throw new IncompleteFileDataError(file.id, "part-size-mismatch", `File "${file.id}" is incomplete: part ${i} (${partId}) has ${data instanceof Uint8Array ? data.length : "no"} bytes, expected ${file.partSizes[i]}.`, i, partId);
        }
        controller.enqueue(data);
        if (next >= file.partIds.length) controller.close();
      } catch (e) {
        controller.error(e);
      }
    },
  });
}

export async function loadFileAsBlob(db: FileDb, app: unknown, fileOrId: unknown, options: FileReadOptions = {}): Promise<Blob> {
  const file = await fileRecord(db, app, fileOrId, options);
  const reader = (await loadFileAsStream(db, app, file as unknown as Record<string, unknown>, options)).getReader();
  const chunks: BlobPart[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value as BlobPart);
  }
  return new Blob(chunks, { type: file.mimeType });
}
