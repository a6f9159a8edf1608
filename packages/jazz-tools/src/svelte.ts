// `jazz-tools/svelte`: the svelte bindings (thin adapter over core's subscription store).
export * from "@jazz-tools/svelte";
