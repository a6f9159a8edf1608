// Every named error the package exports shares one base, JazzError, with a stable `code`.
import { describe, expect, it } from "vitest";
import * as main from "./index.ts";
import * as passphrase from "./passphrase.ts";
import * as passkey from "./passkey-backup.ts";
import * as backend from "./backend.ts";
import * as permissions from "./permissions.ts";

const errorClasses = (mod: Record<string, unknown>) =>
  Object.entries(mod).filter(([name, v]) => name.endsWith("Error") && name !== "JazzError" && typeof v === "function") as [string, { prototype: object }][];

describe("named errors", () => {
  it("every exported error class extends JazzError", () => {
    const all = [main, passphrase, passkey, backend, permissions].flatMap((m) => errorClasses(m as Record<string, unknown>));
    expect(all.length).toBeGreaterThan(25);
    for (const [name, cls] of all) expect(cls.prototype instanceof main.JazzError, name).toBe(true);
  });

  it("carry a snake_case code apps can branch on", () => {
    expect(new main.DbConfigError("x").code).toBe("db_config");
    expect(new main.DbClosedError().code).toBe("db_closed");
    expect(new main.UnknownTableError("t", []).code).toBe("unknown_table");
    expect(new main.QueryError("x").code).toBe("query");
    expect(new main.AuthSecretError("x").code).toBe("auth_secret");
    expect(new main.PersistedWriteRejectedError("b", "forbidden", "no").code).toBe("forbidden");
  });
});
