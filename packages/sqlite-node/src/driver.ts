import Database from "better-sqlite3";
import type { SqlDriver, SqlValue } from "@jazz-tools/core";

/** A SqlDriver over better-sqlite3. `filename` ":memory:" (default) or a file path. */
export function createNodeSqlDriver(filename = ":memory:"): SqlDriver {
  const db = new Database(filename);
  if (filename !== ":memory:") {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
  }
  db.defaultSafeIntegers(false);
  const cache = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let st = cache.get(sql);
    if (!st) {
      st = db.prepare(sql);
      cache.set(sql, st);
    }
    return st;
  };
  return {
    exec(sql) {
      db.exec(sql);
    },
    run(sql, params = []) {
      return prepare(sql).run(...(params as SqlValue[])).changes;
    },
    all(sql, params = []) {
      const st = prepare(sql);
      if (!st.reader) {
        st.run(...(params as SqlValue[]));
        return [];
      }
      return st.raw(true).all(...(params as SqlValue[])) as SqlValue[][];
    },
    serialize() {
      return new Uint8Array(db.serialize());
    },
    deserialize(_image) {
      throw new Error("deserialize is not supported by the Node driver; open a file instead");
    },
    close() {
      cache.clear();
      if (db.open) db.close();
    },
  };
}
