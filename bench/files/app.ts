// The file tables the files benchmarks use (the conventional shapes the docs declare).
import { schema as s } from "../../packages/core/src/index.ts";

export const filesApp = s.defineApp({
  file_parts: s.table({ data: s.bytes() }),
  files: s.table({ name: s.string().optional(), mimeType: s.string(), partIds: s.array(s.ref("file_parts")), partSizes: s.array(s.int()) }),
});
