// Filters live in the URL query (shareable): the same names as the API's parameters.
import { getJSON } from "./api.js";
import { el, clear } from "./dom.js";
import { t } from "./i18n.js";

export const FILTER_KEYS = ["type", "actor", "place", "since", "until", "min_credibility",
  "language"];

export function readFilters() {
  const params = new URLSearchParams(location.search);
  const out = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) out[key] = value;
  }
  return out;
}

// Replace the filters in the URL, keeping other parameters (lang), without reloading.
export function writeFilters(filters) {
  const params = new URLSearchParams(location.search);
  for (const key of FILTER_KEYS) {
    if (filters[key]) params.set(key, filters[key]);
    else params.delete(key);
  }
  const query = params.toString();
  history.replaceState(null, "", location.pathname + (query ? `?${query}` : ""));
}

// The query string a link should carry: the UI language and, optionally, the filters.
export function carry(extra = {}, withFilters = true) {
  const params = new URLSearchParams();
  const current = new URLSearchParams(location.search);
  if (current.get("lang")) params.set("lang", current.get("lang"));
  if (withFilters) for (const [k, v] of Object.entries(readFilters())) params.set(k, v);
  for (const [k, v] of Object.entries(extra)) if (v) params.set(k, v);
  const query = params.toString();
  return query ? `?${query}` : "";
}

function select(name, options, value) {
  const node = el("select", { name, id: `f-${name}` },
    el("option", { value: "", text: t("any") }));
  for (const o of options) {
    node.append(el("option", { value: o.value, text: o.label, selected: o.value === value }));
  }
  return node;
}

// The filter form; calls onChange(filters) when applied.
export async function filterForm(container, onChange) {
  const facets = await getJSON("/api/facets");
  const f = readFilters();
  const labelled = (key, input) => el("label", { class: "filter" },
    el("span", { text: t(key) }), input);
  const form = el("form", { class: "filters", id: "filters" },
    labelled("type", select("type", facets.types.map((x) => ({
      value: x.value, label: `${x.value} (${x.events})` })), f.type)),
    labelled("place", select("place", facets.regions.map((x) => ({
      value: x.value, label: `${x.value} (${x.events})` })), f.place)),
    labelled("actor", select("actor", facets.actors.map((x) => ({
      value: x.value, label: `${x.name} (${x.events})` })), f.actor)),
    labelled("since", el("input", { type: "date", name: "since", id: "f-since",
      value: f.since || "" })),
    labelled("until", el("input", { type: "date", name: "until", id: "f-until",
      value: f.until || "" })),
    labelled("min_credibility", select("min_credibility", [1, 2, 3, 4, 5, 6].map((n) => ({
      value: String(n), label: String(n) })), f.min_credibility)),
    labelled("language", select("language", facets.languages.map((x) => ({
      value: x.value, label: x.value })), f.language)),
    el("button", { type: "submit", id: "f-apply", text: t("apply") }),
    el("button", { type: "button", id: "f-reset", text: t("reset"),
      onclick: () => { form.reset(); for (const s of form.querySelectorAll("select, input")) s.value = ""; apply(); } }),
  );
  function apply() {
    const data = new FormData(form);
    const filters = {};
    for (const key of FILTER_KEYS) if (data.get(key)) filters[key] = data.get(key);
    writeFilters(filters);
    onChange(filters);
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); apply(); });
  clear(container).append(form);
  return {
    facets,
    // Set the period from elsewhere (the timeline brush) and apply.
    setPeriod(since, until) {
      form.elements.since.value = since || "";
      form.elements.until.value = until || "";
      apply();
    },
  };
}
