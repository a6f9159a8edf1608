// Test helper: creates app tables in the layout.ts shape for store tests, so they do not depend
// on the SQL compiler's DDL. Production code uses createTableStatements (engine/ddl.ts).
import type { SqlDriver } from "../../sql/driver.ts";
import type { RuntimeSchema } from "../../schema/runtime.ts";
import { quoteIdent, SYS } from "../layout.ts";

export function createLayoutTablesForTest(driver: SqlDriver, schema: RuntimeSchema): void {
  for (const [name, t] of Object.entries(schema.tables)) {
    const cols = Object.keys(t.columns).map((c) => `${quoteIdent(c)}`);
    const sys = [SYS.createdBy, SYS.createdAt, SYS.updatedBy, SYS.updatedAt, SYS.ts, SYS.batch, SYS.clocks, SYS.deletedAt].map(quoteIdent);
    driver.exec(`CREATE TABLE IF NOT EXISTS ${quoteIdent(name)} (id TEXT PRIMARY KEY, ${[...cols, ...sys].join(", ")})`);
  }
}
