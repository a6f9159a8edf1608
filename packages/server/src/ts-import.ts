// Loading the app's own schema.ts / permissions.ts from Node (jazz-tools deploy, the testing
// helpers). tsx is an optional peer dependency: only these paths need it.
import { MissingDependencyError } from "@jazz-tools/core";

type TsImport = (specifier: string, parent: string) => Promise<unknown>;

export async function importTypeScript(path: string): Promise<Record<string, unknown>> {
  let tsImport: TsImport;
  try {
    ({ tsImport } = (await import("tsx/esm/api")) as { tsImport: TsImport });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") throw new MissingDependencyError("tsx", `Loading ${path}`);
    throw e;
  }
  // tsImport loads TypeScript whatever the project's module type, fresh on every call.
  return (await tsImport(path, import.meta.url)) as Record<string, unknown>;
}
