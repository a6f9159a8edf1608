import { expectTypeOf, test } from "vitest";
import type * as Browser from "./index.browser.ts";
import type * as Node from "./index.ts";

type BrowserOnly =
  | "registerWindowClient"
  | "resolveStorageNamespace"
  | "BrowserStorageError"
  | "StorageResetUnavailableError"
  | "WindowStorageError";

test("the browser entry exports what the Node entry exports, plus the browser runtime's extras", () => {
  expectTypeOf<Exclude<keyof typeof Browser, BrowserOnly>>().toEqualTypeOf<keyof typeof Node>();
});

test("createDb in the browser returns a Db with the browser lifecycle", () => {
  type R = Awaited<ReturnType<typeof Browser.createDb>>;
  expectTypeOf<R>().toMatchTypeOf<Awaited<ReturnType<typeof Node.createDb>>>();
  expectTypeOf<R["deleteClientStorage"]>().toEqualTypeOf<() => Promise<void>>();
});

test("window.__jazz is declared for apps that call it (its storage helpers)", () => {
  expectTypeOf<Window["__jazz"]>().toEqualTypeOf<Browser.JazzWindowApi | undefined>();
  expectTypeOf<NonNullable<Window["__jazz"]>["clearStorage"]>().toEqualTypeOf<(namespace?: string) => Promise<void>>();
});
