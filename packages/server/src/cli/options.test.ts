import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseServerArgs, SERVER_HELP, type ServerOptions } from "./options.ts";
import { UsageError } from "../errors.ts";

const parse = (argv: string[], env: Record<string, string> = {}) => parseServerArgs(argv, env) as ServerOptions;

describe("jazz-tools server options", () => {
  it("uses the documented defaults", () => {
    const o = parse(["my-app"]);
    expect(o).toMatchObject({ appId: "my-app", port: 1625, dataDir: "./data", inMemory: false, allowLocalFirstAuth: true, production: false });
    expect(o.jwksUrl).toBeUndefined();
    expect(o.adminSecret).toBeUndefined();
  });

  it("reads every flag, short and long, and --flag=value", () => {
    const o = parse(["app", "-p", "9000", "-d", "/tmp/x", "--in-memory", "--backend-secret=b", "--admin-secret", "a", "--jwks-url", "https://idp.example/jwks"]);
    expect(o).toMatchObject({ port: 9000, dataDir: "/tmp/x", inMemory: true, backendSecret: "b", adminSecret: "a", jwksUrl: "https://idp.example/jwks" });
    expect(parse(["app", "--port", "1", "--data-dir", "d"])).toMatchObject({ port: 1, dataDir: "d" });
  });

  it("reads the per-query time budget from --max-query-ms or JAZZ_MAX_QUERY_MS, and refuses a non-positive one", () => {
    expect(parse(["app", "--max-query-ms", "500"]).maxQueryMs).toBe(500);
    expect(parse(["app"], { JAZZ_MAX_QUERY_MS: "750" }).maxQueryMs).toBe(750);
    expect(parse(["app"]).maxQueryMs).toBeUndefined(); // the service's default (2000) applies
    expect(() => parse(["app", "--max-query-ms", "0"])).toThrowError(UsageError);
    expect(parse(["app", "--max-frame-bytes", "65536"]).maxFrameBytes).toBe(65536);
    expect(parse(["app"], { JAZZ_MAX_FRAME_BYTES: "1024" }).maxFrameBytes).toBe(1024);
  });

  it("reads the documented environment variables; flags win", () => {
    const env = { JAZZ_JWKS_URL: "https://e/jwks", JAZZ_BACKEND_SECRET: "eb", JAZZ_ADMIN_SECRET: "ea" };
    expect(parse(["app"], env)).toMatchObject({ jwksUrl: "https://e/jwks", backendSecret: "eb", adminSecret: "ea" });
    expect(parse(["app", "--admin-secret", "flag"], env).adminSecret).toBe("flag");
  });

  it("local-first auth: on in development, off in production unless allowed", () => {
    expect(parse(["app"], { NODE_ENV: "production" }).allowLocalFirstAuth).toBe(false);
    expect(parse(["app", "--allow-local-first-auth"], { NODE_ENV: "production" }).allowLocalFirstAuth).toBe(true);
    expect(parse(["app"], { NODE_ENV: "production", JAZZ_ALLOW_LOCAL_FIRST_AUTH: "true" }).allowLocalFirstAuth).toBe(true);
    expect(parse(["app"], { JAZZ_ALLOW_LOCAL_FIRST_AUTH: "false" }).allowLocalFirstAuth).toBe(false);
    expect(parse(["app"], { NODE_ENV: "production" }).production).toBe(true);
  });

  it("accepts a JWK or PEM public key inline or from a file", () => {
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const jwk = JSON.stringify(publicKey.export({ format: "jwk" }));
    expect(parse(["app", "--jwt-public-key", jwk]).jwtPublicKey).toBe(jwk);
    expect(parse(["app", "--jwt-public-key", pem]).jwtPublicKey).toBe(pem.trim());
    const file = join(mkdtempSync(join(tmpdir(), "jazz-key-")), "key.pem");
    writeFileSync(file, pem);
    expect(parse(["app", "--jwt-public-key", file]).jwtPublicKey).toBe(pem.trim());
    expect(parse(["app"], { JAZZ_JWT_PUBLIC_KEY: jwk }).jwtPublicKey).toBe(jwk);
  });

  it.each([
    [[], /missing <APP_ID>/],
    [["app", "--nope"], /unknown option --nope/],
    [["app", "--port"], /--port needs a value/],
    [["app", "--port", "http"], /--port must be an integer/],
    [["app", "--port", "70000"], /--port must be an integer/],
    [["app", "app"], /given twice/],
    [["app", "--jwks-url", "https://a/jwks", "--jwt-public-key", "{}"], /cannot be used together/],
    [["app", "--jwks-url", "not a url"], /not a valid URL/],
    [["app", "--jwt-public-key", "/no/such/key.pem"], /neither a JWK JSON object, a PEM key nor an existing file/],
  ])("refuses %j with a UsageError", (argv, message) => {
    expect(() => parseServerArgs(argv as string[], {})).toThrow(UsageError);
    expect(() => parseServerArgs(argv as string[], {})).toThrow(message);
  });

  it("refuses --jwks-url combined with JAZZ_JWT_PUBLIC_KEY", () => {
    expect(() => parseServerArgs(["app", "--jwks-url", "https://a/j"], { JAZZ_JWT_PUBLIC_KEY: "{}" })).toThrow(/cannot be used together/);
  });

  it("--durability full|normal from the flag or JAZZ_DURABILITY (flag wins), normal by default; anything else is a usage error", () => {
    expect(parse(["app"]).durability).toBe("normal");
    expect(parse(["app", "--durability", "full"]).durability).toBe("full");
    expect(parse(["app", "--durability=NORMAL"]).durability).toBe("normal");
    expect(parse(["app"], { JAZZ_DURABILITY: "full" }).durability).toBe("full");
    expect(parse(["app", "--durability", "normal"], { JAZZ_DURABILITY: "full" }).durability).toBe("normal");
    expect(() => parse(["app", "--durability", "fsync"])).toThrow(UsageError);
    expect(() => parse(["app", "--durability", "fsync"])).toThrow('--durability must be "full" or "normal", got "fsync"');
    expect(() => parse(["app"], { JAZZ_DURABILITY: "off" })).toThrow(/JAZZ_DURABILITY must be "full" or "normal"/);
  });

  it("--help is recognised and the help documents every option", () => {
    expect(parseServerArgs(["--help"], {})).toBe("help");
    for (const flag of ["--port", "--data-dir", "--in-memory", "--jwks-url", "--jwt-public-key", "--allow-local-first-auth", "--backend-secret", "--admin-secret", "--upstream-url", "--peer-secret", "--durability"]) {
      expect(SERVER_HELP).toContain(flag);
    }
    for (const env of ["JAZZ_JWKS_URL", "JAZZ_JWT_PUBLIC_KEY", "JAZZ_ALLOW_LOCAL_FIRST_AUTH", "JAZZ_BACKEND_SECRET", "JAZZ_ADMIN_SECRET", "JAZZ_UPSTREAM_URL", "JAZZ_PEER_SECRET", "JAZZ_DURABILITY", "1625", "./data"]) {
      expect(SERVER_HELP).toContain(env);
    }
  });

  it("edge mode: --upstream-url with --peer-secret and --admin-secret, from flags or env", () => {
    expect(parse(["app", "--upstream-url", "http://core:1625", "--peer-secret", "p", "--admin-secret", "a"])).toMatchObject({
      upstreamUrl: "http://core:1625",
      peerSecret: "p",
      adminSecret: "a",
    });
    expect(parse(["app"], { JAZZ_UPSTREAM_URL: "wss://core.example", JAZZ_PEER_SECRET: "ep", JAZZ_ADMIN_SECRET: "ea" })).toMatchObject({
      upstreamUrl: "wss://core.example",
      peerSecret: "ep",
    });
    // A core only needs the peer secret, to accept edges.
    expect(parse(["app", "--peer-secret", "p"])).toMatchObject({ peerSecret: "p", upstreamUrl: undefined });
  });

  it("edge mode refuses a missing peer or admin secret and a bad URL", () => {
    expect(() => parseServerArgs(["app", "--upstream-url", "http://core", "--admin-secret", "a"], {})).toThrow(/--upstream-url requires --peer-secret/);
    expect(() => parseServerArgs(["app", "--upstream-url", "http://core", "--peer-secret", "p"], {})).toThrow(/--upstream-url requires --admin-secret/);
    expect(() => parseServerArgs(["app", "--peer-secret", "p", "--admin-secret", "a"], { JAZZ_UPSTREAM_URL: "http://core" })).not.toThrow();
    expect(() => parseServerArgs(["app", "--upstream-url", "core:1625", "--peer-secret", "p", "--admin-secret", "a"], {})).toThrow(UsageError);
    expect(() => parseServerArgs(["app", "--upstream-url", "ftp://core", "--peer-secret", "p", "--admin-secret", "a"], {})).toThrow(/http\(s\):\/\/ or ws\(s\):\/\//);
  });
});
