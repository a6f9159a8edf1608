// The plain-Node consumer: `npx jazz-tools server` from the installed tarball, two Node
// clients syncing through it, no loader, and no better-sqlite3 (SQLite on wasm, in memory and in a file). Run from the consumer folder (outside the repo).
import { spawn } from "node:child_process";
import { createDb, schema as s, generateAuthSecret } from "jazz-tools";
import "jazz-tools/backend";
import "jazz-tools/testing";
import { RecoveryPhrase } from "jazz-tools/passphrase";

const app = s.defineApp({ notes: s.table({ text: s.string() }) });
const appId = "consumer-node";
const server = spawn("npx", ["jazz-tools", "server", appId, "--host", "127.0.0.1", "--port", "0", "--in-memory"], {
  stdio: ["ignore", "pipe", "pipe"],
  detached: true, // its own process group: npx and the server it starts stop together
  env: { ...process.env, NODE_ENV: "development" },
});
let out = "";
const serverUrl = await new Promise((res, rej) => {
  server.stdout.on("data", (d) => {
    out += d;
    const m = /listening on (http:\/\/\S+)/.exec(out);
    if (m) res(m[1]);
  });
  server.stderr.on("data", (d) => (out += d));
  server.once("exit", (code) => rej(new Error(`jazz-tools server exited (${code}): ${out}`)));
});
try {
  const secret = generateAuthSecret();
  if (RecoveryPhrase.fromSecret(secret).split(" ").length !== 24) throw new Error("recovery phrase is not 24 words");
  const a = await createDb({ appId, serverUrl, secret });
  const b = await createDb({ appId, serverUrl, secret });
  await a.insert(app.notes, { text: "from a" }).wait({ tier: "edge" });
  const deadline = Date.now() + 15_000;
  let seen = [];
  while (Date.now() < deadline) {
    seen = await b.all(app.notes, { tier: "edge" });
    if (seen.some((n) => n.text === "from a")) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!seen.some((n) => n.text === "from a")) throw new Error(`client b never saw client a's note: ${JSON.stringify(seen)}`);
  await a.shutdown();
  await b.shutdown();
  // A database in a file, without better-sqlite3 (wasm SQLite on node:fs): survives a reopen.
  const file = { appId, secret, driver: { type: "persistent", dbName: "./data.sqlite" } };
  const p1 = await createDb(file);
  p1.insert(app.notes, { text: "kept" });
  await p1.shutdown();
  const p2 = await createDb(file);
  if (!(await p2.all(app.notes)).some((n) => n.text === "kept")) throw new Error("a persistent Db lost its row across a reopen");
  await p2.shutdown();
  console.log("node consumer: two clients synced through npx jazz-tools server");
} finally {
  process.kill(-server.pid, "SIGTERM");
}
process.exit(0);
