// Files through a real server process: a file created on one Node Db is loaded on another at
// tier edge, and the read policy of file_parts follows the rows that reference them (a part is
// readable exactly to who may read a file listing it, and so on up: file → message → recipient).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateAuthSecret } from "@jazz-tools/auth";
import { IncompleteFileDataError, schema as s, type Db } from "@jazz-tools/core";
import { definePermissions } from "@jazz-tools/core/permissions";
import { createNodeDb } from "@jazz-tools/sqlite-node/node-db";
import { publishCatalogue } from "../publish.ts";
import { startServerProcess, type ServerProcess } from "../testing/spawn.ts";
import { localFirstAuth, recordingClient, until } from "../testing/clients.ts";

const APP = "files-e2e";
const ADMIN = "files-admin";
const app = s.defineApp({
  file_parts: s.table({ data: s.bytes() }),
  files: s.table({ name: s.string().optional(), mimeType: s.string(), partIds: s.array(s.ref("file_parts")), partSizes: s.array(s.int()) }),
  messages: s.table({ text: s.string(), to: s.string(), attachmentId: s.ref("files").optional() }),
});
const permissions = definePermissions(app, ({ policy, session, anyOf, allowedTo }) => {
  policy.messages.allowRead.where(anyOf([{ $createdBy: session.user_id }, { to: session.user_id }]));
  policy.messages.allowInsert.always();
  policy.files.allowRead.where(anyOf([{ $createdBy: session.user_id }, allowedTo.readReferencing(policy.messages, "attachmentId")]));
  policy.files.allowInsert.always();
  policy.files.allowDelete.where({ $createdBy: session.user_id });
  policy.file_parts.allowRead.where(anyOf([{ $createdBy: session.user_id }, allowedTo.readReferencing(policy.files, "partIds")]));
  policy.file_parts.allowInsert.always();
  // Whoever may delete a file may delete its parts.
  policy.file_parts.allowDelete.where(allowedTo.deleteReferencing(policy.files, "partIds"));
});

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 255);
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

describe("files through the server", () => {
  let server: ServerProcess;
  const dbs: Db[] = [];
  const open = async (secret = generateAuthSecret()) => {
    const db = await createNodeDb({ appId: APP, serverUrl: server.url, secret }, { backoff: { baseMs: 50, capMs: 500, jitterMs: 20 } } as never);
    dbs.push(db);
    return { db, secret };
  };
  beforeAll(async () => {
    server = await startServerProcess({ appId: APP, adminSecret: ADMIN });
    await publishCatalogue({ serverUrl: server.url, appId: APP, adminSecret: ADMIN, schema: app.wasmSchema, permissions });
  });
  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.shutdown()));
    await server.stop();
  });

  it("a file sent in a message is loaded by its recipient; no part reaches anyone else (raw protocol)", async () => {
    const alice = await open();
    const bob = await open();
    const bobId = bob.db.getAuthState().session!.user_id;
    const data = bytes(700_000);
    const file = await alice.db.createFileFromBlob(app, new Blob([data], { type: "application/pdf" }), { name: "report.pdf", tier: "global" });
    expect(file.partIds).toHaveLength(3);
    await alice.db.insert(app.messages, { text: "the report", to: bobId, attachmentId: file.id }).wait({ tier: "global" });

    const blob = await bob.db.loadFileAsBlob(app, file.id, { tier: "edge" });
    expect(blob.type).toBe("application/pdf");
    expect(sameBytes(new Uint8Array(await blob.arrayBuffer()), data)).toBe(true);
    const streamed = new Uint8Array(await new Response(await bob.db.loadFileAsStream(app, file.id, { tier: "edge" })).arrayBuffer());
    expect(sameBytes(streamed, data)).toBe(true);

    // Carol may read neither the message nor the file: the server sends her no part.
    const carol = localFirstAuth(APP);
    const raw = recordingClient(server.url, APP, { auth: carol.auth, userId: carol.userId, schema: app.wasmSchema });
    try {
      raw.link.subscribeQuery("parts", { table: "file_parts", conditions: [], orderBy: [], includes: [] }, "edge");
      raw.link.subscribeQuery("files", { table: "files", conditions: [], orderBy: [], includes: [] }, "edge");
      await until(() => new Set(raw.settled.map(([id]) => id)).size === 2, "carol's queries settled");
      const partWrites = raw.remote.flatMap((b) => b.writes).filter((w) => w.table === "file_parts" && w.op !== "delete");
      expect(partWrites).toEqual([]);
      expect(raw.remote.flatMap((b) => b.writes).filter((w) => w.table === "files")).toEqual([]);
    } finally {
      await raw.close();
    }
    const carolDb = (await open()).db;
    await expect(carolDb.loadFileAsBlob(app, file.id, { tier: "edge" })).rejects.toThrow(/was not found/);
  });

  it("a file row whose parts the reader may not see fails with IncompleteFileDataError, not a short file", async () => {
    const alice = await open();
    const dave = await open();
    const file = await alice.db.createFileFromBlob(app, new Blob([bytes(300_000)]), { tier: "global" });
    // Dave is given the file row's contents by hand (as a copy would), but no grant to its parts.
    const err = await dave.db.loadFileAsBlob(app, { ...file }, { tier: "edge" }).catch((e) => e);
    expect(err).toBeInstanceOf(IncompleteFileDataError);
    expect(err.reason).toBe("missing-part");
  });

  it("whoever may delete a file may delete its parts (deleteReferencing over partIds); others may not", async () => {
    const alice = await open();
    const bob = await open();
    const bobId = bob.db.getAuthState().session!.user_id;
    const file = await alice.db.createFileFromBlob(app, new Blob([bytes(400_000)]), { chunkSizeBytes: 200_000, tier: "global" });
    await alice.db.insert(app.messages, { text: "f", to: bobId, attachmentId: file.id }).wait({ tier: "global" });
    await bob.db.loadFileAsBlob(app, file.id, { tier: "edge" });
    await expect(bob.db.delete(app.file_parts, file.partIds[0]).wait({ tier: "global" })).rejects.toMatchObject({ code: "forbidden" });
    // Parts first (the file row still lists them, which grants the delete), then the file.
    await alice.db.batch((b) => {
      for (const id of file.partIds) b.delete(app.file_parts, id);
    }).wait({ tier: "global" });
    await alice.db.delete(app.files, file.id).wait({ tier: "global" });
    expect(await alice.db.all(app.file_parts.where({ id: { in: file.partIds } }), { tier: "edge" })).toEqual([]);
  });
});

