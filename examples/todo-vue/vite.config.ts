import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";
import { jazzPlugin } from "jazz-tools/dev/vite";

// jazzPlugin starts a local sync server and sets VITE_JAZZ_SERVER_URL; with JAZZ_OFFLINE=1 the
// app is served without one and runs fully offline (OPFS, local-first identity).
export default defineConfig({
  plugins: [vue(), jazzPlugin({ schemaDir: "../shared-schema", server: process.env.JAZZ_OFFLINE ? false : true })],
  optimizeDeps: { exclude: ["@journeyapps/wa-sqlite"] },
  worker: { format: "es" },
  server: { host: "127.0.0.1" },
});
