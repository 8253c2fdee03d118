// One document: its text with every span highlighted from character offsets. Text is
// only ever inserted as text nodes, so markup inside an article shows as markup.
import { getJSON } from "./api.js";
import { el } from "./dom.js";
import { t } from "./i18n.js";
import { carry } from "./filters.js";
import { shell, showError } from "./shell.js";

shell("map");
const main = document.getElementById("document");
const query = new URLSearchParams(location.search);

// Cut the text at every span boundary; each piece carries the classes of the spans
// covering it.
function segments(text, spans) {
  const cuts = new Set([0, text.length]);
  for (const s of spans) { cuts.add(s.start); cuts.add(s.end); }
  const points = [...cuts].filter((x) => x >= 0 && x <= text.length).sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < points.length; i += 1) {
    const [a, b] = [points[i], points[i + 1]];
    if (a === b) continue;
    out.push({ a, b, spans: spans.filter((s) => s.start <= a && s.end >= b) });
  }
  return out;
}

function renderText(doc, highlight, eventId) {
  const spans = doc.spans.map((s) => ({ ...s }));
  if (highlight) spans.push({ kind: "current", start: highlight[0], end: highlight[1] });
  const body = el("div", { class: "doc-text", id: "doc-text" });
  let first = null;
  for (const seg of segments(doc.text, spans)) {
    const piece = doc.text.slice(seg.a, seg.b);
    if (!seg.spans.length) { body.append(piece); continue; }
    const classes = new Set();
    let event = null;
    for (const s of seg.spans) {
      if (s.kind === "event_report") {
        classes.add("sentence");
        if (s.event_id === eventId) classes.add("of-event");
        event = event || s.event_id;
      } else if (s.kind === "current") classes.add("current");
      else classes.add(`m-${s.kind}`);
    }
    const node = el("span", { class: [...classes].join(" "),
      title: event ? `${t("event")} ${event}` : null, dataset: event ? { event } : {} });
    node.textContent = piece;
    if (event) node.addEventListener("click", () => { location.href = `/event${carry({ id: event }, false)}`; });
    if (classes.has("current") && !first) first = node;
    body.append(node);
  }
  return { body, first };
}

function legend() {
  const keys = [["current", "legend_current"], ["sentence", "legend_sentence"],
    ["m-entity", "legend_entity"], ["m-place", "legend_place"], ["m-date", "legend_date"],
    ["m-number", "legend_number"], ["m-attribution", "legend_attribution"]];
  return el("p", { class: "legend" }, el("span", { text: `${t("legend")}: ` }),
    keys.map(([cls, key]) => el("span", { class: `key ${cls}`, text: t(key) })));
}

async function render() {
  const id = query.get("id") || "";
  const doc = await getJSON(`/api/documents/${encodeURIComponent(id)}`);
  const hl = (query.get("hl") || "").split("-").map(Number);
  const highlight = hl.length === 2 && hl.every(Number.isFinite) ? hl : null;
  document.title = `${doc.title || doc.id} · Corrobora`;
  const meta = [
    [t("source"), `${doc.source || "?"}${doc.reliability ? ` (${doc.reliability})` : ""}`],
    [t("published"), doc.published_at || "?"], [t("language"), doc.lang || "?"],
    [t("origin"), doc.origin || ""], [t("url"), doc.url || ""], [t("story"), doc.story_id || ""],
    [t("copy_of"), doc.duplicate_of || "–"], ["TLP", doc.marking],
  ];
  const { body, first } = renderText(doc, highlight, query.get("event"));
  main.append(
    el("h1", { id: "doc-title", text: doc.title || doc.id }),
    el("dl", { class: "fields" }, meta.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })])),
    legend(),
    el("section", { class: "panel" }, el("h2", { text: t("text") }), body),
  );
  if (first) first.scrollIntoView({ block: "center" });
}

render().catch((error) => showError(main, error)).finally(() => {
  document.body.dataset.state = "ready";
});
