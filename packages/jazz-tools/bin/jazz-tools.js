#!/usr/bin/env node
// The jazz-tools CLI. Packages ship TypeScript source, so register tsx before loading it.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("@jazz-tools/server/cli");
const code = await runCli(process.argv.slice(2));
process.exit(code);
