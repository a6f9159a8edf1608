// `--name <number>` flags of the benchmark scripts (the default when absent).
/** The script's own arguments. */
export const args = process.argv.slice(2);

export function numberFlag(name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}
