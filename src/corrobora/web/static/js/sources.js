// The source registry: Admiralty grades, and what the store holds from each source.
import { getJSON } from "./api.js";
import { el } from "./dom.js";
import { t, label } from "./i18n.js";
import { shell, showError } from "./shell.js";

shell("sources");
const main = document.getElementById("sources");

async function render() {
  const data = await getJSON("/api/sources");
  const head = ["name", "kind", "reliability", "country", "in_registry", "documents", "reports"];
  main.append(
    el("h1", {}, t("registry"), " ", el("a", { class: "button", href: "/api/sources?format=csv", text: t("csv") })),
    el("table", { class: "sources", id: "source-table" },
      el("thead", {}, el("tr", {}, head.map((h) => el("th", { text: t(h) })))),
      el("tbody", {}, data.items.map((s) => el("tr", {},
        el("td", { text: s.name }), el("td", { text: s.kind ? label("kind_", s.kind) : "" }),
        el("td", { class: `grade grade-${s.reliability}`, title: s.reliability_label,
          text: s.reliability }),
        el("td", { text: s.country || "" }),
        el("td", { text: s.in_registry ? t("yes") : t("no") }),
        el("td", { class: "num", text: s.documents }), el("td", { class: "num", text: s.reports }))))),
  );
}

render().catch((error) => showError(main, error)).finally(() => {
  document.body.dataset.state = "ready";
});
