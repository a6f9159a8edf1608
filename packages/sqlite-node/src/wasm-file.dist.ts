// The built package: dist/wa-sqlite.wasm, beside every chunk.
import { fileURLToPath } from "node:url";

export function waSqliteWasmPath(): string {
  return fileURLToPath(new URL("./wa-sqlite.wasm", import.meta.url));
}
