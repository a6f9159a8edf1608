export { createFileFromBlob, createFileFromStream, loadFileAsBlob, loadFileAsStream, type FileWriteOptions, type FileReadOptions, type FileDb } from "./storage.ts";
export { fileTables, DEFAULT_CHUNK_BYTES, MAX_PART_BYTES } from "./conventions.ts";
export { FileNotFoundError, IncompleteFileDataError, FileTablesError, FileArgumentError, type IncompleteFileDataReason } from "./errors.ts";
