// The hash s.defineApp computed for each compiled schema object, so a Db can say which schema
// version its writes use without hashing (and without shipping the hash code to pages that
// never define an app).
export const schemaHashOf = new WeakMap<object, string>();
