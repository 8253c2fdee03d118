// One event: fused fields, disagreement ranges, grading, actors and every supporting
// sentence (with its trigger marked) linked to its place in the document.
import { getJSON } from "./api.js";
import { el, range } from "./dom.js";
import { t } from "./i18n.js";
import { carry } from "./filters.js";
import { shell, showError } from "./shell.js";

shell("map");
const main = document.getElementById("event");

// The Admiralty label of a grade in the interface language ("" for no grade).
function gradeLabel(scale, grade) {
  return grade === null || grade === undefined ? "" : t(`${scale}_${grade}`);
}

function field(label, ...value) {
  return [el("dt", { text: t(label) }), el("dd", {}, ...value)];
}

// The sentence as text, its trigger wrapped in <mark> (offsets are into the document).
function sentence(report) {
  const text = report.sentence.text || "";
  const a = report.trigger.start - report.sentence.start;
  const b = report.trigger.end - report.sentence.start;
  if (!(a >= 0 && b > a && b <= text.length)) return el("q", { class: "sentence", text });
  return el("q", { class: "sentence" }, text.slice(0, a),
    el("mark", { class: "trigger", text: text.slice(a, b) }), text.slice(b));
}

function reportItem(r, eventId) {
  const meta = [r.source || "?", r.published_at ? r.published_at.slice(0, 10) : "?"];
  const tags = [];
  if (r.attribution.length) tags.push(`${t("according_to")} ${r.attribution.join(", ")}`);
  if (r.hedged) tags.push(t("hedged"));
  return el("li", { class: "report", dataset: { document: r.document_id } },
    el("div", { class: "meta", text: meta.join(" · ") }),
    r.title ? el("div", { class: "title", text: r.title }) : null,
    sentence(r),
    tags.length ? el("div", { class: "tags", text: tags.join("; ") }) : null,
    el("div", { class: "offsets" },
      el("a", { class: "to-document",
        href: `/document${carry({ id: r.document_id, event: eventId,
          hl: `${r.sentence.start}-${r.sentence.end}` }, false)}`,
        text: `${t("open_document")} (${r.document_id}, ${r.sentence.start}–${r.sentence.end})` }),
      r.duplicate_of ? ` · ${t("copy_of")} ${r.duplicate_of}` : ""));
}

async function render() {
  const id = new URLSearchParams(location.search).get("id");
  const e = await getJSON(`/api/events/${encodeURIComponent(id || "")}`);
  document.title = `${e.type} ${e.id} · Corrobora`;
  const p = e.place || {};
  const when = e.date_max && e.date_max !== e.date ? `${e.date} – ${e.date_max}` : (e.date || "?");
  const ranges = e.ranges;
  const disagree = (key) => ranges.disagree[key]
    ? el("span", { class: "disagree", text: ` ${t("disagreement")}: ${
      ranges[key].reported.join(" / ")}` }) : null;
  const g = e.grading;
  main.append(
    el("h1", {}, el("span", { class: "type", text: e.type }), " ",
      el("small", { class: "id", text: e.id })),
    el("p", { class: "subtitle", text: [e.acled_event_type && t(`acled_${e.acled_event_type}`),
      e.case_label].filter(Boolean).join(" · ") }),
    el("div", { class: "columns" },
      el("section", { class: "panel" }, el("h2", { text: t("event") }), el("dl", { class: "fields" },
        field("when", when, ` (${t("precision")} ${e.time_precision ?? "?"})`, disagree("date")),
        field("where", [p.name, p.admin1_code, p.country_code].filter(Boolean).join(", ") || "?"),
        p.admin2_name ? field("municipality", `${p.admin2_name}${p.inegi_code ? ` (INEGI ${p.inegi_code})` : ""}`) : [],
        p.lat !== null && p.lat !== undefined
          ? field("coordinates", `${p.lat.toFixed(4)}, ${p.lon.toFixed(4)} (${t("precision")} ${p.geo_precision ?? "?"})`) : [],
        field("fatalities", range(e.fatalities.min, e.fatalities.max) || "–", disagree("fatalities")),
        field("actors", el("ul", { class: "actors" }, e.actors.map((a) => el("li", {},
          `${a.role}: ${a.text}`, a.actor_id ? el("span", { class: "actor-id",
            text: ` → ${a.actor_name || a.actor_id}` }) : "")))),
      )),
      el("section", { class: "panel grading" }, el("h2", { text: t("grading") }), el("dl", { class: "fields" },
        field("reliability", el("strong", { text: g.reliability }), ` ${gradeLabel("rel", g.reliability)}`),
        field("credibility", el("strong", { text: g.credibility }), ` ${gradeLabel("cred", g.credibility)}`),
        field("independent_sources", el("strong", { id: "independent", text: g.independent_sources })),
        field("reports", String(g.n_reports)),
        field("source_keys", g.source_keys.join(", ")),
      ))),
    el("section", { class: "panel" }, el("h2", { text: `${t("supporting")} (${e.reports.length})` }),
      el("ol", { class: "reports" }, e.reports.map((r) => reportItem(r, e.id)))),
  );
}

render().catch((error) => showError(main, error)).finally(() => {
  document.body.dataset.state = "ready";
});
