import { JazzError } from "../errors/base.ts";

/** A migration that cannot be defined, parsed or applied as written. */
export class MigrationError extends JazzError {
  readonly code = "migration_invalid";
  constructor(message: string) {
    super(message);
    this.name = "MigrationError";
  }
}
