// The React example with jazzPlugin's embedded sync server: two browser contexts (two devices
// with separate storage) share one identity through the recovery phrase and see each other's
// todos through the server.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { addTodo as add, openTodoApp, serveExample, type ServedExample } from "../shared-schema/e2e-harness.ts";

let served: ServedExample;

beforeAll(async () => {
  served = await serveExample(fileURLToPath(new URL(".", import.meta.url)), { offline: false });
});

afterAll(async () => {
  await served?.close();
});

async function open(): Promise<Page> {
  return openTodoApp(await served.browser.newContext(), served.url);
}

it("two devices with the same identity sync todos through the server", async () => {
  expect(served.server.config.env.VITE_JAZZ_SERVER_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
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
