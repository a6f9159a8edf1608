import { memo } from "react";
import { createRoot } from "react-dom/client";
import { JazzProvider, useAll } from "../../../packages/react/src/index.ts";
import type { JazzClient } from "../../../packages/core/src/subscriptions/index.ts";
import { app, counters, type Item } from "./schema.ts";

const Row = memo(function Row({ item }: { item: Item }) {
  counters.rowRenders++;
  return <li data-id={item.id}>{item.label}</li>;
});

function List() {
  counters.listRenders++;
  const items = useAll(app.items);
  return <ul>{items?.map((item) => <Row key={item.id} item={item} />)}</ul>;
}

export function mountReact(el: HTMLElement, client: JazzClient<any>) {
  const root = createRoot(el);
  root.render(<JazzProvider client={client}><List /></JazzProvider>);
  return () => root.unmount();
}
