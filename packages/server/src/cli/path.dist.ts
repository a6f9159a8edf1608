// The built package's CLI script: every bundled chunk sits in dist/, beside ../bin.
import { fileURLToPath } from "node:url";

export const CLI_PATH: string = fileURLToPath(new URL("../bin/jazz-tools.js", import.meta.url));
