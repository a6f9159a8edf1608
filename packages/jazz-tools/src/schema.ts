// `jazz-tools/schema`: the schema DSL as a module of its own. The main entry re-exports it as
// the `schema` / `s` namespace through this package path, so the built package keeps an ES
// namespace re-export that an app's bundler tree-shakes (a page that never calls
// s.definePermissions or s.defineMigration does not ship them).
export * from "@jazz-tools/core/schema";
