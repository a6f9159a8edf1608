// Where wa-sqlite's wasm is on disk: in the monorepo, in the wa-sqlite package; the built
// package swaps in wasm-file.dist.ts (its own copy beside the chunks).
import { createRequire } from "node:module";

export function waSqliteWasmPath(): string {
  return createRequire(import.meta.url).resolve("@journeyapps/wa-sqlite/dist/wa-sqlite.wasm");
}
