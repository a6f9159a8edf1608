import { generateAuthSecret } from "@jazz-tools/auth";
import { DEVTOOLS_CHANNEL, DevtoolsBridgeError } from "@jazz-tools/core";
import { afterEach, describe, expect, it } from "vitest";
import { hexId, todoSchema, todos } from "../testing/fixtures.ts";
import { createDb, type BrowserDb } from "../runtime/create-db.ts";
import { attachDevTools } from "./attach.ts";

const dbs: BrowserDb[] = [];
afterEach(async () => {
  await Promise.all(dbs.splice(0).map((d) => d.shutdown()));
});

/** The bridge's answer to `requestId` (null: none within 300 ms). */
function response(requestId: string): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      window.removeEventListener("message", onMessage);
      resolve(null);
    }, 300);
    const onMessage = (e: MessageEvent) => {
      if (e.data?.channel !== DEVTOOLS_CHANNEL || e.data.kind !== "response" || e.data.requestId !== requestId) return;
      clearTimeout(timer);
      window.removeEventListener("message", onMessage);
      resolve(e.data);
    };
    window.addEventListener("message", onMessage);
  });
}

/** What the inspector's content script does: post a request to the page's window, read the answer. */
function request(command: string, payload: unknown = {}): Promise<Record<string, unknown> | null> {
  const requestId = hexId();
  const answer = response(requestId);
  window.postMessage({ channel: DEVTOOLS_CHANNEL, kind: "request", requestId, command, payload }, "*");
  return answer;
}

describe("attachDevTools (window.postMessage, jazz-devtools-v1) in Chromium", () => {
  it("serves a client's Db to the inspector on the page's window, in dev mode, until detached", async () => {
    const db = await createDb({ appId: "app-" + hexId(), secret: generateAuthSecret() });
    dbs.push(db);
    const detach = attachDevTools({ db }, { wasmSchema: todoSchema });
    expect(db.devMode).toBe(true);
    expect(await request("bridge.handshake")).toMatchObject({ ok: true, payload: { ready: true } });
    const announce = await request("devtools.announce");
    expect(announce?.payload).toMatchObject({ ready: true, wasmSchema: todoSchema, dbConfig: { devMode: true } });

    const deltas: unknown[] = [];
    const onEvent = (e: MessageEvent) => {
      if (e.data?.channel === DEVTOOLS_CHANNEL && e.data.event === "client.subscription.delta") deltas.push(e.data.payload);
    };
    window.addEventListener("message", onEvent);
    expect(await request("client.subscribe", { subscriptionId: "s1", query: { table: "todos" } })).toMatchObject({ ok: true });
    const inserted = await request("client.insertDurable", { table: "todos", values: { title: "via devtools", batch: 1 } });
    expect(inserted).toMatchObject({ ok: true, payload: { title: "via devtools" } });
    expect((await db.all(todos)).map((t) => t.title)).toEqual(["via devtools"]);
    await expect.poll(() => deltas.length).toBeGreaterThanOrEqual(2);
    expect(deltas.at(-1)).toMatchObject({ subscriptionId: "s1", delta: { all: [{ title: "via devtools" }] } });
    // The app's live queries (not the inspector's own subscription).
    expect((await request("client.listActiveQuerySubscriptions"))?.payload).toEqual([]);
    const stopAppQuery = db.subscribeAll(todos, () => {});
    const traces = (await request("client.listActiveQuerySubscriptions"))?.payload as { table: string }[];
    expect(traces.map((t) => t.table)).toEqual(["todos"]);
    stopAppQuery();
    window.removeEventListener("message", onEvent);

    detach();
    expect(await request("bridge.handshake")).toBeNull();
  });

  it("ignores requests from other windows (a frame posting to its parent)", async () => {
    const db = await createDb({ appId: "app-" + hexId() });
    dbs.push(db);
    const detach = attachDevTools(db, todoSchema);
    const frame = document.createElement("iframe");
    try {
      const answer = response("from-frame");
      const msg = { channel: DEVTOOLS_CHANNEL, kind: "request", requestId: "from-frame", command: "bridge.handshake", payload: {} };
      frame.srcdoc = `<script>parent.postMessage(${JSON.stringify(msg)}, "*")</script>`;
      document.body.append(frame);
      expect(await answer).toBeNull();
      expect(await request("bridge.handshake")).toMatchObject({ ok: true }); // the page itself is answered
    } finally {
      frame.remove();
      detach();
    }
  });

  it("throws a named error for arguments that are not a client/Db and a schema", () => {
    expect(() => attachDevTools({} as never, todoSchema)).toThrow(DevtoolsBridgeError);
    expect(() => attachDevTools({} as never, todoSchema)).toThrow("the first argument must be a Jazz client (from createJazzClient) or a Db");
    const fakeDb = { subscribeAll() {}, setDevMode() {} };
    expect(() => attachDevTools(fakeDb as never, {} as never)).toThrow("the second argument must be your app's schema (app.wasmSchema)");
  });
});
