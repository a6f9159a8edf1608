import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

export default defineConfig({
  plugins: [vue()],
  optimizeDeps: { exclude: ["@journeyapps/wa-sqlite"] },
  worker: { format: "es" },
  server: { host: "127.0.0.1" },
});
