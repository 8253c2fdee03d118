// The map: offline basemap (Natural Earth countries and Mexican states served by
// Corrobora), a choropleth of events by state, clustered points coloured by type and sized
// by fatalities. Leaflet, leaflet.markercluster and topojson-client are vendored globals.
/* global L, topojson */
import { el } from "./dom.js";
import { t, label } from "./i18n.js";

// One colour per event family (Tableau 10, well apart for the eye); should the ontology
// name more families, further hues are spread around the colour wheel.
const PALETTE = ["#d62728", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
  "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"];

// The ontology's families, in the order that gives each its colour, and each type's family.
export function colourScheme(ontology) {
  const families = [...ontology.families];
  const family = new Map(ontology.types.map((x) => [x.type, x.family]));
  const colour = new Map(families.map((f, i) => [f, i < PALETTE.length ? PALETTE[i]
    : `hsl(${Math.round((i - PALETTE.length) * 137.5) % 360}, 55%, 45%)`]));
  return { families, family, colour,
    of: (type) => colour.get(family.get(type) || type) || "#444" };
}

export function familyLabel(name) {
  return label("fam_", name);
}

export async function createMap(node) {
  const map = L.map(node, { center: [23.5, -102], zoom: 5, minZoom: 2, maxZoom: 12,
    attributionControl: true, preferCanvas: false, zoomControl: false });
  L.control.zoom({ zoomInTitle: t("zoom_in"), zoomOutTitle: t("zoom_out") }).addTo(map);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(t("attribution"));
  const [world, states] = await Promise.all([
    fetch("/static/vendor/world-atlas/countries-50m.json").then((r) => r.json()),
    fetch("/static/vendor/mexico-states/mexico-states.geojson").then((r) => r.json()),
  ]);
  const countries = topojson.feature(world, world.objects.countries);
  L.geoJSON(countries, { interactive: false,
    style: { color: "#8a8f98", weight: 0.7, fillColor: "#eef0f3", fillOpacity: 1 } }).addTo(map);
  const stateLayer = L.geoJSON(states, {
    style: { color: "#6b7280", weight: 0.8, fillColor: "#ffffff", fillOpacity: 0.6 },
    onEachFeature: (feature, layer) => {
      layer.bindTooltip(() => el("span", { text: `${feature.properties.name} (${
        feature.properties.code}): ${feature.properties.events || 0}` }), { sticky: true });
    },
  }).addTo(map);
  const clusters = L.markerClusterGroup({ disableClusteringAtZoom: 9, maxClusterRadius: 40,
    showCoverageOnHover: false });
  map.addLayer(clusters);
  return { map, stateLayer, clusters };
}

// Shade each state by its number of events (a sequential scale on sqrt counts).
export function choropleth(view, regions) {
  const counts = new Map(regions.map((r) => [r.code, r.events]));
  const max = Math.max(1, ...regions.map((r) => r.events));
  view.stateLayer.eachLayer((layer) => {
    const n = counts.get(layer.feature.properties.code) || 0;
    layer.feature.properties.events = n;
    const k = Math.sqrt(n / max);
    layer.setStyle({ fillColor: n ? `rgb(${255 - Math.round(90 * k)}, ${
      245 - Math.round(160 * k)}, ${235 - Math.round(180 * k)})` : "#ffffff",
    fillOpacity: n ? 0.75 : 0.5 });
  });
}

export function plotEvents(view, features, scheme, onOpen) {
  view.clusters.clearLayers();
  const markers = features.map((f) => {
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties;
    const dead = p.fatalities_max || p.fatalities_min || 0;
    const marker = L.circleMarker([lat, lon], { radius: 5 + Math.min(14, 2.5 * Math.sqrt(dead)),
      color: "#222", weight: 1, fillColor: scheme.of(p.type), fillOpacity: 0.85 });
    // A tooltip built from text nodes: place names come from reports.
    const tip = el("div", {}, el("strong", { text: p.type }), el("br"),
      `${p.date || "?"} · ${p.place_name || ""} ${p.admin1_code || ""}`, el("br"),
      `${p.reliability}${p.credibility} · ${dead} †`);
    marker.bindTooltip(tip);
    marker.on("click", () => onOpen(p.id));
    return marker;
  });
  view.clusters.addLayers(markers);
}

// A key per family of the events present, its types in the title.
export function legend(container, scheme, presentTypes) {
  const present = new Set(presentTypes.map((x) => scheme.family.get(x) || x));
  const keys = scheme.families.filter((f) => present.has(f)).map((f) => el("span", {
    class: "key", dataset: { family: f },
    title: presentTypes.filter((x) => (scheme.family.get(x) || x) === f).join(", ") },
    swatch(scheme.colour.get(f)), familyLabel(f)));
  container.append(el("span", { class: "legend-title", text: `${t("families")}:` }), ...keys);
}

export function swatch(colour) {
  const s = el("span", { class: "swatch" });
  s.style.backgroundColor = colour;
  return s;
}
