// The review queue of low-confidence fusion decisions, when the store keeps one.
import { getJSON } from "./api.js";
import { el } from "./dom.js";
import { t } from "./i18n.js";
import { shell, showError } from "./shell.js";

shell("review");
const main = document.getElementById("review");

async function render() {
  main.append(el("h1", { text: t("review_queue") }));
  let queue;
  try {
    queue = await getJSON("/api/review");
  } catch (error) {
    if (error.status === 404) { main.append(el("p", { id: "no-review", text: t("review_missing") })); return; }
    throw error;
  }
  main.append(el("pre", { text: JSON.stringify(queue, null, 2) }));
}

render().catch((error) => showError(main, error)).finally(() => {
  document.body.dataset.state = "ready";
});
