import { defineConfig } from "vite";

export default defineConfig({
  optimizeDeps: { exclude: ["@journeyapps/wa-sqlite"] },
  worker: { format: "es" },
  server: { host: "127.0.0.1" },
});
