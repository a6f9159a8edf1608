// The base of the named errors that carry a stable `code` (apps branch on `code`, not on text).
// Older error classes extend Error directly and move here as they are touched.
export abstract class JazzError extends Error {
  abstract readonly code: string;
}
