// Loading the app's own schema.ts / permissions.ts from Node (jazz-tools deploy, the testing
// helpers). Neither loader is a dependency: tsx when it is installed, else Vite's module runner
// (any Vite or Vitest project has it), else a MissingDependencyError naming tsx.
import { MissingDependencyError } from "@jazz-tools/core";

type TsImport = (specifier: string, parent: string) => Promise<unknown>;
type RunnerImport = (specifier: string) => Promise<{ module: unknown }>;

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException)?.code === "ERR_MODULE_NOT_FOUND";

export async function importTypeScript(path: string): Promise<Record<string, unknown>> {
  try {
    const { tsImport } = (await import("tsx/esm/api")) as { tsImport: TsImport };
    // tsImport loads TypeScript whatever the project's module type, fresh on every call.
    return (await tsImport(path, import.meta.url)) as Record<string, unknown>;
  } catch (e) {
    if (!isMissing(e) || !String((e as Error).message).includes("tsx")) throw e;
  }
  let runnerImport: RunnerImport | undefined;
  try {
    ({ runnerImport } = (await import("vite")) as { runnerImport?: RunnerImport });
  } catch (e) {
    if (!isMissing(e)) throw e;
  }
  if (!runnerImport) throw new MissingDependencyError("tsx", `Loading ${path}`);
  return (await runnerImport(path)).module as Record<string, unknown>;
}
