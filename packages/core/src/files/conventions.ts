// The conventional file tables (as the reference's apps declare them):
//   file_parts: s.table({ data: s.bytes() })
//   files:      s.table({ name: s.string(), mimeType: s.string(),
//                         partIds: s.array(s.ref("file_parts")), partSizes: s.array(s.int()) })
// `name` may be optional; other columns may be added. A wrong shape is refused naming the fix.
import type { QueryLike } from "../query/ir.ts";
import type { ColumnType, RuntimeSchema } from "../schema/runtime.ts";
import { FileTablesError } from "./errors.ts";

export const DEFAULT_CHUNK_BYTES = 256 * 1024;
export const MAX_PART_BYTES = 1024 * 1024;
export const DEFAULT_MIME_TYPE = "application/octet-stream";

type Handle = QueryLike<any> & { where(cond: Record<string, unknown>): QueryLike<any> };
export interface FileTables {
  files: Handle;
  parts: Handle;
}

const FILES_DECL = 'files: s.table({ name: s.string(), mimeType: s.string(), partIds: s.array(s.ref("file_parts")), partSizes: s.array(s.int()) })';
const PARTS_DECL = "file_parts: s.table({ data: s.bytes() })";

const same = (a: ColumnType, b: ColumnType): boolean =>
  a.kind === b.kind && (a.kind !== "array" || same(a.element, (b as { element: ColumnType }).element)) && (a.kind !== "ref" || a.table === (b as { table: string }).table);

/** The app's file tables, or a FileTablesError that says what to declare. */
export function fileTables(app: unknown): FileTables {
  const a = app as Record<string, unknown> | null;
  if (!a || typeof a !== "object") throw new FileTablesError("file methods take the app (s.defineApp(...)) as their first argument");
  const files = a.files as Handle | undefined;
  const parts = a.file_parts as Handle | undefined;
  for (const [handle, table, decl] of [[parts, "file_parts", PARTS_DECL], [files, "files", FILES_DECL]] as const) {
    if (!handle || typeof handle._build !== "function" || typeof handle.where !== "function") {
      throw new FileTablesError(`the app has no "${table}" table; declare ${decl} in its schema`);
    }
  }
  const schema = files!._schema as RuntimeSchema;
  const expect = (table: string, column: string, type: ColumnType, decl: string) => {
    const col = schema.tables[table]?.columns[column];
    if (!col) throw new FileTablesError(`table "${table}" has no column "${column}"; declare ${decl}`);
    if (!same(col.type, type)) throw new FileTablesError(`column ${table}.${column} has type ${describe(col.type)}; the file convention needs ${describe(type)} (${decl})`);
  };
  expect("file_parts", "data", { kind: "bytes" }, PARTS_DECL);
  expect("files", "mimeType", { kind: "string" }, FILES_DECL);
  expect("files", "partIds", { kind: "array", element: { kind: "ref", table: "file_parts" } }, FILES_DECL);
  expect("files", "partSizes", { kind: "array", element: { kind: "int" } }, FILES_DECL);
  const name = schema.tables.files?.columns.name;
  if (name && name.type.kind !== "string") throw new FileTablesError(`column files.name must be s.string() (optional or not), got ${describe(name.type)}`);
  return { files: files!, parts: parts! };
}

function describe(t: ColumnType): string {
  if (t.kind === "array") return `array(${describe(t.element)})`;
  if (t.kind === "ref") return `ref("${t.table}")`;
  return t.kind;
}
