// JazzError lives in @jazz-tools/auth (the layer below core) so every package's errors share it.
export { JazzError } from "@jazz-tools/auth";
