// Clients on different schema versions, one layout on disk. Each connection runs the version
// its hello declared; each batch says which version's names it uses. Batches are translated
// through the reviewed migrations (core's lenses) as they arrive (writer → the active layout,
// stamped with the head version) and as they leave (logged naming → each reader's version).
// A version no migration path reaches is served as it is (names line up, as in development)
// and the server says so once, with the command that would connect it.

import { batchTranslator, findLensPath, isIdentity, SHORT_HASH } from "@jazz-tools/core";
import type { Batch, LensStep, QueryIR, RuntimeSchema } from "@jazz-tools/core";
import type { ServerEngine } from "./engine.ts";

type Translate = ((b: Batch) => Batch) | null;

export class SchemaLenses {
  private readonly translators = new Map<string, Translate>();
  private readonly paths = new Map<string, LensStep[] | null>();
  private readonly warned = new Set<string>();
  private readonly outboundCache = new WeakMap<Batch[], Map<string, Batch[]>>();

  constructor(
    private readonly engine: ServerEngine,
    private readonly appId: string,
    private readonly warn: (message: string) => void = (m) => console.warn(m),
  ) {}

  /** After a publish: paths and translators are recomputed on demand. */
  invalidate(): void {
    this.translators.clear();
    this.paths.clear();
  }

  get head(): string | null {
    return this.engine.versions.head();
  }

  private path(from: string, to: string): LensStep[] | null {
    const key = `${from}>${to}`;
    let p = this.paths.get(key);
    if (p === undefined) {
      p = findLensPath(this.engine.versions.migrations(), from, to);
      this.paths.set(key, p);
      if (p === null && this.engine.versions.has(from) && this.engine.versions.has(to)) this.warnUnreachable(from, to);
    }
    return p;
  }

  private warnUnreachable(from: string, to: string): void {
    const key = [from, to].sort().join();
    if (this.warned.has(key)) return;
    this.warned.add(key);
    const [a, b] = [from.slice(0, SHORT_HASH), to.slice(0, SHORT_HASH)];
    this.warn(
      `jazz: app ${this.appId}: no migration connects schema ${a} and ${b}; rows written under one are served to the other only where names line up. ` +
        `Create one with: jazz-tools migrations create ${this.appId} --fromHash ${a} --toHash ${b}`,
    );
  }

  /** True when the client's version names things as the layout does (its local checks apply). */
  sameNames(version: string | null): boolean {
    const head = this.head;
    if (!version || !head || version === head) return true;
    const p = this.path(version, head);
    return !p || isIdentity(p);
  }

  /** Writer's names → the active layout, stamped with the head version. */
  inbound(batch: Batch, connectionVersion: string | null): Batch {
    const head = this.head;
    if (!head) return batch;
    const from = batch.schemaHash ?? connectionVersion ?? head;
    if (from === head) return batch.schemaHash === head ? batch : { ...batch, schemaHash: head };
    const t = this.translator(from, head, null);
    return { ...(t ? t(batch) : batch), schemaHash: head };
  }

  /** Batches as logged → the reader's version (one translation per batch array and version). */
  outbound(batches: Batch[], readerVersion: string | null): Batch[] {
    const head = this.head;
    if (!readerVersion || !head) return batches;
    if (batches.every((b) => (b.schemaHash ?? head) === readerVersion)) return batches;
    let byVersion = this.outboundCache.get(batches);
    if (!byVersion) this.outboundCache.set(batches, (byVersion = new Map()));
    let out = byVersion.get(readerVersion);
    if (!out) {
      const reader = this.engine.versions.get(readerVersion);
      out = batches.map((b) => {
        const from = b.schemaHash ?? head;
        if (from === readerVersion || !reader) return b;
        const t = this.translator(from, readerVersion, reader);
        return t ? t(b) : b;
      });
      byVersion.set(readerVersion, out);
    }
    return out;
  }

  /** A reader's query → the layout's names (renamed columns of the queried table). */
  queryToLayout(ir: QueryIR, readerVersion: string | null): QueryIR {
    const head = this.head;
    if (!readerVersion || !head || readerVersion === head) return ir;
    const p = this.path(readerVersion, head);
    if (!p || isIdentity(p)) return ir;
    return renameQuery(ir, p);
  }

  private translator(from: string, to: string, reader: RuntimeSchema | null): Translate {
    const key = `${from}>${to}>${reader ? "r" : "w"}`;
    if (this.translators.has(key)) return this.translators.get(key)!;
    const p = this.path(from, to);
    const t = p ? batchTranslator(p, reader ?? this.engine.schema, { keepOthers: !reader }) : null;
    this.translators.set(key, t);
    return t;
  }
}

/** Renames the columns a query names (root table only) from the reader's names to the layout's. */
function renameQuery(ir: QueryIR, steps: LensStep[]): QueryIR {
  const map = new Map<string, string>();
  for (const { lens, forward } of steps) {
    const t = lens.tables.find((x) => x.table === ir.table || x.renamedFrom === ir.table);
    if (!t) continue;
    for (const c of t.columns) {
      if (c.op !== "rename") continue;
      const [a, b] = forward ? [c.from, c.column] : [c.column, c.from];
      // Compose: anything already mapped to `a` now maps on to `b`.
      let composed = false;
      for (const [k, v] of map) if (v === a) (map.set(k, b), (composed = true));
      if (!composed) map.set(a, b);
    }
  }
  if (map.size === 0) return ir;
  const r = (c: string) => map.get(c) ?? c;
  return {
    ...ir,
    conditions: ir.conditions.map((c) => ({ ...c, column: r(c.column) })),
    orderBy: ir.orderBy.map(([c, d]) => [r(c), d]),
    ...(ir.select ? { select: ir.select.map(r) } : {}),
  };
}
