// The base of every named error jazz-tools throws: apps branch on `code` (stable, snake_case),
// not on the message. Here, in the lowest layer, so every package's errors share it.
export abstract class JazzError extends Error {
  abstract readonly code: string;
}
