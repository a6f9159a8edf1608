// `jazz-tools/react`: the react bindings (thin adapter over core's subscription store).
export * from "@jazz-tools/react";
