#!/usr/bin/env node
// The CLI from TypeScript sources, for the monorepo's own tests and scripts (never packed: the
// package's `files` leave it out). tsx is a dev dependency here.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../src/cli.ts");
process.exit(await runCli(process.argv.slice(2)));
