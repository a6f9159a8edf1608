// Flag parsing shared by the catalogue commands (deploy, validate, migrations create):
// `--name value` or `--name=value`, positionals in order; anything else is a usage error.
import { UsageError } from "../errors.ts";

export function parseFlags(argv: string[], names: readonly string[], command: string): { flags: Record<string, string>; positional: string[] } {
  const flags: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      const name = eq === -1 ? a : a.slice(0, eq);
      if (!names.includes(name)) throw new UsageError(`unknown option ${name} (see jazz-tools ${command} --help)`);
      const v = eq === -1 ? argv[++i] : a.slice(eq + 1);
      if (v === undefined || v === "") throw new UsageError(`${name} needs a value`);
      flags[name] = v;
    } else if (a.startsWith("-")) throw new UsageError(`unknown option ${a} (see jazz-tools ${command} --help)`);
    else positional.push(a);
  }
  return { flags, positional };
}

/** The admin secret from --admin-secret or JAZZ_ADMIN_SECRET, or undefined. */
export function adminSecretFrom(flags: Record<string, string>, env: Record<string, string | undefined>): string | undefined {
  return flags["--admin-secret"] ?? (env.JAZZ_ADMIN_SECRET || undefined);
}

export const serverUrlFrom = (flags: Record<string, string>, env: Record<string, string | undefined>) =>
  flags["--server-url"] ?? env.JAZZ_SERVER_URL ?? "http://127.0.0.1:1625";
