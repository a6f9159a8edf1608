#!/usr/bin/env node
// The jazz-tools CLI: the compiled package (dist/cli.js), plain Node, no loader.
const { runCli } = await import("../dist/cli.js");
process.exit(await runCli(process.argv.slice(2)));
