// The real worker, in a context where OPFS throws SecurityError (see no-opfs-patch.ts).
import "./no-opfs-patch.ts";
import "../worker/worker.ts";
