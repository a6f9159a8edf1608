// Auth over the wire against real server processes: every hostile token is refused with the
// reason the client surfaces; external JWTs via public key and JWKS (with key rotation);
// backend impersonation; admin secret; expiry and recovery with a fresh token.

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK } from "jose";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveLocalFirstIdentity, generateAuthSecret, mintLocalFirstToken, normalizeAudience, uuidV5, NAMESPACE_JAZZ_AUTH_KEY } from "@jazz-tools/auth";
import type { HandshakeAuth } from "@jazz-tools/core/sync";
import { startServerProcess, type ServerProcess } from "../testing/spawn.ts";
import { insertTodo, recordingClient, rowId, until, type RecordingClient } from "../testing/clients.ts";

const APP = "auth-e2e";
const b64 = (x: Uint8Array | string) => Buffer.from(x).toString("base64url");

/** Forge local-first tokens byte by byte (independent of the auth package's minting). */
function lfKey(seed = new Uint8Array(32).map(() => Math.floor(Math.random() * 256))) {
  const ed = createHash("sha512").update("jazz-auth-sign-v1").update(seed).digest().subarray(0, 32);
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), ed]), format: "der", type: "pkcs8" });
  const pub = new Uint8Array(Buffer.from((createPublicKey(privateKey).export({ format: "jwk" }) as { x: string }).x, "base64url"));
  return { privateKey, pub, userId: uuidV5(NAMESPACE_JAZZ_AUTH_KEY, pub) };
}
function lfToken(k: ReturnType<typeof lfKey>, claims: Record<string, unknown> = {}, header: object = { alg: "EdDSA", typ: "JWT" }) {
  const now = Math.floor(Date.now() / 1000);
  const body = { iss: "urn:jazz:local-first", sub: k.userId, aud: normalizeAudience(APP), jazz_pub_key: b64(k.pub), iat: now, exp: now + 600, ...claims };
  for (const key of Object.keys(body)) if ((body as Record<string, unknown>)[key] === undefined) delete (body as Record<string, unknown>)[key];
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(body))}`;
  return `${input}.${b64(sign(null, Buffer.from(input), k.privateKey))}`;
}

async function connectWith(server: ServerProcess, auth: HandshakeAuth, opts: { useHeaders?: boolean } = {}): Promise<RecordingClient> {
  const c = recordingClient(server.url, APP, { auth, userId: "", ...opts });
  await until(() => c.auth.length > 0, "an auth verdict");
  return c;
}

async function refused(server: ServerProcess, auth: HandshakeAuth, opts: { useHeaders?: boolean } = {}) {
  const c = await connectWith(server, auth, opts);
  const verdict = c.auth[0]!;
  await until(() => c.link.status === "unauthorized", "unauthorized status");
  await c.close();
  return verdict;
}

describe("hostile tokens are refused over the wire", () => {
  let server: ServerProcess;
  let rsa: { publicKey: KeyObject; privateKey: KeyObject };
  beforeAll(async () => {
    rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = rsa.publicKey.export({ type: "spki", format: "pem" }).toString();
    server = await startServerProcess({ appId: APP, args: ["--jwt-public-key", pem, "--backend-secret", "backend-s3cret", "--admin-secret", "admin-s3cret"] });
  });
  afterAll(async () => {
    await server.stop();
  });

  const k = lfKey();
  const other = lfKey();
  const now = Math.floor(Date.now() / 1000);
  const valid = lfToken(k);
  const [h, p, s] = valid.split(".");
  const hostile: [string, () => HandshakeAuth, "invalid" | "expired" | "missing" | "disabled"][] = [
    ["no credentials at all", () => ({}), "missing"],
    ["an empty token", () => ({ token: "" }), "invalid"],
    ["garbage", () => ({ token: "not a jwt" }), "invalid"],
    ["three random segments", () => ({ token: "abc.def.ghi" }), "invalid"],
    ['alg "none" with no signature', () => ({ token: lfToken(k, {}, { alg: "none", typ: "JWT" }).split(".").slice(0, 2).join(".") + "." }), "invalid"],
    ['alg "none" header on a signed token', () => ({ token: lfToken(k, {}, { alg: "none" }) }), "invalid"],
    ["a tampered payload (sub of another user)", () => ({ token: `${h}.${b64(JSON.stringify({ ...JSON.parse(Buffer.from(p!, "base64url").toString()), sub: other.userId }))}.${s}` }), "invalid"],
    ["a signature from another key", () => ({ token: `${h}.${p}.${lfToken(other).split(".")[2]}` }), "invalid"],
    ["sub that does not match jazz_pub_key", () => ({ token: lfToken(k, { sub: other.userId }) }), "invalid"],
    ["another app's audience", () => ({ token: lfToken(k, { aud: normalizeAudience("another-app") }) }), "invalid"],
    ["an extra claim", () => ({ token: lfToken(k, { admin: true }) }), "invalid"],
    ["a lifetime over 3600 s", () => ({ token: lfToken(k, { iat: now, exp: now + 7200 }) }), "invalid"],
    ["issued in the future", () => ({ token: lfToken(k, { iat: now + 600, exp: now + 1200 }) }), "invalid"],
    ["an expired local-first token", () => ({ token: lfToken(k, { iat: now - 7200, exp: now - 3600 }) }), "expired"],
    ["a padded signature", () => ({ token: valid + "==" }), "invalid"],
    ["a huge token", () => ({ token: "a".repeat(20_000) }), "invalid"],
    ["an external token signed by an unknown RSA key", () => ({ token: "" }), "invalid"],
    ["an HS256 token keyed with the server's public key (alg confusion)", () => ({ token: "" }), "invalid"],
    ["an external token without sub", () => ({ token: "" }), "invalid"],
    ["an expired external token", () => ({ token: "" }), "expired"],
    ["an external token without exp", () => ({ token: "" }), "invalid"],
    ["an external token living ten years", () => ({ token: "" }), "invalid"],
    ["an external token for another app (aud)", () => ({ token: "" }), "invalid"],
    ["an external token without aud", () => ({ token: "" }), "invalid"],
    ["an external token issued in the future", () => ({ token: "" }), "invalid"],
    ["a wrong backend secret", () => ({ backendSecret: "nope", session: { user_id: "alice" } }), "invalid"],
    ["a backend session without user_id", () => ({ backendSecret: "backend-s3cret", session: { user_id: "" } }), "invalid"],
    ["a wrong admin secret", () => ({ adminSecret: "nope" }), "invalid"],
  ];

  async function externalToken(name: string): Promise<string> {
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const t = Math.floor(Date.now() / 1000);
    if (name.includes("unknown RSA key")) return new SignJWT({ sub: "u1" }).setProtectedHeader({ alg: "RS256" }).setIssuedAt().setExpirationTime("10m").sign(stranger.privateKey);
    if (name.includes("alg confusion")) {
      const pem = rsa.publicKey.export({ type: "spki", format: "pem" }).toString();
      return new SignJWT({ sub: "u1" }).setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime("10m").sign(new TextEncoder().encode(pem));
    }
    if (name.includes("without sub")) return new SignJWT({ role: "x" }).setProtectedHeader({ alg: "RS256" }).setAudience(APP).setIssuedAt().setExpirationTime("10m").sign(rsa.privateKey);
    const signed = (f: (j: SignJWT) => SignJWT) => f(new SignJWT({ sub: "u1" }).setProtectedHeader({ alg: "RS256" })).sign(rsa.privateKey);
    if (name.includes("without exp")) return signed((j) => j.setAudience(APP).setIssuedAt());
    if (name.includes("ten years")) return signed((j) => j.setAudience(APP).setIssuedAt().setExpirationTime(t + 10 * 365 * 86_400));
    if (name.includes("another app")) return signed((j) => j.setAudience("some-other-app").setIssuedAt().setExpirationTime("10m"));
    if (name.includes("without aud")) return signed((j) => j.setIssuedAt().setExpirationTime("10m"));
    if (name.includes("in the future")) return signed((j) => j.setAudience(APP).setIssuedAt(t + 3600).setExpirationTime(t + 4000));
    return signed((j) => j.setAudience(APP).setIssuedAt(t - 7200).setExpirationTime(t - 3600));
  }

  it.each(hostile)("refuses %s", async (name, make, reason) => {
    let auth = make();
    if (name.includes("external") || name.includes("alg confusion")) auth = { token: await externalToken(name) };
    const verdict = await refused(server, auth);
    expect(verdict.session).toBeNull();
    expect(verdict.error).toBe(reason);
  });

  it("refuses hostile tokens sent in the Authorization header too", async () => {
    const verdict = await refused(server, { token: lfToken(k, { sub: other.userId }) }, { useHeaders: true });
    expect(verdict.error).toBe("invalid");
  });

  it("accepts a bearer token offered as a WebSocket subprotocol (browsers), never echoing it", async () => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/apps/${APP}/ws`, ["jazz-sync.v1", `jazz-bearer.${valid}`]);
    const first = await new Promise<Record<string, unknown>>((res, rej) => {
      ws.on("open", () => ws.send(JSON.stringify({ t: "hello", v: 1, clientId: "sp", auth: {} })));
      ws.on("message", (d) => res(JSON.parse(String(d))));
      ws.on("error", rej);
    });
    expect(ws.protocol).toBe("jazz-sync.v1");
    expect(first).toMatchObject({ t: "welcome", session: { user_id: k.userId } });
    ws.close();
  });

  it("answers an unknown protocol version with incompatible_protocol (close 4002)", async () => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/apps/${APP}/ws`);
    const [msg, code] = await new Promise<[Record<string, unknown>, number]>((res) => {
      let m: Record<string, unknown> = {};
      ws.on("open", () => ws.send(JSON.stringify({ t: "hello", v: 99, clientId: "old", auth: { token: valid } })));
      ws.on("message", (d) => (m = JSON.parse(String(d))));
      ws.on("close", (c) => res([m, c]));
    });
    expect(msg).toMatchObject({ t: "error", code: "incompatible_protocol" });
    expect(code).toBe(4002);
  });

  it("accepts the valid local-first token (control), with sub recomputed from the key", async () => {
    const c = await connectWith(server, { token: valid });
    expect(c.auth[0]).toMatchObject({ session: { user_id: k.userId, authMode: "local-first" } });
    await c.close();
  });

  it("accepts an external JWT verified with the public key: sub verbatim, claims kept", async () => {
    const token = await new SignJWT({ sub: "auth0|alice", claims: { role: "manager" } }).setProtectedHeader({ alg: "RS256" }).setAudience(APP).setIssuedAt().setExpirationTime("10m").sign(rsa.privateKey);
    const c = await connectWith(server, { token });
    expect(c.auth[0]!.session).toMatchObject({ user_id: "auth0|alice", authMode: "external", claims: { role: "manager", subject: "auth0|alice" } });
    const b = insertTodo("auth0|alice", rowId(), { title: "external", owner: "alice" });
    c.link.push(b);
    await until(() => c.fateOf(b.batchId), "fate");
    expect(c.fateOf(b.batchId)?.kind).toBe("accepted");
    await c.close();
  });

  it("backend impersonation takes priority over a bearer token; backend alone is the system principal", async () => {
    const c = await connectWith(server, { token: valid, backendSecret: "backend-s3cret", session: { user_id: "impersonated" } }, { useHeaders: true });
    expect(c.auth[0]!.session).toMatchObject({ user_id: "impersonated" });
    await c.close();
    const sys = await connectWith(server, { backendSecret: "backend-s3cret" });
    expect(sys.auth[0]!.session).toMatchObject({ user_id: "jazz:system" });
    // The system principal may attribute writes to anyone (withAttribution).
    const b = insertTodo("someone", rowId(), { title: "attributed", owner: "x" });
    sys.link.push(b);
    await until(() => sys.fateOf(b.batchId), "fate");
    expect(sys.fateOf(b.batchId)?.kind).toBe("accepted");
    await sys.close();
  });

  it("the admin secret opens an admin session", async () => {
    const c = await connectWith(server, { adminSecret: "admin-s3cret" });
    expect(c.auth[0]!.session).toMatchObject({ user_id: "jazz:admin" });
    await c.close();
  });

  it("an expired token recovers with a fresh one, keeping queued writes", async () => {
    const secret = generateAuthSecret();
    const expired = mintLocalFirstToken(secret, { audience: APP, now: Date.now() - 2 * 3600_000 });
    const c = recordingClient(server.url, APP, { auth: { token: expired }, userId: deriveLocalFirstIdentity(secret).userId });
    await until(() => c.link.status === "unauthorized", "refused");
    expect(c.auth[0]!.error).toBe("expired");
    const b = insertTodo(c.userId, rowId(), { title: "queued while unauthorized", owner: "q" });
    c.link.push(b);
    c.link.updateAuth({ token: mintLocalFirstToken(secret, { audience: APP }) });
    await until(() => c.fateOf(b.batchId), "fate after recovery");
    expect(c.fateOf(b.batchId)?.kind).toBe("accepted");
    expect(c.link.status).toBe("connected");
    await c.close();
  });

  it("a live connection is told when its token expires", async () => {
    const secret = generateAuthSecret();
    // iat 3598 s ago, ttl 3600 s: expires about 2 s from now.
    const token = mintLocalFirstToken(secret, { audience: APP, now: Date.now() - 3598_000 });
    const c = recordingClient(server.url, APP, { auth: { token } });
    await until(() => c.link.status === "connected", "connected");
    await until(() => c.auth.some((e) => e.error === "expired"), "expiry reported", 10_000);
    await c.close();
  });
});

describe("JWKS: cached, refreshed on an unknown kid", () => {
  let jwksServer: Server;
  let server: ServerProcess;
  let keys: { kid: string; privateKey: KeyObject; publicKey: KeyObject }[] = [];
  let fetches = 0;
  beforeAll(async () => {
    const mk = (kid: string) => ({ kid, ...generateKeyPairSync("ec", { namedCurve: "P-256" }) });
    keys = [mk("k1")];
    jwksServer = createServer(async (_req, res) => {
      fetches++;
      const jwks = { keys: await Promise.all(keys.map(async (k) => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, alg: "ES256", use: "sig" }))) };
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(jwks));
    });
    await new Promise<void>((r) => jwksServer.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    server = await startServerProcess({ appId: APP, env: { JAZZ_JWKS_URL: url } });
  });
  afterAll(async () => {
    await server.stop();
    jwksServer.close();
  });

  const tokenFor = (k: { kid: string; privateKey: KeyObject }, sub: string) =>
    new SignJWT({ sub }).setProtectedHeader({ alg: "ES256", kid: k.kid }).setAudience(APP).setIssuedAt().setExpirationTime("10m").sign(k.privateKey);

  it("verifies with the fetched key set, caches it, and refetches for a new kid", async () => {
    const c1 = await connectWith(server, { token: await tokenFor(keys[0]!, "user-1") });
    expect(c1.auth[0]!.session).toMatchObject({ user_id: "user-1", authMode: "external" });
    const c2 = await connectWith(server, { token: await tokenFor(keys[0]!, "user-2") });
    expect(c2.auth[0]!.session).toMatchObject({ user_id: "user-2" });
    expect(fetches).toBe(1);
    // The IdP rotates: a new kid appears.
    const rotated = { kid: "k2", ...generateKeyPairSync("ec", { namedCurve: "P-256" }) };
    keys.push(rotated);
    // Unknown-kid refetches are rate-limited (2 s) so junk tokens cannot hammer the IdP.
    await new Promise((r) => setTimeout(r, 2100));
    const c3 = await connectWith(server, { token: await tokenFor(rotated, "user-3") });
    expect(c3.auth[0]!.session).toMatchObject({ user_id: "user-3" });
    expect(fetches).toBe(2);
    await Promise.all([c1.close(), c2.close(), c3.close()]);
  });
});

describe("production mode without --allow-local-first-auth", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ appId: APP, env: { NODE_ENV: "production" } });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("refuses local-first tokens as disabled, and external tokens when no key is configured", async () => {
    expect((await refused(server, { token: lfToken(lfKey()) })).error).toBe("disabled");
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const ext = await new SignJWT({ sub: "x" }).setProtectedHeader({ alg: "ES256" }).setIssuedAt().setExpirationTime("5m").sign(privateKey);
    expect((await refused(server, { token: ext })).error).toBe("disabled");
  });
});
