// The React example with jazzPlugin's embedded sync server: two browser contexts (two devices
// with separate storage) share one identity through the recovery phrase and see each other's
// todos through the server.
import { fileURLToPath } from "node:url";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createServer, type ViteDevServer } from "vite";
import { chromium, type Browser, type Page } from "playwright-core";
import { chromiumArgs, chromiumPath } from "../../vitest.config.ts";

const root = fileURLToPath(new URL(".", import.meta.url));
let server: ViteDevServer;
let browser: Browser;
let url: string;

beforeAll(async () => {
  delete process.env.JAZZ_OFFLINE;
  server = await createServer({
    root,
    configFile: path.join(root, "vite.config.ts"),
    configLoader: "runner",
    server: { host: "localhost", port: 0 },
    logLevel: "error",
  });
  await server.listen();
  url = server.resolvedUrls!.local[0]!;
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  // Warm-up visit, so Vite's dependency optimiser cannot reload a page mid-test.
  const warm = await browser.newContext();
  const page = await warm.newPage();
  await page.goto(url);
  await page.locator("#add-form input[type=text]").waitFor({ timeout: 60_000 });
  await page.waitForTimeout(1500);
  await warm.close();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url);
  await page.locator("#add-form input[type=text]").waitFor({ timeout: 30_000 });
  return page;
}

async function add(page: Page, title: string) {
  await page.fill("#add-form input[type=text]", title);
  await page.click("#add-form button[type=submit]");
  await page.locator("#todo-list li span", { hasText: title }).waitFor();
}

it("two devices with the same identity sync todos through the server", async () => {
  expect(server.config.env.VITE_JAZZ_SERVER_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const a = await open();
  const mark = `synced ${Date.now()}`;
  await add(a, mark);
  await a.click("#show-phrase");
  const phrase = (await a.locator("#recovery-phrase").textContent())!.trim();

  const b = await open();
  await b.fill("#restore-input", phrase);
  await b.click("#restore-btn");
  await b.locator("#todo-list li span", { hasText: mark }).waitFor({ timeout: 20_000 });

  await add(b, `${mark} from b`);
  await a.locator("#todo-list li span", { hasText: `${mark} from b` }).waitFor({ timeout: 20_000 });
  await b.locator("#todo-list li", { hasText: `${mark} from b` }).locator("input.toggle").click();
  await expect.poll(() => a.locator("#todo-list li", { hasText: `${mark} from b` }).getAttribute("class"), { timeout: 20_000 }).toContain("done");
});
