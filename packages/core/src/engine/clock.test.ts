import { describe, expect, it } from "vitest";
import { MonotonicClock, isUuid, uuidv7, uuidv7Hex } from "./clock.ts";

describe("ids and clock", () => {
  it("UUIDv7: version/variant bits, the ms timestamp in front, creation order", () => {
    const before = Date.now();
    const ids = Array.from({ length: 5000 }, () => uuidv7());
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(isUuid(id)).toBe(true);
    }
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    const ms = parseInt(ids[0].replace(/-/g, "").slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now() + 1);
    const hex = uuidv7Hex();
    expect(hex).toMatch(/^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
  });

  it("the clock is strictly monotonic even when the wall clock stalls or goes back", () => {
    const wall = [100, 100, 90, 200, 150];
    const c = new MonotonicClock(() => wall.shift() ?? 0);
    expect([c.next(), c.next(), c.next(), c.next(), c.next()]).toEqual([100, 101, 102, 200, 201]);
    c.observe(1000);
    expect(c.next()).toBe(1001);
  });
});
