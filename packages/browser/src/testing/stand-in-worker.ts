// A stand-in for the Jazz worker in bootstrap tests. Its name (startWorker passes
// `jazz:<namespace>`) says how it behaves: "jazz:silent" never answers; "jazz:slow-<ms>"
// answers at once but takes <ms> to open its database.
import { expose } from "comlink";

const mode = self.name.replace(/^jazz:/, "");
if (mode !== "silent") {
  const ms = Number(/^slow-(\d+)$/.exec(mode)?.[1] ?? 0);
  expose({
    alive: () => true,
    init: () => new Promise((resolve) => setTimeout(() => resolve({ ok: true }), ms)),
    shutdown: () => undefined,
  });
}
