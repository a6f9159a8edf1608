declare module "*?url" {
  const url: string;
  export default url;
}
declare module "*?worker&url" {
  const url: string;
  export default url;
}
declare module "@journeyapps/wa-sqlite/src/examples/OPFSCoopSyncVFS.js" {
  export class OPFSCoopSyncVFS {
    static create(name: string, module: unknown): Promise<OPFSCoopSyncVFS>;
    name: string;
    mxPathname: number;
    close(): void | Promise<void>;
  }
}
declare module "@journeyapps/wa-sqlite/dist/wa-sqlite.mjs" {
  const factory: (options?: object) => Promise<unknown>;
  export default factory;
}
