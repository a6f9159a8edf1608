// One end-to-end suite for every todo example: each example's *.e2e.test.ts serves its app
// with Vite (programmatically, on a free localhost port) and runs these cases in real Chromium
// through playwright-core. One browser per file; a fresh context (storage) per test.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { addTodo as add, openTodoApp, serveExample, todoTitles as titles, type ServedExample } from "./e2e-harness.ts";

export function describeTodoApp(name: string, exampleDir: string, options: { passkey?: boolean; devtools?: boolean } = {}): void {
  describe(`${name} example`, () => {
    let served: ServedExample;
    let browser: Browser;

    beforeAll(async () => {
      served = await serveExample(exampleDir, { offline: true }); // the examples must work fully offline
      browser = served.browser;
    });

    afterAll(async () => {
      await served?.close();
    });

    async function open(context?: BrowserContext): Promise<Page> {
      return openTodoApp(context ?? (await browser.newContext()), served.url);
    }

    it("adds, toggles and deletes todos; a reload keeps the list", async () => {
      const page = await open();
      await add(page, "buy milk");
      await add(page, "walk dog");
      expect(await titles(page)).toEqual(["buy milk", "walk dog"]);

      const first = page.locator("#todo-list li").first();
      await first.locator("input.toggle").click();
      await expect.poll(() => first.getAttribute("class")).toContain("done");

      await page.locator("#todo-list li", { hasText: "walk dog" }).locator(".delete-btn").click();
      await expect.poll(() => titles(page)).toEqual(["buy milk"]);

      await page.reload();
      await page.locator("#todo-list li").first().waitFor();
      expect(await titles(page)).toEqual(["buy milk"]);
      expect(await page.locator("#todo-list li").first().getAttribute("class")).toContain("done");
      await page.context().close();
    });

    it("two pages of one browser show each other's changes", async () => {
      const context = await browser.newContext();
      const a = await open(context);
      const b = await open(context);
      await add(a, "from a");
      await b.locator("#todo-list li span", { hasText: "from a" }).waitFor({ timeout: 15_000 });
      await add(b, "from b");
      await a.locator("#todo-list li span", { hasText: "from b" }).waitFor({ timeout: 15_000 });
      await b.locator("#todo-list li", { hasText: "from a" }).locator("input.toggle").click();
      await expect.poll(() => a.locator("#todo-list li", { hasText: "from a" }).getAttribute("class")).toContain("done");
      await context.close();
    });

    it("restores an identity from its recovery phrase after localStorage is cleared", async () => {
      const page = await open();
      await add(page, "keep me");
      await page.click("#show-phrase");
      const phrase = (await page.locator("#recovery-phrase").textContent())!.trim();
      expect(phrase.split(/\s+/)).toHaveLength(24);

      await page.evaluate(() => localStorage.clear());
      await page.reload();
      await page.locator("#add-form input[type=text]").waitFor();
      // A fresh identity: once its own todo shows, the old one is not among them.
      await add(page, "new identity");
      expect(await titles(page)).toEqual(["new identity"]);

      await page.fill("#restore-input", phrase);
      await page.click("#restore-btn");
      await page.locator("#todo-list li span", { hasText: "keep me" }).waitFor({ timeout: 20_000 });
      expect(await titles(page)).toEqual(["keep me"]);
      await page.context().close();
    });

    // The React example attaches the devtools bridge in development.
    if (options.devtools) it("answers the Jazz inspector on window.postMessage (jazz-devtools-v1)", async () => {
      const page = await open();
      await add(page, "seen by devtools");
      const ask = (command: string, payload: unknown) =>
        page.evaluate(
          ([command, payload]) =>
            new Promise<{ ok: boolean; payload: unknown }>((resolve) => {
              const requestId = Math.random().toString(36).slice(2);
              addEventListener("message", function onMessage(e) {
                if (e.data?.channel !== "jazz-devtools-v1" || e.data.kind !== "response" || e.data.requestId !== requestId) return;
                removeEventListener("message", onMessage);
                resolve(e.data);
              });
              postMessage({ channel: "jazz-devtools-v1", kind: "request", requestId, command, payload }, "*");
            }),
          [command, payload] as const,
        );
      expect(await ask("bridge.handshake", {})).toMatchObject({ ok: true, payload: { ready: true } });
      const rows = await ask("client.query", { query: { table: "todos" } });
      expect((rows.payload as { title: string }[]).map((t) => t.title)).toEqual(["seen by devtools"]);
      const traces = (await ask("client.listActiveQuerySubscriptions", {})).payload as { table: string }[];
      expect(traces.map((t) => t.table)).toContain("todos"); // the app's useAll
      await page.context().close();
    });

    // Only the React example has a passkey backup.
    if (options.passkey) it("restores an identity from a passkey backup (virtual authenticator)", async () => {
      const page = await open();
      const cdp = await page.context().newCDPSession(page);
      await cdp.send("WebAuthn.enable", { enableUI: false });
      await cdp.send("WebAuthn.addVirtualAuthenticator", {
        options: { protocol: "ctap2", ctap2Version: "ctap2_1", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
      });
      await add(page, "passkey todo");
      await page.click("#passkey-backup");
      await expect.poll(() => page.locator("#backup-status").textContent()).toBe("Passkey saved");

      await page.evaluate(() => localStorage.clear());
      await page.reload();
      await page.locator("#add-form input[type=text]").waitFor();
      await add(page, "someone new");
      expect(await titles(page)).toEqual(["someone new"]);

      await page.click("#passkey-restore");
      await page.locator("#todo-list li span", { hasText: "passkey todo" }).waitFor({ timeout: 20_000 });
      expect(await titles(page)).toEqual(["passkey todo"]);
      await page.context().close();
    });
  });
}
