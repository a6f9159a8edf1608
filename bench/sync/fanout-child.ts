// A child process of bench/sync/run.ts holding some of the fan-out readers: real Node Dbs
// (createDb, memory driver) subscribed to one lane. Started with fork(); argv: serverUrl appId
// count lane. Sends {t:"ready"} once every Db has its first result, then for each row id that
// all its Dbs have seen, {t:"seen", id, times}: the arrival times (ms on the system-wide
// monotonic clock, process.hrtime) in each Db's live-query callback. {t:"stop"} shuts it down.
import { createDb, generateAuthSecret, type Db } from "../../packages/jazz-tools/src/index.ts";
import { benchApp } from "./schema.ts";

const [url, appId, countText, lane] = process.argv.slice(2);
const count = Number(countText);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

const dbs: Db[] = [];
const arrivals = new Map<string, number[]>();
let settled = 0;
for (let i = 0; i < count; i++) {
  const db = await createDb({ appId: appId!, driver: { type: "memory" }, serverUrl: url!, secret: generateAuthSecret() });
  const mine = new Set<string>();
  let first = true;
  db.subscribeAll(
    benchApp.items.where({ lane: lane! }),
    (d) => {
      const now = nowMs();
      for (const r of d.all) {
        if (mine.has(r.id)) continue;
        mine.add(r.id);
        let times = arrivals.get(r.id);
        if (!times) arrivals.set(r.id, (times = []));
        times.push(now);
        if (times.length === count) {
          process.send!({ t: "seen", id: r.id, times });
          arrivals.delete(r.id);
        }
      }
      if (first) {
        first = false;
        if (++settled === count) process.send!({ t: "ready" });
      }
    },
    { tier: "edge" },
  );
  dbs.push(db);
}

process.on("message", async (m: { t: string }) => {
  if (m.t !== "stop") return;
  await Promise.all(dbs.map((d) => d.shutdown()));
  process.exit(0);
});
