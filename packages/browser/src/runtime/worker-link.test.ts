// WorkerLink's tab-channel contract in Node (BroadcastChannel is global there), with a stand-in
// worker API: what it merges again after taking durable rows from the worker.
import type { Batch, BatchFate, LinkListener } from "@jazz-tools/core";
import { afterEach, describe, expect, it } from "vitest";
import type { TabMessage } from "../tabs/channel.ts";
import { hexId, todoBatch } from "../testing/fixtures.ts";
import type { RetractedRow } from "../worker/undo-log.ts";
import { WorkerLink } from "./worker-link.ts";
import type { StartedWorker } from "./worker-client.ts";

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

function setup(commitFate: (b: Batch) => BatchFate = (b) => ({ batchId: b.batchId, kind: "accepted", tier: "local" })) {
  const name = `jazz-tabs:wl-${hexId()}`;
  let answerReadRows: (rows: RetractedRow[]) => void = () => {};
  const reads: { table: string; id: string }[][] = [];
  const releases = new Map<string, (ok: boolean) => void>();
  const api = {
    commit: async (batches: Batch[]) => batches.map(commitFate),
    startSync: () => {},
    stage: (batch: Batch) => new Promise<BatchFate>((resolve) => releases.set(batch.batchId, (ok: boolean) => resolve(ok ? commitFate(batch) : { batchId: batch.batchId, kind: "rejected", code: "abandoned", reason: "" }))),
    release: (batchId: string, ok: boolean) => releases.get(batchId)?.(ok),
    readRows: (keys: { table: string; id: string }[]) => {
      reads.push(keys);
      return new Promise<RetractedRow[]>((resolve) => (answerReadRows = resolve));
    },
  };
  const link = new WorkerLink({ api } as unknown as StartedWorker, new BroadcastChannel(name), "me");
  const otherTabs = new BroadcastChannel(name);
  const heard: TabMessage[] = [];
  otherTabs.onmessage = (e: MessageEvent<TabMessage>) => heard.push(e.data);
  closers.push(() => otherTabs.close(), () => link.close());
  const log: string[] = [];
  link.listen({
    onFate: (f) => log.push(`fate ${f.kind}`),
    onRemoteBatches: (batches) => log.push(`merge ${batches.map((b) => b.writes[0]!.values!.title).join(",")}`),
  } as LinkListener);
  link.setRowSink((rows) => log.push(`rows ${rows.map((r) => r.id).join(",")}`));
  const post = (m: TabMessage) => otherTabs.postMessage(m);
  const until = async (f: () => boolean) => {
    for (let i = 0; i < 200 && !f(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(f()).toBe(true);
  };
  return { link, log, post, until, reads, heard, answer: (rows: RetractedRow[]) => answerReadRows(rows) };
}

/** A batch writing `title` to row `id`. */
function write(id: string, title: string): Batch {
  const b = todoBatch(1);
  b.writes[0] = { ...b.writes[0]!, id, values: { title, batch: 1 } };
  return b;
}

describe("WorkerLink: durable rows taken from the worker", () => {
  it("merges again what arrived while the rows were read, and other tabs' unconfirmed batches", async () => {
    const { log, post, until, reads, answer } = setup();
    const x = hexId();
    const failing = write(x, "v1");
    const heldElsewhere = write(x, "v0");
    post({ type: "batches", origin: "tab-c", batches: [heldElsewhere], unconfirmed: true });
    post({ type: "batches", origin: "tab-b", batches: [failing], unconfirmed: true });
    // tab-b's worker could not commit it: this link reads the row's durable state.
    post({ type: "durable", origin: "tab-b", batchIds: [], failed: [failing.batchId] });
    await until(() => reads.length === 1);
    expect(reads[0]).toEqual([{ table: "todos", id: x }]);
    // A newer batch for the row arrives before the answer (the read may predate it).
    const newer = write(x, "v2");
    post({ type: "batches", origin: "upstream", batches: [newer] });
    await until(() => log.includes("merge v2"));
    answer([{ table: "todos", id: x, row: null }]);
    await until(() => log.includes(`rows ${x}`));
    expect(log).toEqual(["merge v0", "merge v1", "merge v2", `rows ${x}`, "merge v0,v2"]);
  });

  it("merges nothing again when no held batch touches the rows", async () => {
    const { log, post, until, answer } = setup();
    const failing = write(hexId(), "lost");
    post({ type: "batches", origin: "tab-b", batches: [failing], unconfirmed: true });
    post({ type: "batches", origin: "tab-c", batches: [write(hexId(), "elsewhere")], unconfirmed: true });
    post({ type: "durable", origin: "tab-b", batchIds: [], failed: [failing.batchId] });
    await until(() => log.length === 2);
    answer([{ table: "todos", id: failing.writes[0]!.id, row: null }]);
    await until(() => log.length === 3);
    await new Promise((r) => setTimeout(r, 20));
    expect(log.slice(2)).toEqual([`rows ${failing.writes[0]!.id}`]);
  });
});

describe("WorkerLink without a server: the worker decides local batches", () => {
  it("reads a rejected batch's rows back from the worker before the Db hears the rejection", async () => {
    const { link, log, until, reads, answer } = setup((b) => ({ batchId: b.batchId, kind: "rejected", code: "local_commit_failed", reason: "disk full" }));
    expect(link.restoresRejected).toBe(true);
    const failing = write(hexId(), "never durable");
    link.push(failing);
    await until(() => reads.length === 1);
    expect(reads[0]).toEqual([{ table: "todos", id: failing.writes[0]!.id }]);
    expect(log).toEqual([]); // the fate waits for the rows
    answer([{ table: "todos", id: failing.writes[0]!.id, row: null }]);
    await until(() => log.length === 2);
    expect(log).toEqual([`rows ${failing.writes[0]!.id}`, "fate rejected"]);
  });

  it("with a server it leaves retraction to the Db (server fates carry the rows)", () => {
    const { link } = setup();
    link.enableSync(new BroadcastChannel(`jazz-sync:wl-${hexId()}`), () => null);
    expect(link.restoresRejected).toBe(false);
  });
});

describe("WorkerLink: large batches staged to the worker", () => {
  /** A message as its type and, for batches, their row count. */
  const what = (m: TabMessage) => (m.type === "batches" ? `batches${m.unconfirmed ? " unconfirmed" : ""} ${m.batches.flatMap((b) => b.writes).length}` : m.type);

  it("other tabs hear of a staged batch once it is durable; small batches go out unconfirmed at once", async () => {
    const { link, heard, until } = setup();
    const big = todoBatch(1, 600);
    link.prepare(big);
    link.push(big);
    link.push(todoBatch(2, 1));
    await until(() => heard.length === 4);
    expect(heard.map(what)).toEqual(["batches unconfirmed 1", "durable", "durable", "batches 600"]);
  });

  it("announces a durable staged batch before the link closes", async () => {
    const { link, heard, until } = setup();
    const big = todoBatch(1, 600);
    link.prepare(big);
    link.push(big);
    await link.close();
    await until(() => heard.length === 2);
    expect(heard.map(what)).toEqual(["durable", "batches 600"]);
  });
});
