export { createNodeSqlDriver } from "./driver.ts";
