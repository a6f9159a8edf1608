// One client's bad input affects only that client's write: names that would reach
// Object.prototype, oversized $bigint values, unbounded gather depth, malformed admin bodies,
// and a batch whose decision throws inside a group commit beside a bystander's batch.
import { afterEach, describe, expect, it } from "vitest";
import type { Batch, RuntimeSchema } from "@jazz-tools/core";
import { decodeBatchValues } from "@jazz-tools/core/sync";
import { compileQuery, QueryError } from "@jazz-tools/core";
import { startLocalJazzServer, type LocalJazzServer } from "../testing/local.ts";
import { batchId, localFirstAuth, recordingClient, rowId, until, type RecordingClient } from "../testing/clients.ts";

const str = () => ({ type: { kind: "string" as const }, optional: false, merge: "lww" as const });
const schema: RuntimeSchema = { tables: { notes: { columns: { text: str() } } } };
const open: { servers: LocalJazzServer[]; clients: RecordingClient[] } = { servers: [], clients: [] };
afterEach(async () => {
  await Promise.all(open.clients.splice(0).map((c) => c.close()));
  await Promise.all(open.servers.splice(0).map((s) => s.stop()));
});

async function setup() {
  const server = await startLocalJazzServer({ appId: `hostile-${Math.random().toString(36).slice(2)}` });
  open.servers.push(server);
  await fetch(`${server.url}/apps/${server.appId}/admin/schema`, { method: "POST", headers: { "X-Jazz-Admin-Secret": server.adminSecret }, body: JSON.stringify({ schema }) });
  const client = () => {
    const u = localFirstAuth(server.appId);
    const c = recordingClient(server.url, server.appId, { auth: u.auth, userId: u.userId, schema });
    open.clients.push(c);
    return c;
  };
  return { server, client };
}
const note = (author: string, extra: Partial<Batch["writes"][number]> = {}): Batch => ({
  batchId: batchId(),
  ts: Date.now() * 1000,
  author,
  kind: "direct",
  writes: [{ table: "notes", id: rowId(), op: "insert", values: { text: "hello" }, ...extra } as Batch["writes"][number]],
});

describe("hostile input", () => {
  it("refuses tables and columns named after Object.prototype members, cleanly, for that batch", async () => {
    const { client } = await setup();
    const c = client();
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      const badTable = note(c.userId, { table: name });
      c.link.push(badTable);
      expect(await until(() => c.fateOf(badTable.batchId), "fate")).toMatchObject({ kind: "rejected", code: "unknown_table" });
      const badColumn = note(c.userId, { values: { text: "x", [name]: "y" } });
      c.link.push(badColumn);
      expect(await until(() => c.fateOf(badColumn.batchId), "fate")).toMatchObject({ kind: "rejected", code: "unknown_column" });
    }
    const ok = note(c.userId);
    c.link.push(ok);
    expect(await until(() => c.fateOf(ok.batchId), "fate")).toMatchObject({ kind: "accepted" });
  });

  it("a batch whose decision throws is rejected alone; the bystander in the same group commit is acknowledged", async () => {
    const { server, client } = await setup();
    const bad = client();
    const bystander = client();
    const warm = note(bystander.userId);
    bystander.link.push(warm);
    await until(() => bystander.fateOf(warm.batchId), "bystander ready");
    const warmBad = note(bad.userId);
    bad.link.push(warmBad);
    await until(() => bad.fateOf(warmBad.batchId), "bad ready");
    const service = server.server.service;
    const conns = [...service.connections];
    const connOf = (userId: string) => conns.find((k) => k.session?.user_id === userId)!;
    service.engine.writePolicy = {
      check(batch) {
        if (batch.author === bad.userId) throw new Error("boom");
        return null;
      },
    };
    const b1 = note(bad.userId);
    const b2 = note(bystander.userId);
    // Same tick: one group commit.
    service.push(connOf(bad.userId), b1);
    service.push(connOf(bystander.userId), b2);
    expect(await until(() => bad.fateOf(b1.batchId), "bad fate")).toMatchObject({ kind: "rejected", code: "invalid_batch" });
    expect(await until(() => bystander.fateOf(b2.batchId), "bystander fate")).toMatchObject({ kind: "accepted" });
    expect(service.connections.size).toBe(2);
    expect(server.server.service.engine.log.has(b2.batchId)).toBe(true);
    expect(server.server.service.engine.log.has(b1.batchId)).toBe(false);
  });

  it("a replayed batch gets its original fate; its id on other content is refused", async () => {
    const { server, client } = await setup();
    const c = client();
    const first = note(c.userId);
    c.link.push(first);
    expect(await until(() => c.fateOf(first.batchId), "fate")).toMatchObject({ kind: "accepted" });
    // The same batch again (as after a reconnect): accepted again.
    c.fates.length = 0;
    c.link.push({ ...first });
    expect(await until(() => c.fateOf(first.batchId), "replay fate")).toMatchObject({ kind: "accepted" });
    // The same id on other content: refused, and the row keeps the first content.
    c.fates.length = 0;
    c.link.push({ ...first, writes: [{ ...first.writes[0]!, values: { text: "something else" } }] });
    expect(await until(() => c.fateOf(first.batchId), "reuse fate")).toMatchObject({ kind: "rejected", code: "batch_id_reused" });
    const text = server.server.service.engine.driver.all(`SELECT text FROM notes WHERE id = ?`, [first.writes[0]!.id]);
    expect(text).toEqual([["hello"]]);
  });

  it("refuses a batch stamped far ahead of the server's clock, accepts a small skew", async () => {
    const { client } = await setup();
    const c = client();
    const ahead = { ...note(c.userId), ts: (Date.now() + 3_600_000) * 1000 };
    c.link.push(ahead);
    expect(await until(() => c.fateOf(ahead.batchId), "fate")).toMatchObject({ kind: "rejected", code: "clock_skew" });
    const slight = { ...note(c.userId), ts: (Date.now() + 10_000) * 1000 };
    c.link.push(slight);
    expect(await until(() => c.fateOf(slight.batchId), "fate")).toMatchObject({ kind: "accepted" });
  });

  it("refuses a $bigint beyond 64 bits before parsing it", () => {
    const huge = "9".repeat(8_000_000);
    const batch = { batchId: batchId(), ts: 1, author: "a", kind: "direct", writes: [{ table: "t", id: rowId(), op: "insert", values: { n: { $bigint: huge } } }] } as unknown as Batch;
    const t = performance.now();
    expect(() => decodeBatchValues(batch)).toThrow(/64-bit integer/);
    expect(performance.now() - t).toBeLessThan(200);
    const ok = { ...batch, writes: [{ ...batch.writes[0]!, values: { n: { $bigint: "-9223372036854775808" } } }] } as unknown as Batch;
    expect(decodeBatchValues(ok).writes[0]!.values!.n).toBe(-9223372036854775808n);
    const over = { ...batch, writes: [{ ...batch.writes[0]!, values: { n: { $bigint: "9223372036854775808" } } }] } as unknown as Batch;
    expect(() => decodeBatchValues(over)).toThrow(/outside the 64-bit range/);
  });

  it("caps gather() depth", () => {
    const s: RuntimeSchema = { tables: { nodes: { columns: { parent: { type: { kind: "ref", table: "nodes" }, optional: true, merge: "lww" } } } } };
    const ir = (maxDepth: number) => ({
      table: "nodes",
      conditions: [],
      orderBy: [],
      includes: [],
      gather: { step: { table: "nodes", conditions: [{ column: "parent", op: "eq", value: { $current: true } }], orderBy: [], includes: [] }, maxDepth },
    });
    expect(() => compileQuery(s, ir(1_000_000) as never)).toThrow(QueryError);
    expect(() => compileQuery(s, ir(1_000_000) as never)).toThrow(/maxDepth must be an integer from 0 to 100/);
  });

  it("answers malformed admin bodies with 400 and a reason, never 500", async () => {
    const { server } = await setup();
    const post = (body: string) =>
      fetch(`${server.url}/apps/${server.appId}/admin/schema`, { method: "POST", headers: { "X-Jazz-Admin-Secret": server.adminSecret }, body });
    for (const body of ["null", "[]", "42", '"x"', "{not json", '{"schema":null}', '{"schema":{"tables":null}}', '{"schema":{"tables":{"t":null}}}', '{"schema":{"tables":{"__proto__":{"columns":{}}}}}', '{"permissions":{"nonsense":true}}']) {
      const r = await post(body);
      expect([body, r.status]).toEqual([body, 400]);
      expect(((await r.json()) as { message?: string }).message, body).toBeTruthy();
    }
  });
});
