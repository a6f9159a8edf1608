// Files in a local Db (Node): round trips of every size class through Blob and stream, the
// convention's shape checks, and failures that never leave or return half a file.
import { afterEach, describe, expect, it } from "vitest";
import { createNodeSqlDriver } from "@jazz-tools/sqlite-node";
import { schema as s } from "../index.ts";
import { createDbFromParts } from "../db/create.ts";
import type { Db } from "../db/db.ts";
import { FileArgumentError, FileNotFoundError, FileTablesError, IncompleteFileDataError } from "./errors.ts";

const app = s.defineApp({
  file_parts: s.table({ data: s.bytes() }),
  files: s.table({ name: s.string().optional(), mimeType: s.string(), partIds: s.array(s.ref("file_parts")), partSizes: s.array(s.int()) }),
  messages: s.table({ text: s.string(), attachmentId: s.ref("files").optional() }),
});
const dbs: Db[] = [];
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
});
async function newDb(): Promise<Db> {
  const db = await createDbFromParts({ config: { appId: "files-test" }, driver: createNodeSqlDriver() });
  dbs.push(db);
  return db;
}
const bytes = (n: number, seed = 1) => {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) out[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return out;
};
const streamOf = (data: Uint8Array, pieces: number[]) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      let at = 0;
      for (const n of pieces) {
        c.enqueue(data.slice(at, at + n));
        at += n;
      }
      if (at < data.length) c.enqueue(data.slice(at));
      c.close();
    },
  });
// A plain loop: deep-equality matchers walk 20 MB arrays element by element into diff structures.
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const readAll = async (stream: ReadableStream<Uint8Array>) => new Uint8Array(await new Response(stream).arrayBuffer());

describe("files", () => {
  const KiB = 1024;
  const sizes = { empty: 0, "one byte": 1, "exactly one chunk": 256 * KiB, "multi-chunk": 256 * KiB * 3 + 17, "20 MB": 20 * 1000 * 1000 };
  for (const [label, size] of Object.entries(sizes)) {
    it(`round-trips ${label} (${size} bytes) via Blob and via stream`, async () => {
      const db = await newDb();
      const data = bytes(size, size + 3);
      const file = await db.createFileFromBlob(app, new Blob([data], { type: "image/png" }), { name: "a.png" });
      expect(file).toMatchObject({ name: "a.png", mimeType: "image/png" });
      expect(file.partIds).toHaveLength(Math.ceil(size / (256 * KiB)));
      expect(file.partSizes.reduce((a: number, b: number) => a + b, 0)).toBe(size);
      const blob = await db.loadFileAsBlob(app, file.id);
      expect(blob.type).toBe("image/png");
      expect(sameBytes(new Uint8Array(await blob.arrayBuffer()), data)).toBe(true);
      // Odd-sized stream chunks are re-cut into 64 KiB parts.
      const viaStream = await db.createFileFromStream(app, streamOf(data, [1, 70_000, 3]), { chunkSizeBytes: 64 * KiB });
      expect(viaStream.partSizes.every((n: number, i: number, all: number[]) => n === 64 * KiB || i === all.length - 1)).toBe(true);
      expect(sameBytes(await readAll(await db.loadFileAsStream(app, viaStream)), data)).toBe(true);
    }, 60_000);
  }

  it("a query over files does not load parts; a row may reference a file", async () => {
    const db = await newDb();
    const file = await db.createFileFromBlob(app, new Blob([bytes(1000)]));
    db.insert(app.messages, { text: "see attached", attachmentId: file.id });
    const [row] = await db.all(app.files);
    expect(Object.keys(row!).sort()).toEqual(["id", "mimeType", "name", "partIds", "partSizes"]);
    expect(row!.mimeType).toBe("application/octet-stream");
  });

  it("a file row included with its parts (include({ parts: true })) loads like a plain one", async () => {
    const db = await newDb();
    const file = await db.createFileFromBlob(app, new Blob([bytes(600_000)]), { chunkSizeBytes: 256 * 1024 });
    const msg = db.insert(app.messages, { text: "logo", attachmentId: file.id }).value;
    const [withParts] = await db.all(app.files.where({ id: file.id }).include({ parts: true }));
    expect(withParts!.parts.map((p: { id: string }) => p.id)).toEqual(file.partIds);
    const [m] = await db.all(app.messages.where({ id: msg.id }).include({ attachment: { parts: true } }));
    expect(m!.attachment!.id).toBe(file.id);
    expect((await db.loadFileAsBlob(app, m!.attachment!)).size).toBe(600_000);
  });

  it("refuses an app without the conventional tables, naming what to declare", async () => {
    const db = await newDb();
    const noParts = s.defineApp({ files: s.table({ name: s.string(), mimeType: s.string(), partIds: s.array(s.string()), partSizes: s.array(s.int()) }) });
    await expect(db.createFileFromBlob(noParts, new Blob(["x"]))).rejects.toThrow(FileTablesError);
    await expect(db.createFileFromBlob(noParts, new Blob(["x"]))).rejects.toThrow(/no "file_parts" table; declare file_parts: s\.table\(\{ data: s\.bytes\(\) \}\)/);
    const wrong = s.defineApp({
      file_parts: s.table({ data: s.string() }),
      files: s.table({ name: s.string(), mimeType: s.string(), partIds: s.array(s.ref("file_parts")), partSizes: s.array(s.int()) }),
    });
    await expect(db.createFileFromBlob(wrong, new Blob(["x"]))).rejects.toThrow(/file_parts\.data has type string; the file convention needs bytes/);
  });

  it("validates arguments with named errors", async () => {
    const db = await newDb();
    await expect(db.createFileFromBlob(app, new Blob(["x"]), { chunkSizeBytes: 2 * 1024 * 1024 })).rejects.toThrow(FileArgumentError);
    await expect(db.createFileFromBlob(app, new Blob(["x"]), { chunkSizeBytes: 0 })).rejects.toThrow(/from 1 to 1048576/);
    await expect(db.createFileFromBlob(app, "not a blob" as never)).rejects.toThrow(FileArgumentError);
    await expect(db.loadFileAsBlob(app, "0190a5c4-8f1e-7c3a-9b2d-4e5f6a7b8c9d")).rejects.toThrow(FileNotFoundError);
    await expect(db.loadFileAsBlob(app, 42 as never)).rejects.toThrow(FileArgumentError);
  });

  it("a stream that fails midway leaves no parts and no file", async () => {
    const db = await newDb();
    let sent = 0;
    const failing = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 3) c.enqueue(bytes(100_000));
        else c.error(new Error("network dropped"));
      },
    });
    await expect(db.createFileFromStream(app, failing, { chunkSizeBytes: 64 * 1024 })).rejects.toThrow("network dropped");
    expect(await db.all(app.file_parts)).toEqual([]);
    expect(await db.all(app.files)).toEqual([]);
    const notBytes = new ReadableStream({ start: (c) => (c.enqueue("text" as never), c.close()) });
    await expect(db.createFileFromStream(app, notBytes)).rejects.toThrow(/must yield Uint8Array/);
  });

  it("never returns a truncated file: a missing or short part fails with IncompleteFileDataError", async () => {
    const db = await newDb();
    const file = await db.createFileFromBlob(app, new Blob([bytes(300_000)]), { chunkSizeBytes: 100_000 });
    db.delete(app.file_parts, file.partIds[1]);
    const err = await db.loadFileAsBlob(app, file.id).catch((e) => e);
    expect(err).toBeInstanceOf(IncompleteFileDataError);
    expect(err).toMatchObject({ reason: "missing-part", partIndex: 1, code: "incomplete_file_data" });
    db.update(app.file_parts, file.partIds[2], { data: new Uint8Array(5) });
    const short = await db.loadFileAsBlob(app, { ...file, partIds: [file.partIds[0], file.partIds[2]], partSizes: [100_000, 100_000] }).catch((e) => e);
    expect(short).toMatchObject({ reason: "part-size-mismatch", partIndex: 1 });
    const bad = await db.loadFileAsBlob(app, { ...file, partSizes: [1] }).catch((e) => e);
    expect(bad).toMatchObject({ reason: "invalid-file-record" });
  });
});
