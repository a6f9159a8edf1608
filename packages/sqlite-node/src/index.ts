export { createNodeSqlDriver, hasNativeSqlite } from "./driver.ts";
export { requirePeer } from "./peer.ts";
