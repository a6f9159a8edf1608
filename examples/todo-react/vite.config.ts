import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig({
  plugins: [react()],
  optimizeDeps: { exclude: ["@journeyapps/wa-sqlite"] },
  worker: { format: "es" },
  server: { host: "127.0.0.1" },
});
