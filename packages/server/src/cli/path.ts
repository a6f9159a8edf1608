// Where the `jazz-tools` CLI script is, for code that starts it as a child process (the test
// helpers' startServerProcess, the Vite dev plugin). In the monorepo it is the source launcher
// (bin/dev.js, TypeScript through tsx); the built package swaps in path.dist.ts.
import { fileURLToPath } from "node:url";

export const CLI_PATH: string = fileURLToPath(new URL("../../../jazz-tools/bin/dev.js", import.meta.url));
