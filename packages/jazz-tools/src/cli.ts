// The `jazz-tools` command (bin/jazz-tools.js runs the compiled form of this module).
export { runCli } from "@jazz-tools/server/cli";
