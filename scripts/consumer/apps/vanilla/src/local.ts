// The smallest local-only page (the packaging issue's size budget): a local-first identity, a
// table, a live query and an insert; no sync server, no backup entry points.
import { createDb, schema as s, generateAuthSecret } from "jazz-tools";

const app = s.defineApp({ notes: s.table({ text: s.string() }) });
const secret = localStorage.getItem("consumer-local-secret") ?? generateAuthSecret();
localStorage.setItem("consumer-local-secret", secret);

const db = await createDb({ appId: "consumer-local", secret });
const list = document.querySelector<HTMLUListElement>("#list")!;
db.subscribeAll(app.notes, ({ all }) => {
  list.replaceChildren(...all.map((n) => Object.assign(document.createElement("li"), { textContent: n.text })));
  document.body.dataset.ready = "1";
});
document.querySelector("#form")!.addEventListener("submit", (e) => {
  e.preventDefault();
  const input = document.querySelector<HTMLInputElement>("#title")!;
  db.insert(app.notes, { text: input.value });
  input.value = "";
});
