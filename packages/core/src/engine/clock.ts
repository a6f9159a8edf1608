// Clocks and ids for writes. Batch clocks are a strictly monotonic microsecond wall clock
// (`ts = max(nowµs, last+1)`, no HLC, as the reference). Ids are UUIDv7 (RFC 9562): 48-bit ms
// timestamp, then a 12-bit per-ms counter in rand_a so ids made by one process in the same ms
// still sort in creation order, then random bits.

const now = (): number => (globalThis.performance ? performance.timeOrigin + performance.now() : Date.now());

export class MonotonicClock {
  private last = 0;
  constructor(private readonly nowMicros: () => number = () => Math.floor(now() * 1000)) {}
  /** Next timestamp in µs, strictly greater than any earlier one from this clock. */
  next(): number {
    const t = this.nowMicros();
    this.last = t > this.last ? t : this.last + 1;
    return this.last;
  }
  /** Move the clock forward past a timestamp seen elsewhere (caller-supplied `updatedAt`). */
  observe(ts: number): void {
    if (ts > this.last) this.last = ts;
  }
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

// Random bytes are drawn in blocks: one getRandomValues call per id is the slowest part of
// generating 10,000 ids.
const POOL_SIZE = 4096;
let pool = new Uint8Array(0);
let poolPos = POOL_SIZE;
function randomBytes(n: number): number {
  if (poolPos + n > pool.length) {
    pool = new Uint8Array(POOL_SIZE);
    crypto.getRandomValues(pool);
    poolPos = 0;
  }
  const at = poolPos;
  poolPos += n;
  return at;
}

let lastMs = 0;
let counter = 0;

/** UUIDv7 as 32 lowercase hex characters (the reference's BatchId text form). */
export function uuidv7Hex(): string {
  return uuidv7Parts("");
}

/** UUIDv7 in the canonical dashed form (row ids). */
export function uuidv7(): string {
  return uuidv7Parts("-");
}

function uuidv7Parts(dash: string): string {
  // Date.now, not performance.now: ids need ms only, and performance.now costs ~4 µs a call
  // in Chromium (10k ids = 40+ ms of a batch).
  let ms = Date.now();
  if (ms <= lastMs) {
    ms = lastMs;
    counter++;
    if (counter > 0xfff) {
      // Counter exhausted within one ms: borrow the next ms so order still holds.
      ms = ++lastMs;
      counter = 0;
    }
  } else {
    lastMs = ms;
    counter = 0;
  }
  const r = randomBytes(8);
  const hi = Math.floor(ms / 0x10000); // top 32 bits of the 48-bit ms
  const lo = ms % 0x10000;
  return (
    HEX[(hi >>> 24) & 0xff] +
    HEX[(hi >>> 16) & 0xff] +
    HEX[(hi >>> 8) & 0xff] +
    HEX[hi & 0xff] +
    dash +
    HEX[lo >>> 8] +
    HEX[lo & 0xff] +
    dash +
    HEX[0x70 | (counter >>> 8)] +
    HEX[counter & 0xff] +
    dash +
    HEX[0x80 | (pool[r] & 0x3f)] +
    HEX[pool[r + 1]] +
    dash +
    HEX[pool[r + 2]] +
    HEX[pool[r + 3]] +
    HEX[pool[r + 4]] +
    HEX[pool[r + 5]] +
    HEX[pool[r + 6]] +
    HEX[pool[r + 7]]
  );
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(s: unknown): s is string {
  return typeof s === "string" && UUID_RE.test(s);
}
