import { defineConfig } from "vite";

export default defineConfig({
  root: import.meta.dirname,
  logLevel: "warn",
  optimizeDeps: { exclude: ["@journeyapps/wa-sqlite"] },
  worker: { format: "es" },
  build: { target: "es2022", emptyOutDir: true },
});
