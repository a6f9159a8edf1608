// `s.defineMigration` and its operations (`s.add.*`, `s.drop.*`, `s.renameFrom`,
// `s.renameTableFrom`): what a reviewed migration file says, turned into a MigrationLens.

import { Column, type AnyColumn } from "../schema/columns.ts";
import type { ColumnType } from "../schema/runtime.ts";
import { TableDef } from "../schema/table.ts";
import { describeValueMismatch, encodeDefault } from "../schema/values.ts";
import { MigrationError } from "./errors.ts";
import type { ColumnLens, MigrationLens, TableLens } from "./lens.ts";

const OP = Symbol.for("jazz.migrationOp");

export interface AddColumn<T = unknown> {
  readonly [OP]: "add";
  readonly type: ColumnType;
  readonly default: T;
}
export interface DropColumn<T = unknown> {
  readonly [OP]: "drop";
  readonly type: ColumnType;
  readonly backwardsDefault: T;
}
export interface RenameColumn {
  readonly [OP]: "rename";
  readonly from: string;
}
export interface RenameTable {
  readonly [OP]: "renameTable";
  readonly from: string;
}
export type ColumnMigration = AddColumn | DropColumn | RenameColumn;

function typed<K extends "add" | "drop">(kind: K) {
  const key = kind === "add" ? "default" : "backwardsDefault";
  const make = (type: ColumnType, opts: Record<string, unknown> | undefined, what: string) => {
    if (!opts || typeof opts !== "object" || !(key in opts)) {
      throw new MigrationError(`s.${kind}.${what}() needs { ${key}: ... } (the value rows of the ${kind === "add" ? "older" : "newer"} version read)`);
    }
    const value = opts[key];
    if (value !== null) {
      const bad = describeValueMismatch(type, value);
      if (bad) {
        throw new MigrationError(`s.${kind}.${what}(): ${key} ${bad}`);
      }
    }
    return Object.freeze({ [OP]: kind, type, [key]: value }) as unknown as K extends "add" ? AddColumn : DropColumn;
  };
  type O<T> = K extends "add" ? { default: T | null } : { backwardsDefault: T | null };
  return {
    string: (o: O<string>) => make({ kind: "string" }, o, "string"),
    boolean: (o: O<boolean>) => make({ kind: "boolean" }, o, "boolean"),
    int: (o: O<number>) => make({ kind: "int" }, o, "int"),
    float: (o: O<number>) => make({ kind: "float" }, o, "float"),
    timestamp: (o: O<Date | number>) => make({ kind: "timestamp" }, o, "timestamp"),
    bytes: (o: O<Uint8Array>) => make({ kind: "bytes" }, o, "bytes"),
    json: (o: O<unknown>) => make({ kind: "json" }, o, "json"),
    enum: (...args: [...string[], O<string>]) => {
      const opts = args.pop() as O<string>;
      return make({ kind: "enum", variants: [...(args as string[])].sort() }, opts, "enum");
    },
    ref: (table: string, o: O<string>) => make({ kind: "ref", table }, o, "ref"),
    array: (o: { of: AnyColumn } & O<unknown[]>) => {
      if (!(o?.of instanceof Column)) throw new MigrationError(`s.${kind}.array() needs { of: s.string() } (the element column)`);
      return make({ kind: "array", element: o.of._state.type }, o, "array");
    },
  };
}

/** A column the newer schema adds: older rows read `default`. */
export const add = typed("add");
/** A column the newer schema drops: rows written under it read `backwardsDefault` in the older. */
export const drop = typed("drop");

/** The newer schema's column was called `oldName` in the older schema. */
export function renameFrom(oldName: string): RenameColumn {
  if (typeof oldName !== "string" || !oldName) throw new MigrationError("s.renameFrom(oldName) needs the column's old name");
  return Object.freeze({ [OP]: "rename" as const, from: oldName });
}

/** The newer schema's table was called `oldName` in the older schema. */
export function renameTableFrom(oldName: string): RenameTable {
  if (typeof oldName !== "string" || !oldName) throw new MigrationError("s.renameTableFrom(oldName) needs the table's old name");
  return Object.freeze({ [OP]: "renameTable" as const, from: oldName });
}

type Witness = Record<string, TableDef<any>>;

export interface MigrationConfig {
  fromHash: string;
  toHash: string;
  /** The tables of the older schema this migration touches, as they were. */
  from: Witness;
  /** The same tables in the newer schema. */
  to: Witness;
  migrate?: Record<string, Record<string, ColumnMigration>>;
  createTables?: Record<string, true>;
  dropTables?: Record<string, true>;
  renameTables?: Record<string, RenameTable>;
  /** Left by `migrations create` when the diff was ambiguous: review, then delete this line. */
  draft?: boolean;
}

export interface DefinedMigration extends MigrationLens {
  readonly from: Witness;
  readonly to: Witness;
}

function columnType(w: Witness, side: "from" | "to", table: string, column: string): ColumnType | undefined {
  const t = w[table];
  if (t === undefined) return undefined;
  if (!(t instanceof TableDef)) throw new MigrationError(`${side}.${table} must be s.table({ ... })`);
  const c = t.columns[column] as AnyColumn | undefined;
  return c?._state.type;
}

const sameType = (a: ColumnType, b: ColumnType) => JSON.stringify(a) === JSON.stringify(b);

export function defineMigration(config: MigrationConfig): DefinedMigration {
  if (!config || typeof config !== "object") throw new MigrationError("s.defineMigration({ fromHash, toHash, from, to, migrate }) needs its config object");
  const { from = {}, to = {} } = config;
  for (const k of ["fromHash", "toHash"] as const) {
    if (typeof config[k] !== "string" || !/^[0-9a-f]{12,64}$/.test(config[k])) {
      throw new MigrationError(`s.defineMigration(): ${k} must be a schema hash (12 to 64 lowercase hex characters), got ${JSON.stringify(config[k])}`);
    }
  }
  const tables: TableLens[] = [];
  const renamedTables = new Map<string, string>();
  for (const [name, op] of Object.entries(config.renameTables ?? {})) {
    if ((op as RenameTable)?.[OP] !== "renameTable") throw new MigrationError(`renameTables.${name} must be s.renameTableFrom("oldName")`);
    if (!to[name]) throw new MigrationError(`renameTables.${name}: the table is not in \`to\``);
    if (!from[op.from]) throw new MigrationError(`renameTables.${name}: the old table ${op.from} is not in \`from\``);
    renamedTables.set(name, op.from);
  }
  for (const name of Object.keys(config.createTables ?? {})) {
    if (!to[name] || from[name]) throw new MigrationError(`createTables.${name}: the table must be in \`to\` and not in \`from\``);
    tables.push({ table: name, created: true, columns: [] });
  }
  for (const name of Object.keys(config.dropTables ?? {})) {
    if (!from[name] || to[name]) throw new MigrationError(`dropTables.${name}: the table must be in \`from\` and not in \`to\``);
    tables.push({ table: name, dropped: true, columns: [] });
  }
  const migrate = config.migrate ?? {};
  const touched = new Set([...Object.keys(migrate), ...renamedTables.keys()]);
  for (const name of touched) {
    const oldName = renamedTables.get(name) ?? name;
    const columns: ColumnLens[] = [];
    for (const [col, op] of Object.entries(migrate[name] ?? {})) {
      const at = `migrate.${name}.${col}`;
      const kind = (op as ColumnMigration | undefined)?.[OP];
      const newType = columnType(to, "to", name, col);
      if (kind === "add") {
        if (!to[name]) throw new MigrationError(`${at}: table ${name} is not in \`to\``);
        if (!newType) throw new MigrationError(`${at}: s.add needs the column in \`to.${name}\``);
        if (columnType(from, "from", oldName, col)) throw new MigrationError(`${at}: the column already exists in \`from\`; s.add is for new columns`);
        const a = op as AddColumn;
        if (!sameType(a.type, newType)) throw new MigrationError(`${at}: s.add.${a.type.kind}() does not match the column's type ${newType.kind}`);
        columns.push({ op: "add", column: col, type: a.type, default: encodeDefault(a.default) });
      } else if (kind === "drop") {
        const oldType = columnType(from, "from", oldName, col);
        if (!oldType) throw new MigrationError(`${at}: s.drop needs the column in \`from.${oldName}\``);
        if (newType) throw new MigrationError(`${at}: the column is still in \`to\`; s.drop is for removed columns`);
        const d = op as DropColumn;
        if (!sameType(d.type, oldType)) throw new MigrationError(`${at}: s.drop.${d.type.kind}() does not match the column's type ${oldType.kind}`);
        columns.push({ op: "drop", column: col, type: d.type, backwardsDefault: encodeDefault(d.backwardsDefault) });
      } else if (kind === "rename") {
        const r = op as RenameColumn;
        const oldType = columnType(from, "from", oldName, r.from);
        if (!newType) throw new MigrationError(`${at}: s.renameFrom needs the column in \`to.${name}\``);
        if (!oldType) throw new MigrationError(`${at}: the old column ${r.from} is not in \`from.${oldName}\``);
        if (!sameType(oldType, newType)) throw new MigrationError(`${at}: a rename keeps the type (${oldType.kind} → ${newType.kind} needs a new column)`);
        columns.push({ op: "rename", column: col, from: r.from });
      } else {
        throw new MigrationError(`${at} must be s.add.<type>({ default }), s.drop.<type>({ backwardsDefault }) or s.renameFrom("old")`);
      }
    }
    tables.push({ table: name, ...(oldName !== name ? { renamedFrom: oldName } : {}), columns });
  }
  return Object.freeze({
    fromHash: config.fromHash,
    toHash: config.toHash,
    from,
    to,
    tables,
    ...(config.draft ? { draft: true as const } : {}),
  });
}

/** The publishable JSON of a defined migration (what the server stores). */
export function migrationLens(m: DefinedMigration): MigrationLens {
  return { fromHash: m.fromHash, toHash: m.toHash, tables: m.tables, ...(m.draft ? { draft: true as const } : {}) };
}
