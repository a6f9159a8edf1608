// `jazz-tools/vue`: the vue bindings (thin adapter over core's subscription store).
export * from "@jazz-tools/vue";
