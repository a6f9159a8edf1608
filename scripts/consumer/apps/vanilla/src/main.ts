// A vanilla TS app on jazz-tools, as a user writes it from the docs: local-first identity, a
// table, live query, insert. Also imports the backup entry points so their types are checked.
import { createDb, schema as s, generateAuthSecret } from "jazz-tools";
import { RecoveryPhrase } from "jazz-tools/passphrase";
import * as passkeyBackup from "jazz-tools/passkey-backup";

const app = s.defineApp({ todos: s.table({ title: s.string() }) });

let secret = localStorage.getItem("consumer-secret");
if (!secret) {
  secret = generateAuthSecret();
  localStorage.setItem("consumer-secret", secret);
}
const words: string = RecoveryPhrase.fromSecret(secret);
document.querySelector<HTMLElement>("#phrase")!.textContent = String(words.split(" ").length);
void passkeyBackup;

const db = await createDb({ appId: "consumer-vanilla", secret });
const list = document.querySelector<HTMLUListElement>("#list")!;
db.subscribeAll(app.todos, ({ all }) => {
  list.replaceChildren(...all.map((t) => Object.assign(document.createElement("li"), { textContent: t.title })));
});
document.querySelector("#form")!.addEventListener("submit", (e) => {
  e.preventDefault();
  const input = document.querySelector<HTMLInputElement>("#title")!;
  db.insert(app.todos, { title: input.value });
  input.value = "";
});
document.body.dataset.ready = "1";
