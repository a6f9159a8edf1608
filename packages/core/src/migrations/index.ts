// Schema evolution: migration files (define.ts), lenses between schema versions (lens.ts) and
// the stub `jazz-tools migrations create` writes (stub.ts).
export { defineMigration, migrationLens, add, drop, renameFrom, renameTableFrom, type DefinedMigration, type MigrationConfig } from "./define.ts";
export { parseMigrationLens, findLensPath, columnSources, isIdentity, type MigrationLens, type TableLens, type ColumnLens, type LensStep, type ColumnSource } from "./lens.ts";
export { renderMigrationStub, diffSchemas, columnExpression, SHORT_HASH, type SchemaDiff } from "./stub.ts";
export { MigrationError } from "./errors.ts";
export { batchTranslator } from "./translate.ts";
