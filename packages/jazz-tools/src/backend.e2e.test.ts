// `jazz-tools/backend` against a real server process: the backend principal, per-request and
// per-session Dbs (impersonation), attribution, and the re-exported proof verifier.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateAuthSecret, mintLocalFirstToken, deriveLocalFirstIdentity, getLocalFirstIdentityProof } from "@jazz-tools/auth";
import type { QueryLike, RuntimeSchema } from "@jazz-tools/core";
import { startServerProcess, recordingClient, until, type ServerProcess } from "@jazz-tools/server/testing";
import { createJazzContext, verifyLocalFirstIdentityProof, BackendAuthError, type JazzContext } from "./backend.ts";

const APP = "backend-e2e";
const schema: RuntimeSchema = { tables: { items: { columns: { name: { type: { kind: "string" }, optional: false, merge: "lww" } } } } };
type Item = { id: string; name: string };
const items: QueryLike<Item> = { _table: "items", _schema: schema, _build: () => ({ table: "items", conditions: [], orderBy: [], includes: [] }) };

describe("createJazzContext with a server", () => {
  let server: ServerProcess;
  let ctx: JazzContext;
  beforeAll(async () => {
    server = await startServerProcess({ appId: APP, args: ["--backend-secret", "bsecret"] });
    ctx = createJazzContext({ appId: APP, serverUrl: server.url, backendSecret: "bsecret", driver: { type: "memory" } });
  });
  afterAll(async () => {
    await ctx.shutdown();
    await server.stop();
  });

  const authorsSeen = async (name: string) => {
    const watcher = recordingClient(server.url, APP, { auth: { backendSecret: "bsecret" }, schema });
    watcher.link.subscribeQuery("w", { table: "items", conditions: [{ column: "name", op: "eq", value: name }], orderBy: [], includes: [] }, "edge");
    await until(() => watcher.settled.length, "settled");
    const authors = watcher.remote.map((b) => b.author);
    await watcher.close();
    return authors;
  };

  it("asBackend() writes as jazz:system and reads at edge", async () => {
    const db = ctx.asBackend();
    expect(ctx.asBackend()).toBe(db);
    await db.insert(items, { name: "by-backend" }).wait({ tier: "edge" });
    expect(await authorsSeen("by-backend")).toEqual(["jazz:system"]);
    expect((await db.all(items, { tier: "edge" })).some((r) => r.name === "by-backend")).toBe(true);
  });

  it("forRequest() runs as the bearer of a Fetch Request or a Node-style request", async () => {
    const secret = generateAuthSecret();
    const userId = deriveLocalFirstIdentity(secret).userId;
    const token = mintLocalFirstToken(secret, { audience: APP });
    const fetchReq = new Request("http://x/api", { headers: { Authorization: `Bearer ${token}` } });
    const db = await ctx.forRequest(fetchReq);
    await db.insert(items, { name: "by-user" }).wait({ tier: "edge" });
    expect(await authorsSeen("by-user")).toEqual([userId]);
    const same = await ctx.forRequest({ headers: { authorization: `Bearer ${token}` } });
    expect(same).toBe(db);
  });

  it("forRequest() refuses a request without valid credentials", async () => {
    await expect(ctx.forRequest(new Request("http://x/"))).rejects.toBeInstanceOf(BackendAuthError);
    await expect(ctx.forRequest({ headers: { authorization: "Bearer not.a.jwt" } })).rejects.toMatchObject({ reason: "invalid" });
  });

  it("forSession() impersonates; withAttribution() stamps another author", async () => {
    await ctx.forSession({ user_id: "session-user", claims: {}, authMode: "external" }).insert(items, { name: "by-session" }).wait({ tier: "edge" });
    expect(await authorsSeen("by-session")).toEqual(["session-user"]);
    await ctx.withAttribution("attributed-user").insert(items, { name: "attributed" }).wait({ tier: "edge" });
    expect(await authorsSeen("attributed")).toEqual(["attributed-user"]);
  });

  it("re-exports verifyLocalFirstIdentityProof", () => {
    const secret = generateAuthSecret();
    const proof = getLocalFirstIdentityProof(secret, { appId: APP, audience: "my-app-signup" })!;
    expect(verifyLocalFirstIdentityProof(proof, "my-app-signup")).toMatchObject({ ok: true, id: deriveLocalFirstIdentity(secret).userId });
    expect(verifyLocalFirstIdentityProof(proof, "other")).toMatchObject({ ok: false });
  });
});

describe("createJazzContext without a server", () => {
  it("db() is an embedded, unscoped Db", async () => {
    const ctx = createJazzContext({ appId: "local-app" });
    const db = ctx.db();
    const w = db.insert(items, { name: "local" });
    await expect(w.wait({ tier: "global" })).resolves.toMatchObject({ name: "local" });
    expect(await db.all(items)).toHaveLength(1);
    await ctx.shutdown();
  });
});
