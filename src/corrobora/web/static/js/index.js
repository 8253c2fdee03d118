// The main view: filters, timeline with brush, map and the event list, all driven by the
// filters in the URL.
import { getJSON, apiURL } from "./api.js";
import { el, clear, range } from "./dom.js";
import { t } from "./i18n.js";
import { filterForm, readFilters, carry } from "./filters.js";
import { shell, showError } from "./shell.js";
import { drawTimeline } from "./timeline.js";
import { createMap, choropleth, plotEvents, legend, colourOf } from "./map.js";

shell("map");
const $ = (id) => document.getElementById(id);
let types = [];
let view = null;
let controls = null;

function openEvent(id) {
  location.href = `/event${carry({ id })}`;
}

function row(e) {
  const place = e.place ? [e.place.name, e.place.admin1_code].filter(Boolean).join(", ") : "?";
  const when = e.date_max && e.date_max !== e.date ? `${e.date} – ${e.date_max}` : (e.date || "?");
  const swatch = el("span", { class: "swatch" });
  swatch.style.backgroundColor = colourOf(e.type, types);
  return el("tr", { class: "event-row", dataset: { id: e.id } },
    el("td", {}, el("a", { href: `/event${carry({ id: e.id })}`, class: "event-link", text: e.id })),
    el("td", {}, swatch, e.type),
    el("td", { text: when }),
    el("td", { text: place }),
    el("td", { class: "num", text: range(e.fatalities.min, e.fatalities.max) }),
    el("td", { class: "num", text: e.independent_sources }),
    el("td", { class: "grade", text: `${e.reliability}${e.credibility}` }));
}

async function loadList(filters) {
  const body = clear($("event-rows"));
  const more = $("more");
  let cursor = null;
  const page = async () => {
    const data = await getJSON("/api/events", { ...filters, limit: 50, cursor });
    body.append(...data.items.map(row));
    cursor = data.next_cursor;
    more.hidden = !cursor;
    return data;
  };
  const first = await page();
  $("count").textContent = first.items.length
    ? `${body.children.length}${cursor ? "+" : ""} ${t("events")}` : t("no_events");
  more.onclick = async () => {
    await page();
    $("count").textContent = `${body.children.length}${cursor ? "+" : ""} ${t("events")}`;
  };
  $("csv").setAttribute("href", apiURL("/api/events", { ...filters, format: "csv" }));
}

async function loadTimeline(filters) {
  const { since, until, ...rest } = filters;
  const facets = controls.facets.dates[0] || {};
  const spanDays = facets.min && facets.max
    ? (new Date(facets.max) - new Date(facets.min)) / 86400000 : 0;
  const unit = spanDays > 180 ? "month" : "day";
  const counts = await getJSON("/api/events/counts", { ...rest, by: unit });
  drawTimeline($("timeline"), counts.items, unit, { since, until },
    (a, b) => controls.setPeriod(a, b));
}

async function loadMap(filters) {
  const [points, regions] = await Promise.all([
    getJSON("/api/geo/events", { ...filters, limit: 20000 }),
    getJSON("/api/geo/regions", filters),
  ]);
  choropleth(view, regions.items);
  plotEvents(view, points.features, types, openEvent);
}

async function refresh(filters) {
  document.body.dataset.state = "loading";
  try {
    await Promise.all([loadList(filters), loadTimeline(filters), loadMap(filters)]);
    document.body.dataset.state = "ready";
  } catch (error) {
    showError($("messages"), error);
    document.body.dataset.state = "error";
  }
}

async function main() {
  try {
    controls = await filterForm($("filter-bar"), refresh);
    types = controls.facets.types.map((x) => x.value);
    legend($("legend"), types);
    view = await createMap($("map"));
    await refresh(readFilters());
  } catch (error) {
    showError($("messages"), error);
    document.body.dataset.state = "error";
  }
}

main();
