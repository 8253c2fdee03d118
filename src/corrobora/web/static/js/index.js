// The main view: filters, timeline with brush, map and the event list, all driven by the
// filters in the URL.
import { getJSON, apiURL } from "./api.js";
import { el, clear, range } from "./dom.js";
import { t, number } from "./i18n.js";
import { filterForm, readFilters, carry } from "./filters.js";
import { shell, showError } from "./shell.js";
import { drawTimeline } from "./timeline.js";
import { createMap, choropleth, plotEvents, legend, colourScheme, swatch } from "./map.js";

shell("map");
const $ = (id) => document.getElementById(id);
// The most points the map draws at once (newest first); beyond it the map says so.
const MAP_WINDOW = 20000;
let scheme = null;
let view = null;
let controls = null;
// Each refresh gets a number; an answer that arrives after a newer refresh began is
// dropped, so overlapping refreshes (a brush then a double-click) never mix their rows.
let generation = 0;
let onMove = null; // the map's moveend listener while its points are a window

function openEvent(id) {
  location.href = `/event${carry({ id })}`;
}

// A cell whose text may be cut to fit the table keeps all of it in its title.
const cell = (attrs, text) => el("td", { ...attrs, title: text, text });

// A type code that may wrap after its underscores (STATE_<wbr>CLASH), its text unchanged.
function breakable(code) {
  const parts = code.split("_");
  return parts.flatMap((part, i) => (i < parts.length - 1 ? [`${part}_`, el("wbr")] : [part]));
}

function row(e) {
  const place = e.place ? [e.place.name, e.place.admin1_code].filter(Boolean).join(", ") : "?";
  const when = e.date_max && e.date_max !== e.date ? `${e.date} – ${e.date_max}` : (e.date || "?");
  return el("tr", { class: "event-row", dataset: { id: e.id, type: e.type } },
    el("td", { title: e.id },
      el("a", { href: `/event${carry({ id: e.id })}`, class: "event-link", text: e.id })),
    el("td", { title: e.type, class: "wrap" }, swatch(scheme.of(e.type)), breakable(e.type)),
    cell({}, when),
    cell({ class: "wrap" }, place),
    cell({ class: "num" }, range(e.fatalities.min, e.fatalities.max)),
    cell({ class: "num" }, e.independent_sources),
    cell({ class: "grade" }, `${e.reliability}${e.credibility}`));
}

async function loadList(filters, current) {
  const more = $("more");
  let cursor = null;
  let shown = 0;
  let total = null;
  const count = () => {
    $("count").textContent = !shown ? t("no_events")
      : cursor && total !== null ? t("showing_of", { shown: number(shown), total: number(total) })
        : `${number(shown)}${cursor ? "+" : ""} ${t("events")}`;
  };
  const page = async (body) => {
    const data = await getJSON("/api/events", { ...filters, limit: 50, cursor });
    if (!current()) return false;
    body.append(...data.items.map(row));
    shown += data.items.length;
    cursor = data.next_cursor;
    more.hidden = !cursor;
    count();
    return true;
  };
  // How many match in all (the list comes 50 at a time): the counts by type, summed.
  const tallied = getJSON("/api/events/counts", { ...filters, by: "type" }).then((x) => {
    total = x.items.reduce((n, i) => n + i.events, 0);
  });
  // The first page replaces the rows only once it has arrived (and is still wanted).
  const fresh = el("tbody", { id: "event-rows" });
  const [, wanted] = await Promise.all([tallied, page(fresh)]);
  if (!wanted) return;
  count();
  $("event-rows").replaceWith(fresh);
  more.onclick = () => page(fresh);
  for (const format of ["csv", "acled", "geojson"]) {
    $(format).setAttribute("href", apiURL("/api/events", { ...filters, format }));
  }
}

async function loadTimeline(filters, current) {
  const { since, until, ...rest } = filters;
  const facets = controls.facets.dates[0] || {};
  const spanDays = facets.min && facets.max
    ? (new Date(facets.max) - new Date(facets.min)) / 86400000 : 0;
  const unit = spanDays > 180 ? "month" : "day";
  const counts = await getJSON("/api/events/counts", { ...rest, by: unit });
  if (!current()) return;
  drawTimeline($("timeline"), counts.items, unit, { since, until },
    (a, b) => controls.setPeriod(a, b));
  $("timeline-clear").hidden = !(since || until);
}

// Points of the current view: all of Mexico first; when that is more than the window,
// moving or zooming asks again for the points inside the view.
async function loadPoints(filters, current, bbox) {
  const points = await getJSON("/api/geo/events", { ...filters, limit: MAP_WINDOW, bbox });
  if (!current()) return null;
  plotEvents(view, points.features, scheme, openEvent);
  return points;
}

async function loadMap(filters, current) {
  const [points, regions] = await Promise.all([
    getJSON("/api/geo/events", { ...filters, limit: MAP_WINDOW }),
    getJSON("/api/geo/regions", filters),
  ]);
  if (!current()) return;
  choropleth(view, regions.items);
  plotEvents(view, points.features, scheme, openEvent);
  const total = regions.items.reduce((n, r) => n + r.events, 0);
  $("shading-key").textContent = t("shading_key", { total: number(total) });
  const notice = $("map-notice");
  const say = (truncated, inView) => {
    notice.hidden = !truncated;
    notice.textContent = truncated ? t(inView ? "map_window_view" : "map_window",
      { shown: number(MAP_WINDOW), total: number(total) }) : "";
  };
  say(points.truncated, false);
  if (onMove) view.map.off("moveend", onMove);
  onMove = null;
  if (!points.truncated) return;
  onMove = async () => {
    const b = view.map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
      .map((x) => x.toFixed(4)).join(",");
    const inView = await loadPoints(filters, current, bbox);
    if (inView) say(inView.truncated, true);
  };
  view.map.on("moveend", onMove);
}

async function refresh(filters) {
  const mine = ++generation;
  const current = () => mine === generation;
  document.body.dataset.state = "loading";
  try {
    await Promise.all([loadList(filters, current), loadTimeline(filters, current),
      loadMap(filters, current)]);
    if (current()) document.body.dataset.state = "ready";
  } catch (error) {
    if (!current()) return;
    showError($("messages"), error);
    document.body.dataset.state = "error";
  }
}

async function main() {
  try {
    const [form, ontology] = await Promise.all([filterForm($("filter-bar"), refresh),
      getJSON("/api/ontology")]);
    controls = form;
    // A header cut to fit its column keeps its whole label in its title.
    for (const th of document.querySelectorAll("table.events th")) th.title = th.textContent;
    scheme = colourScheme(ontology);
    legend($("legend"), scheme, controls.facets.types.map((x) => x.value));
    $("timeline-clear").addEventListener("click", () => controls.setPeriod("", ""));
    view = await createMap($("map"));
    await refresh(readFilters());
  } catch (error) {
    showError($("messages"), error);
    document.body.dataset.state = "error";
  }
}

main();
