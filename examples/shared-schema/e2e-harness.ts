// Serving an example with Vite (programmatically, on a free localhost port) and driving it in
// real Chromium through playwright-core: shared by the examples' *.e2e.test.ts files.

import path from "node:path";
import { createServer, type ViteDevServer } from "vite";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { chromiumArgs, chromiumPath } from "../../vitest.config.ts";

export interface ServedExample {
  server: ViteDevServer;
  browser: Browser;
  url: string;
  close(): Promise<void>;
}

/** `offline`: no sync server (JAZZ_OFFLINE=1); otherwise jazzPlugin embeds one. */
export async function serveExample(exampleDir: string, { offline }: { offline: boolean }): Promise<ServedExample> {
  if (offline) process.env.JAZZ_OFFLINE = "1";
  else delete process.env.JAZZ_OFFLINE;
  const server = await createServer({
    root: exampleDir,
    configFile: path.join(exampleDir, "vite.config.ts"),
    server: { host: "localhost", port: 0, strictPort: false },
    logLevel: "error",
  });
  await server.listen();
  const url = server.resolvedUrls!.local[0]!;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  // Warm-up visit: Vite optimises dependencies on first use (worker included) and reloads the
  // page when it finds new ones; that must not happen in the middle of a test.
  const warm = await browser.newContext();
  await openTodoApp(warm, url, 60_000);
  await new Promise((r) => setTimeout(r, 1500));
  await warm.close();
  return {
    server,
    browser,
    url,
    async close() {
      await browser.close();
      await server.close();
      if (offline) delete process.env.JAZZ_OFFLINE;
    },
  };
}

/** A new page of `context` on the app, once its add form is there. */
export async function openTodoApp(context: BrowserContext, url: string, timeout = 30_000): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.locator("#add-form input[type=text]").waitFor({ timeout });
  return page;
}

export async function addTodo(page: Page, title: string): Promise<void> {
  await page.fill("#add-form input[type=text]", title);
  await page.click("#add-form button[type=submit]");
  await page.locator("#todo-list li span", { hasText: title }).waitFor();
}

export const todoTitles = (page: Page): Promise<string[]> => page.locator("#todo-list li span").allTextContents();
