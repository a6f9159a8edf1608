// Run as a separate process by schema.test.ts: prints the hash of a fixed schema.
import { schema as s, schemaHash } from "../index.ts";

const app = s.defineApp({
  users: s.table({ name: s.string(), age: s.int().optional() }),
  posts: s.table({ title: s.string(), authorId: s.ref("users"), kind: s.enum("a", "b").default("a") }),
});
process.stdout.write(schemaHash(app.wasmSchema));
