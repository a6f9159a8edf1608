// Test helpers: a real server child process and recording raw clients.
export * from "./spawn.ts";
export * from "./clients.ts";
export * from "./local.ts";
export * from "./testing-server.ts";
