export { createNodeSqlDriver } from "./driver.ts";
export { requirePeer } from "./peer.ts";
