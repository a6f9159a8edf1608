declare module "@journeyapps/wa-sqlite/src/FacadeVFS.js" {
  /** wa-sqlite's base for JS VFS classes: subclasses implement jOpen, jRead, … (see node-file-vfs.ts). */
  export class FacadeVFS {
    constructor(name: string, module: unknown);
    name: string;
    mxPathname: number;
    hasAsyncMethod(method: string): boolean;
  }
}
