// The removal study: choose a removal of the registry (or a region and a date), plot the
// monthly violent events with the before and after windows and their means.
import { getJSON } from "./api.js";
import { el, svg, clear } from "./dom.js";
import { t } from "./i18n.js";
import { shell, showError } from "./shell.js";

shell("analyses");
const $ = (id) => document.getElementById(id);

function plot(study) {
  const W = 820, H = 300, P = { l: 40, r: 10, t: 10, b: 28 };
  const before = new Set(study.before_months.map((m) => m.slice(0, 7)));
  const after = new Set(study.after_months.map((m) => m.slice(0, 7)));
  const first = study.before_months[0].slice(0, 7);
  const last = study.after_months[study.after_months.length - 1].slice(0, 7);
  const series = study.series.filter((s) => s.month.slice(0, 7) >= first && s.month.slice(0, 7) <= last);
  const max = Math.max(1, ...series.map((s) => s.count || 0), study.after_mean || 0);
  const bw = (W - P.l - P.r) / Math.max(series.length, 1);
  const y = (v) => P.t + (H - P.t - P.b) * (1 - v / max);
  const root = svg("svg", { width: W, height: H, class: "study", id: "study-plot" });
  root.append(svg("text", { x: 2, y: P.t + 10, class: "axis", text: String(Math.round(max)) }));
  series.forEach((s, i) => {
    const m = s.month.slice(0, 7);
    const cls = before.has(m) ? "before" : after.has(m) ? "after" : "gap";
    const bar = svg("rect", { x: P.l + i * bw + 1, y: y(s.count || 0), width: Math.max(bw - 2, 1),
      height: H - P.b - y(s.count || 0), class: `bar ${cls}` });
    bar.append(svg("title", { text: `${m}: ${s.count ?? "–"}` }));
    root.append(bar);
    if (i % Math.ceil(series.length / 10) === 0) root.append(svg("text", { x: P.l + i * bw, y: H - 8, class: "axis", text: m }));
  });
  const mean = (value, months, cls) => {
    const idx = series.map((s, i) => (months.has(s.month.slice(0, 7)) ? i : -1)).filter((i) => i >= 0);
    if (!idx.length || value === null) return;
    root.append(svg("line", { x1: P.l + idx[0] * bw, x2: P.l + (idx[idx.length - 1] + 1) * bw,
      y1: y(value), y2: y(value), class: `mean ${cls}` }));
  };
  mean(study.before_mean, before, "before");
  mean(study.after_mean, after, "after");
  return root;
}

// The study's method in the interface language (the API names it in English).
function methodText(method) {
  if (method.startsWith("exact conditional Poisson")) return t("method_exact");
  if (method.startsWith("quasi-Poisson GLM")) return t("method_quasi");
  return method;
}

function results(study) {
  const fmt = (v) => (v === null || v === undefined ? t("n_a") : Number(v).toFixed(2));
  const rows = [
    [t("region"), study.region], [t("removal"), study.date],
    [`${t("before")} (${study.before.from}..${study.before.to})`, `${fmt(study.before_mean)} ${t("per_month")}`],
    [`${t("after")} (${study.after.from}..${study.after.to})`, `${fmt(study.after_mean)} ${t("per_month")}`],
    [t("ratio"), `${fmt(study.ratio)} (${t("interval")} ${fmt(study.ci_low)}–${fmt(study.ci_high)})`],
    [t("method"), methodText(study.method)],
  ];
  return el("dl", { class: "fields", id: "study-results" }, rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
}

async function run(params) {
  const out = clear($("study"));
  out.append(el("p", { text: t("loading") }));
  try {
    const study = await getJSON("/api/analyses/removal", params);
    clear(out).append(results(study), plot(study),
      el("p", { class: "hint", text: `${t("windows", { b0: study.before.from, b1: study.before.to,
        a0: study.after.from, a1: study.after.to, m: String(study.date).slice(0, 7),
        lag: study.lag_months ?? 0 })}. ${
        study.source.replace("(violent events)", `(${t("violent_events")})`)}` }));
  } catch (error) {
    clear(out);
    showError(out, error);
  }
}

async function main() {
  const registry = await getJSON("/api/analyses/removals");
  const choice = el("select", { id: "removal", name: "removal" },
    registry.items.map((r) => el("option", { value: r.id, text: `${r.date} · ${r.person} (${r.group}) · ${r.region}` })));
  const region = el("input", { id: "region", name: "region", placeholder: "MX-SIN", size: 8 });
  const day = el("input", { id: "day", name: "date", type: "date" });
  const form = el("form", { class: "filters" },
    el("label", { class: "filter" }, el("span", { text: t("removal") }), choice),
    el("label", { class: "filter" }, el("span", { text: t("region") }), region),
    el("label", { class: "filter" }, el("span", { text: t("date") }), day),
    el("button", { type: "submit", id: "run", text: t("run") }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(region.value && day.value ? { region: region.value, date: day.value }
      : { removal: choice.value });
  });
  $("controls").append(form);
  document.body.dataset.state = "ready";
}

main().catch((error) => showError($("study"), error));
