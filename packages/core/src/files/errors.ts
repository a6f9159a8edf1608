// Named errors of file storage (the reference's names and reasons, so apps can match on them).
import { JazzError } from "../errors/base.ts";

export class FileNotFoundError extends JazzError {
  override name = "FileNotFoundError";
  readonly code = "file_not_found";
  constructor(readonly fileId: string) {
    super(`File "${fileId}" was not found (at the requested tier: pass { tier: "edge" } to wait for the server's copy).`);
  }
}

export type IncompleteFileDataReason = "invalid-file-record" | "missing-part" | "part-size-mismatch";

/** A file row whose parts cannot all be read: never a truncated file. */
export class IncompleteFileDataError extends JazzError {
  override name = "IncompleteFileDataError";
  readonly code = "incomplete_file_data";
  constructor(
    readonly fileId: string,
    readonly reason: IncompleteFileDataReason,
    message: string,
    readonly partIndex?: number,
    readonly partId?: string,
  ) {
    super(message);
  }
}

/** The app's `files` / `file_parts` tables are missing or shaped otherwise than the convention. */
export class FileTablesError extends JazzError {
  override name = "FileTablesError";
  readonly code = "file_tables";
}

/** Bad arguments to a file method (chunk size, a non-binary stream chunk, ...). */
export class FileArgumentError extends JazzError {
  override name = "FileArgumentError";
  readonly code = "file_argument";
}
