// A piece of SQL with its positional parameters. Fragments are only ever concatenated in
// textual order, so `?` placeholders and params stay aligned; values never enter the SQL text.

import type { SqlValue } from "../../sql/driver.ts";

export interface Frag {
  sql: string;
  params: SqlValue[];
}

export type Part = string | Frag;

export function cat(...parts: Part[]): Frag {
  let sql = "";
  const params: SqlValue[] = [];
  for (const p of parts) {
    if (typeof p === "string") sql += p;
    else {
      sql += p.sql;
      for (const v of p.params) params.push(v);
    }
  }
  return { sql, params };
}

export function param(v: SqlValue): Frag {
  return { sql: "?", params: [v] };
}

/** Join fragments with a separator (e.g. " AND "); an empty list gives `empty`. */
export function join(frags: Part[], sep: string, empty = ""): Frag {
  if (frags.length === 0) return { sql: empty, params: [] };
  const parts: Part[] = [];
  frags.forEach((f, i) => {
    if (i) parts.push(sep);
    parts.push(f);
  });
  return cat(...parts);
}
