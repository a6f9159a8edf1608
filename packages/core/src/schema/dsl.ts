// The `schema` namespace users import as `s`: `import { schema as s } from "jazz-tools"`.
// Values (s.table, s.string, ...) and types (s.Schema, s.App, s.RowOf, ...) live side by side.

export { string, boolean, int, float, timestamp, bytes, json, ref, array, enumColumn as enum } from "./columns.ts";
export { table } from "./table.ts";
export { defineSchema, defineApp, defineSliceableApp } from "./app.ts";
export type { Schema, App, SliceableApp, TableHandle } from "./app.ts";
export type { RowOf, InsertOf, UpdateOf, WhereOf, TableMetaOf } from "../query/builder.ts";
export { definePermissions } from "../permissions/dsl.ts";
export { defineMigration, add, drop, renameFrom, renameTableFrom } from "../migrations/define.ts";
