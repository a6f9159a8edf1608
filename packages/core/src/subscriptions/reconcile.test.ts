import { describe, expect, it } from "vitest";
import { applyDelta, reconcileArray } from "./reconcile.ts";
import { shareRows } from "./share.ts";

type Todo = { id: string; title: string; done: boolean; tags?: string[]; at?: Date };

// A recording proxy: every write to a row field or an array slot is logged, which is exactly
// what fires a watcher in Vue or an effect in Svelte. Proxies are cached per object, as Vue's are.
const proxies = new WeakMap<object, object>();
function recorded<T extends object>(value: T, log: string[], path = ""): T {
  const cached = proxies.get(value);
  if (cached) return cached as T;
  const proxy = new Proxy(value, {
    get(target, key, recv) {
      const v = Reflect.get(target, key, recv);
      return typeof v === "object" && v !== null && !(v instanceof Date) ? recorded(v, log, `${path}${String(key)}.`) : v;
    },
    set(target, key, v, recv) {
      log.push(`${path}${String(key)}`);
      return Reflect.set(target, key, v, recv);
    },
    deleteProperty(target, key) {
      log.push(`delete ${path}${String(key)}`);
      return Reflect.deleteProperty(target, key);
    },
  });
  proxies.set(value, proxy);
  return proxy;
}

const a = (): Todo => ({ id: "a", title: "A", done: false });
const b = (): Todo => ({ id: "b", title: "B", done: false });
const c = (): Todo => ({ id: "c", title: "C", done: true });

describe("reconcileArray", () => {
  it("editing one field of one row writes only that field", () => {
    const raw = [a(), b(), c()];
    const log: string[] = [];
    const target = recorded(raw, log);
    reconcileArray(target, [a(), { ...b(), title: "B2" }, c()]);
    expect(log).toEqual(["1.title"]);
    expect(raw.map((r) => r.title)).toEqual(["A", "B2", "C"]);
  });

  it("adding, removing and reordering keep untouched row objects", () => {
    const target = [a(), b(), c()];
    const [ra, rb, rc] = target;
    reconcileArray(target, [c(), a(), { id: "d", title: "D", done: false }]);
    expect(target.map((r) => r.id)).toEqual(["c", "a", "d"]);
    expect(target[0]).toBe(rc);
    expect(target[1]).toBe(ra);
    expect(target).not.toContain(rb);
  });

  it("never shares row objects with the source array (Db rows stay immutable)", () => {
    const source = [a()];
    const target: Todo[] = [];
    reconcileArray(target, source);
    target[0]!.title = "mutated";
    expect(source[0]!.title).toBe("A");
  });

  it("compares dates and arrays by value and removes vanished keys", () => {
    const raw: Todo[] = [{ ...a(), at: new Date(5), tags: ["x"] }];
    const log: string[] = [];
    const target = recorded(raw, log);
    reconcileArray(target, [{ ...a(), at: new Date(5), tags: ["x", "y"] }]);
    expect(log).toEqual(["0.tags.1"]);
    reconcileArray(target, [a()]);
    expect(log).toContain("delete 0.tags");
    expect(raw[0]).toEqual(a());
  });
});

describe("applyDelta", () => {
  it("patches updated rows in place from the delta", () => {
    const raw = [a(), b()];
    const log: string[] = [];
    applyDelta(recorded(raw, log), { all: [a(), { ...b(), done: true }], delta: [{ kind: 2, id: "b", index: 1 }] });
    expect(log).toEqual(["1.done"]);
  });

  it("falls back to a full reconcile for structural changes", () => {
    const target = [a(), b()];
    const kept = target[1];
    applyDelta(target, { all: [b()], delta: [{ kind: 1, id: "a", index: 0 }] });
    expect(target).toEqual([b()]);
    expect(target[0]).toBe(kept);
  });
});

describe("shareRows", () => {
  it("keeps unchanged row objects and the array itself when nothing changed", () => {
    const prev = [a(), b()];
    expect(shareRows(prev, [a(), b()])).toBe(prev);
    const next = shareRows(prev, [a(), { ...b(), done: true }]);
    expect(next).not.toBe(prev);
    expect(next[0]).toBe(prev[0]);
    expect(next[1]).not.toBe(prev[1]);
  });
});
