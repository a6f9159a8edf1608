// Files in real Chromium on OPFS: every size class round-trips through Blob and stream, the
// parts are durable in the worker's file (a reopened Db reads the same bytes), and a File keeps
// its name and type.
import { generateAuthSecret } from "@jazz-tools/auth";
import { schema as s } from "@jazz-tools/core";
import { afterEach, describe, expect, it } from "vitest";
import { hexId } from "../testing/fixtures.ts";
import { createDb, type BrowserDb } from "./create-db.ts";

const app = s.defineApp({
  file_parts: s.table({ data: s.bytes() }),
  files: s.table({ name: s.string().optional(), mimeType: s.string(), partIds: s.array(s.ref("file_parts")), partSizes: s.array(s.int()) }),
});
const dbs: BrowserDb[] = [];
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
});
async function open(appId: string, secret: string): Promise<BrowserDb> {
  const db = await createDb({ appId, secret });
  dbs.push(db);
  return db;
}
const bytes = (n: number) => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 131 + (i >> 9)) & 255;
  return out;
};
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

describe("files in the browser (OPFS)", () => {
  it("round-trip empty, 1-byte, one-chunk, multi-chunk and 20 MB files via Blob and stream, durable across a reopen", async () => {
    const appId = "files-" + hexId();
    const secret = generateAuthSecret();
    const db = await open(appId, secret);
    const sizes = [0, 1, 256 * 1024, 256 * 1024 * 2 + 5, 20 * 1000 * 1000];
    const made: { id: string; data: Uint8Array }[] = [];
    for (const size of sizes) {
      const data = bytes(size);
      const t0 = performance.now();
      const viaBlob = await db.createFileFromBlob(app, new File([data], `f${size}.bin`, { type: "application/x-test" }), { tier: "local" });
      if (size > 1e7) console.log(`20 MB file written at tier local in ${(performance.now() - t0).toFixed(0)} ms`);
      expect(viaBlob).toMatchObject({ name: `f${size}.bin`, mimeType: "application/x-test" });
      expect(same(new Uint8Array(await (await db.loadFileAsBlob(app, viaBlob.id)).arrayBuffer()), data)).toBe(true);
      const viaStream = await db.createFileFromStream(app, new Blob([data]).stream(), { chunkSizeBytes: 100_000, tier: "local" });
      expect(same(new Uint8Array(await new Response(await db.loadFileAsStream(app, viaStream)).arrayBuffer()), data)).toBe(true);
      made.push({ id: viaBlob.id, data });
    }
    await db.shutdown();
    dbs.length = 0;
    const again = await open(appId, secret);
    for (const { id, data } of made) expect(same(new Uint8Array(await (await again.loadFileAsBlob(app, id)).arrayBuffer()), data)).toBe(true);
  }, 120_000);
});
