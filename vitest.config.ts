import { defineConfig } from "vitest/config";
import { defaultClientConditions, defaultServerConditions } from "vite";
import { playwright } from "@vitest/browser-playwright";
import react from "@vitejs/plugin-react";
import vue from "@vitejs/plugin-vue";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// Debian's Chromium; override with JAZZ_CHROMIUM. Playwright never downloads a browser here.
export const chromiumPath = process.env.JAZZ_CHROMIUM ?? "/usr/bin/chromium";
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// The monorepo's tests import jazz-tools' TypeScript sources through the "jazz-source" export
// condition (the package's default paths are the built dist/); child processes started by the
// tests run the CLI from sources too (bin/dev.js).
export const sourceConditions = ["jazz-source"];

export default defineConfig({
  resolve: { conditions: [...sourceConditions, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [...sourceConditions, ...defaultServerConditions] } },
  optimizeDeps: { exclude: ["@journeyapps/wa-sqlite"] },
  worker: { format: "es" },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "node",
          environment: "node",
          include: ["packages/**/*.test.ts", "bench/**/*.test.ts"],
          exclude: ["**/node_modules/**", "**/*.browser.test.ts", "**/*.e2e.test.ts"],
          typecheck: { enabled: true, include: ["packages/**/*.test-d.ts"] },
        },
      },
      {
        extends: true,
        // The framework bindings' tests render .tsx, .vue and .svelte components.
        plugins: [react(), vue(), svelte()],
        // One copy of each framework, pre-bundled up front (a late re-optimisation would load a
        // second React and break hooks).
        resolve: { dedupe: ["react", "react-dom", "vue", "svelte"] },
        optimizeDeps: {
          include: ["react", "react-dom", "react-dom/client", "react/jsx-dev-runtime", "react/jsx-runtime", "@testing-library/react", "vue", "@testing-library/vue"],
        },
        test: {
          name: "browser",
          include: ["packages/**/*.browser.test.ts", "packages/**/*.browser.test.tsx"],
          exclude: ["**/node_modules/**"],
          browser: {
            enabled: true,
            headless: true,
            api: { host: "localhost", port: Number(process.env.JAZZ_VITEST_PORT ?? 63315), strictPort: true },
            provider: playwright({
              launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
            }),
            instances: [{ browser: "chromium" }],
          },
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          environment: "node",
          include: ["packages/**/*.e2e.test.ts", "examples/**/*.e2e.test.ts"],
          exclude: ["**/node_modules/**"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
