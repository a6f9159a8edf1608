// Equality of a json column with a value, whatever key order the stored text uses. Primitives
// have one JSON text, so they compare as text. Objects and arrays compare as text first (the
// fast, usual case) and otherwise structurally: the stored value has exactly as many nodes
// (json_tree) as the query value, and every node of the query value exists in it at the same
// path with the same type and value, which together imply equality.

import { canonicalJson } from "../../engine/decode.ts";
import { cat, join, param, type Frag, type Part } from "./frag.ts";

const MAX_NODES = 256; // beyond this, text comparison only (keeps the SQL small)

/** The JSON texts a stored value equal to `v` most likely has: as given and key-sorted. */
export function jsonTexts(v: unknown): string[] {
  const given = JSON.stringify(v);
  const canon = canonicalJson(v);
  return given === canon ? [canon] : [given, canon];
}

export function jsonEquals(col: Frag, v: unknown): Frag {
  const text = cat(col, " IN (", join(jsonTexts(v).map(param), ", "), ")");
  if (v === null || typeof v !== "object") return text;
  const checks: Frag[] = [];
  let nodes = 0;
  let ok = true;
  const at = (path: string, sql: string, ...extra: Part[]) =>
    checks.push(cat("json_type(", col, ", ", param(path), `)${sql}`, ...extra));
  const walk = (x: unknown, path: string): void => {
    if (!ok || ++nodes > MAX_NODES) return void (ok = false);
    if (x === null) at(path, " = 'null'");
    else if (typeof x === "boolean") at(path, x ? " = 'true'" : " = 'false'");
    else if (typeof x === "number") at(path, " IN ('integer', 'real') AND json_extract(", col, ", ", param(path), ") = ", param(x));
    else if (typeof x === "string") at(path, " = 'text' AND json_extract(", col, ", ", param(path), ") = ", param(x));
    else if (Array.isArray(x)) {
      at(path, " = 'array'");
      x.forEach((e, i) => walk(e, `${path}[${i}]`));
    } else if (typeof x === "object") {
      at(path, " = 'object'");
      for (const [k, e] of Object.entries(x as Record<string, unknown>)) {
        // SQLite JSON paths cannot escape these; such keys compare as text only.
        if (/["\\]/.test(k)) return void (ok = false);
        if (e !== undefined) walk(e, `${path}."${k}"`);
      }
    } else ok = false;
  };
  walk(v, "$");
  if (!ok) return text;
  const structural = cat("(SELECT count(*) FROM json_tree(", col, ")) = ", param(nodes), " AND ", join(checks, " AND "));
  return cat("(", text, " OR (json_valid(", col, ") AND ", structural, "))");
}
