// The runtime schemas s.defineApp compiled: a Db given handles of one knows the schema version
// its writes use, and tells its link (which hashes it where the version is needed: only a
// server cares, so pages that never sync do not ship the hash code).
export const declaredSchemas = new WeakSet<object>();
