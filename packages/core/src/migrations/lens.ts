// A lens: the declarative difference between two schema versions, enough to translate a row
// written under either version into the other. It is JSON (published to the server and kept
// with every schema version) and is never applied to what is stored: rows are translated as
// they travel between replicas on different versions.

import type { ColumnType } from "../schema/runtime.ts";
import { MigrationError } from "./errors.ts";

export type ColumnLens =
  /** `column` exists only in the newer version; older rows read `default` (schema JSON form). */
  | { op: "add"; column: string; type: ColumnType; default: unknown }
  /** `column` exists only in the older version; newer rows read `backwardsDefault` there. */
  | { op: "drop"; column: string; type: ColumnType; backwardsDefault: unknown }
  /** The older version's `from` is the newer version's `column`. */
  | { op: "rename"; column: string; from: string };

export interface TableLens {
  /** The table's name in the newer version (in the older one for a dropped table). */
  table: string;
  /** The table exists only in the newer version. */
  created?: true;
  /** The table exists only in the older version. */
  dropped?: true;
  /** The older version's name of this table. */
  renamedFrom?: string;
  columns: ColumnLens[];
}

/** One reviewed migration edge between two schema versions (hashes: full, or 12+ hex prefixes). */
export interface MigrationLens {
  fromHash: string;
  toHash: string;
  tables: TableLens[];
  /** A generated stub with an ambiguity left to review; never published. */
  draft?: true;
}

const HASH_RE = /^[0-9a-f]{12,64}$/;

/** Checks the JSON shape of a lens from an untrusted source (a request body, a file). */
export function parseMigrationLens(value: unknown, where = "migration"): MigrationLens {
  const fail = (what: string): never => {
    throw new MigrationError(`${where}: ${what}`);
  };
  if (!value || typeof value !== "object" || Array.isArray(value)) fail("expected an object { fromHash, toHash, tables }");
  const v = value as Record<string, unknown>;
  for (const k of ["fromHash", "toHash"] as const) {
    if (typeof v[k] !== "string" || !HASH_RE.test(v[k] as string)) fail(`${k} must be 12 to 64 lowercase hex characters`);
  }
  if (!Array.isArray(v.tables)) fail("tables must be an array");
  const tables = (v.tables as unknown[]).map((t, i): TableLens => {
    if (!t || typeof t !== "object") fail(`tables[${i}] must be an object`);
    const tl = t as Record<string, unknown>;
    if (typeof tl.table !== "string" || !tl.table) fail(`tables[${i}].table must be a table name`);
    if (tl.renamedFrom !== undefined && typeof tl.renamedFrom !== "string") fail(`tables[${i}].renamedFrom must be a table name`);
    const cols = tl.columns ?? [];
    if (!Array.isArray(cols)) fail(`tables[${i}].columns must be an array`);
    const columns = (cols as unknown[]).map((c, j): ColumnLens => {
      const cl = (c ?? {}) as Record<string, unknown>;
      const at = `tables[${i}].columns[${j}]`;
      if (typeof cl.column !== "string" || !cl.column) fail(`${at}.column must be a column name`);
      if (cl.op === "rename") {
        if (typeof cl.from !== "string" || !cl.from) fail(`${at}.from must be a column name`);
        return { op: "rename", column: cl.column as string, from: cl.from as string };
      }
      if (cl.op === "add" || cl.op === "drop") {
        if (!cl.type || typeof cl.type !== "object") fail(`${at}.type must be a column type`);
        const key = cl.op === "add" ? "default" : "backwardsDefault";
        if (!(key in cl)) fail(`${at} needs ${key}`);
        return cl.op === "add"
          ? { op: "add", column: cl.column as string, type: cl.type as ColumnType, default: cl.default }
          : { op: "drop", column: cl.column as string, type: cl.type as ColumnType, backwardsDefault: cl.backwardsDefault };
      }
      return fail(`${at}.op must be "add", "drop" or "rename"`);
    });
    return {
      table: tl.table as string,
      ...(tl.created === true ? { created: true as const } : {}),
      ...(tl.dropped === true ? { dropped: true as const } : {}),
      ...(typeof tl.renamedFrom === "string" ? { renamedFrom: tl.renamedFrom } : {}),
      columns,
    };
  });
  return { fromHash: v.fromHash as string, toHash: v.toHash as string, tables, ...(v.draft === true ? { draft: true as const } : {}) };
}

/** One step of a path: a lens walked forward (older → newer) or backward. */
export interface LensStep {
  lens: MigrationLens;
  forward: boolean;
}

/** Where one column of the target version takes its value from in the source version's rows. */
export interface ColumnSource {
  /** The column's name in the source rows. */
  from: string;
  /** Used on insert when the source row lacks `from` (schema JSON form); undefined = none. */
  default?: unknown;
  type?: ColumnType;
}

/**
 * Maps, for one table of the target version, each of its columns to its source. Walks the path
 * from the target back to the source: a rename swaps the name, a column the earlier version
 * lacks gets that step's default (and keeps its name, so a value present anyway still wins).
 */
export function columnSources(steps: readonly LensStep[], targetTable: string, targetColumns: readonly string[]): { table: string; columns: Map<string, ColumnSource> } {
  let table = targetTable;
  const out = new Map<string, ColumnSource>(targetColumns.map((c) => [c, { from: c }]));
  for (let i = steps.length - 1; i >= 0; i--) {
    const { lens, forward } = steps[i]!;
    // Names on the "later" side of this step (closer to the target) → the earlier side.
    const tl = lens.tables.find((t) => (forward ? t.table === table : (t.renamedFrom ?? t.table) === table));
    if (!tl) continue;
    const earlierTable = forward ? (tl.renamedFrom ?? tl.table) : tl.table;
    for (const src of out.values()) {
      if (src.default !== undefined) continue; // already bottomed out at an introducing step
      for (const c of tl.columns) {
        if (c.op === "rename") {
          const [laterName, earlierName] = forward ? [c.column, c.from] : [c.from, c.column];
          if (src.from === laterName) {
            src.from = earlierName;
            break;
          }
        } else if ((c.op === "add" && forward) || (c.op === "drop" && !forward)) {
          // The later side has c.column, the earlier side does not.
          if (src.from === c.column) {
            src.default = c.op === "add" ? c.default : c.backwardsDefault;
            src.type = c.type;
            break;
          }
        }
      }
    }
    table = earlierTable;
  }
  return { table, columns: out };
}

/** True when a path renames nothing (tables and columns keep their names along it). */
export function isIdentity(steps: readonly LensStep[]): boolean {
  return steps.every(({ lens }) => lens.tables.every((t) => !t.renamedFrom && t.columns.every((c) => c.op !== "rename")));
}

/**
 * The shortest path of lenses between two versions (either direction per edge), or null when
 * none connects them. Hashes are full; a lens's hashes may be prefixes.
 */
export function findLensPath(lenses: readonly MigrationLens[], from: string, to: string): LensStep[] | null {
  if (from === to) return [];
  const matches = (prefix: string, full: string) => full.startsWith(prefix);
  const prev = new Map<string, { node: string; step: LensStep }>();
  const seen = new Set([from]);
  let frontier = [from];
  while (frontier.length) {
    const next: string[] = [];
    for (const node of frontier) {
      for (const lens of lenses) {
        let other: string | null = null;
        let forward = true;
        if (matches(lens.fromHash, node)) other = lens.toHash;
        else if (matches(lens.toHash, node)) {
          other = lens.fromHash;
          forward = false;
        }
        if (other === null) continue;
        // Resolve the other end to a full hash when it is the target's prefix.
        const full = matches(other, to) ? to : other;
        if (seen.has(full)) continue;
        seen.add(full);
        prev.set(full, { node, step: { lens, forward } });
        if (full === to) {
          const path: LensStep[] = [];
          for (let at = to; at !== from; ) {
            const p = prev.get(at)!;
            path.unshift(p.step);
            at = p.node;
          }
          return path;
        }
        next.push(full);
      }
    }
    frontier = next;
  }
  return null;
}
