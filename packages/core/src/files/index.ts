// The public names of file storage. The functions themselves are reached through the Db's methods
// (db.createFileFromBlob, ...), which load ./storage.ts on first use.
export type { FileWriteOptions, FileReadOptions, FileDb } from "./storage.ts";
export { DEFAULT_CHUNK_BYTES, MAX_PART_BYTES } from "./conventions.ts";
export { FileNotFoundError, IncompleteFileDataError, FileTablesError, FileArgumentError, type IncompleteFileDataReason } from "./errors.ts";
