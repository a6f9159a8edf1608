export type { DbConfig, RowOf } from "@jazz-tools/core";
/** The browser Db: the core Db plus storage lifecycle (deleteClientStorage, logout). */
export type { BrowserDb as Db } from "@jazz-tools/browser";
