// Runs inside Chromium: mounts a 1,000-row list with one framework, then times db.update →
// DOM updated for one field of one row, and counts what re-rendered / re-ran.
import { mount, unmount } from "svelte";
import { generateAuthSecret } from "../../../packages/auth/src/index.ts";
import { createJazzClient } from "../../../packages/react/src/index.ts";
import { app, counters, resetCounters } from "./schema.ts";
import { mountReact } from "./react-list.tsx";
import { mountVue } from "./vue-list.ts";
import SvelteApp from "./SvelteApp.svelte";

type Framework = "react" | "vue" | "svelte" | "subscribeAll";

const ROWS = 1000;

function waitForText(el: Element, text: string): Promise<void> {
  if (el.textContent === text) return Promise.resolve();
  return new Promise((resolve) => {
    const mo = new MutationObserver(() => {
      if (el.textContent === text) {
        mo.disconnect();
        resolve();
      }
    });
    mo.observe(el, { childList: true, characterData: true, subtree: true });
  });
}

async function run(framework: Framework, updates: number) {
  const client = await createJazzClient({ appId: `bench-${framework}-${Date.now()}`, driver: { type: "memory" }, secret: generateAuthSecret() });
  const db = client.db as any;
  const ids: string[] = [];
  for (let i = 0; i < ROWS; i++) ids.push(db.insert(app.items, { label: `item ${i}`, done: false, n: i }).value.id);
  const el = document.getElementById("root")!;
  let stop: () => void = () => {};
  let lastAll: unknown[] = [];
  if (framework === "react") stop = mountReact(el, client);
  else if (framework === "vue") stop = mountVue(el, client);
  else if (framework === "svelte") {
    const c = mount(SvelteApp, { target: el, props: { client } });
    stop = () => void unmount(c);
  } else {
    stop = db.subscribeAll(app.items, ({ all }: { all: unknown[] }) => (lastAll = all));
  }
  const t0 = performance.now();
  if (framework !== "subscribeAll") {
    while (el.querySelectorAll("li").length < ROWS) await new Promise((r) => setTimeout(r, 5));
  } else {
    while (lastAll.length < ROWS) await new Promise((r) => setTimeout(r, 5));
  }
  const mountMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 50));

  const times: number[] = [];
  const rowRenders: number[] = [];
  const fieldEffects: number[] = [];
  const otherEffects: number[] = [];
  const listRenders: number[] = [];
  for (let i = 0; i < updates; i++) {
    const id = ids[(i * 37) % ROWS]!;
    const label = `edited ${i}`;
    resetCounters();
    const start = performance.now();
    if (framework === "subscribeAll") {
      // The same 1,000-row query the lists use: db.update → its callback.
      const before = lastAll;
      db.update(app.items, id, { label });
      while (lastAll === before) await Promise.resolve();
      times.push(performance.now() - start);
    } else {
      const li = el.querySelector(`li[data-id="${id}"]`)!;
      db.update(app.items, id, { label });
      await waitForText(li, label);
      times.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, 0)); // let any trailing effects run before counting
    }
    rowRenders.push(counters.rowRenders);
    fieldEffects.push(counters.fieldEffects);
    otherEffects.push(counters.otherEffects);
    listRenders.push(counters.listRenders);
  }
  stop();
  await client.shutdown();
  el.innerHTML = "";
  const sorted = [...times].sort((a, b) => a - b);
  const max = (xs: number[]) => Math.max(...xs);
  return {
    framework,
    mountMs,
    medianMs: sorted[Math.floor(sorted.length / 2)]!,
    p90Ms: sorted[Math.floor(sorted.length * 0.9)]!,
    maxRowRenders: max(rowRenders),
    maxFieldEffects: max(fieldEffects),
    maxOtherEffects: max(otherEffects),
    maxListRenders: max(listRenders),
  };
}

(window as any).runBench = run;
(window as any).benchReady = true;
