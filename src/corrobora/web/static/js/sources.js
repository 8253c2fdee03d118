// The source registry: Admiralty grades, and what the store holds from each source.
import { getJSON } from "./api.js";
import { el } from "./dom.js";
import { carry } from "./filters.js";
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

// What `corrobora watch` polled and what arrived (docs/watch.md).
function when(value) {
  return value ? new Date(value).toISOString().slice(0, 16).replace("T", " ") + " UTC" : "";
}

async function renderIntake() {
  const data = await getJSON("/api/intake");
  const panel = el("section", { id: "intake", class: "intake" }, el("h2", { text: t("intake") }));
  main.append(panel);
  if (!data.feeds.length) {
    panel.append(el("p", { class: "muted", text: t("intake_none") }));
    return;
  }
  const head = ["intake_url", "kind", "intake_last_poll", "status", "intake_items", "intake_errors",
    "intake_next_poll"];
  panel.append(
    el("table", { class: "sources", id: "intake-feeds" },
      el("thead", {}, el("tr", {}, head.map((h) => el("th", { text: t(h) })))),
      el("tbody", {}, data.feeds.map((f) => el("tr", { class: f.last_outcome === "error" ? "failed" : null },
        el("td", { text: f.url }), el("td", { text: label("intake_kind_", f.kind) }),
        el("td", { text: when(f.last_polled) }),
        el("td", { text: label("intake_", f.last_outcome || "none_yet"), title: f.last_error || null }),
        el("td", { class: "num", text: f.items }), el("td", { class: "num", text: f.errors }),
        el("td", { text: when(f.next_poll) }))))),
    el("h2", { text: t("intake_arrived") }),
    data.items.length
      ? el("ul", { id: "intake-items" }, data.items.map((i) => el("li", {},
        el("a", { href: `/document${carry({ id: i.document_id }, false)}`, text: i.title || i.url || i.document_id }),
        " · ", el("span", { class: "muted", text: `${when(i.first_seen)} · ${i.feed_url}` }))))
      : el("p", { class: "muted", text: t("intake_nothing") }),
  );
  const failed = data.polls.filter((p) => p.problem);
  if (failed.length) {
    panel.append(el("h2", { text: t("intake_problems") }),
      el("ul", { id: "intake-problems" }, failed.map((p) => el("li", {},
        el("span", { class: "muted", text: `${when(p.polled_at)} · ${p.feed_url}: ` }), p.problem))));
  }
}

render().then(renderIntake).catch((error) => showError(main, error)).finally(() => {
  document.body.dataset.state = "ready";
});
