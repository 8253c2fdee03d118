// The actor graph over the period in the URL: registry relations (alliance, rivalry,
// splinter-of, faction-of, leader-of) valid then, and actors named in the same events.
// Only the most named actors are drawn (a control chooses how many), sized by the events
// naming them; only labels that do not overlap are shown, the others on hover.
import cytoscape from "/static/vendor/cytoscape/cytoscape.esm.min.mjs";
import { getJSON } from "./api.js";
import { el, clear } from "./dom.js";
import { t, label, number } from "./i18n.js";
import { filterForm, readFilters } from "./filters.js";
import { shell, showError } from "./shell.js";

shell("actors");
const $ = (id) => document.getElementById(id);
const COLOURS = { criminal_group: "#d62728", state_force: "#1f77b4", government: "#2ca02c",
  person: "#9467bd", media: "#7f7f7f" };
const OTHER = "#555555";
const EDGE_COLOURS = { co_occurs: "#c3c8d0", alliance: "#2ca02c", rivalry: "#d62728",
  splinter_of: "#ff7f0e", faction_of: "#8c564b", leader_of: "#e377c2",
  official_of: "#17becf", cell_of: "#bcbd22" };
const TOP_CHOICES = [10, 25, 50];
const DEFAULT_TOP = 25;
const MAX_LABELS = 14;
let cy = null;
let graph = null;

function topActors(data, top) {
  const nodes = [...data.nodes].sort((a, b) => b.events - a.events || a.id.localeCompare(b.id))
    .slice(0, top || undefined);
  const kept = new Set(nodes.map((n) => n.id));
  const inside = data.edges.filter((e) => kept.has(e.source) && kept.has(e.target));
  // Co-occurrence ties every pair named together once: keep the strongest (twice as many
  // as nodes), so the registry relations and the main ties stay readable.
  const co = inside.filter((e) => e.type === "co_occurs").sort((a, b) => b.events - a.events)
    .slice(0, 2 * nodes.length);
  return { nodes, edges: [...co, ...inside.filter((e) => e.type !== "co_occurs")] };
}

function overlaps(a, b) {
  return !(a.x2 <= b.x1 || b.x2 <= a.x1 || a.y2 <= b.y1 || b.y2 <= a.y1);
}

// Label the largest nodes whose labels do not overlap a label already shown.
function placeLabels() {
  const nodes = cy.nodes().sort((a, b) => b.data("events") - a.data("events"));
  nodes.addClass("labelled");
  const boxes = nodes.map((n) => n.boundingBox({ includeNodes: false, includeEdges: false,
    includeLabels: true }));
  nodes.removeClass("labelled");
  const shown = [];
  nodes.forEach((n, i) => {
    const pad = 3;
    const box = { x1: boxes[i].x1 - pad, x2: boxes[i].x2 + pad, y1: boxes[i].y1 - pad,
      y2: boxes[i].y2 + pad };
    if (shown.length >= MAX_LABELS || shown.some((b) => overlaps(b, box))) return;
    shown.push(box);
    n.addClass("labelled");
  });
}

function keyItem(kind, colour, text, edge) {
  const mark = el("span", { class: edge ? "edge-swatch" : "swatch" });
  mark.style.backgroundColor = colour;
  return el("span", { class: "key", dataset: { kind } }, mark, text);
}

function drawLegend(shown) {
  const nodeKinds = [...new Set(shown.nodes.map((n) => (COLOURS[n.type] ? n.type : "other")))];
  const edgeKinds = [...new Set(shown.edges.map((e) => e.type))];
  clear($("graph-legend")).append(
    ...nodeKinds.map((k) => keyItem(k, COLOURS[k] || OTHER, label("at_kind_", k), false)),
    ...edgeKinds.map((k) => keyItem(k, EDGE_COLOURS[k] || OTHER, label("edge_", k), true)));
}

function render() {
  const top = Number($("top-n").value) || 0;
  const shown = topActors(graph, top);
  const most = Math.max(1, ...shown.nodes.map((n) => n.events));
  const elements = [
    ...shown.nodes.map((n) => ({ data: { id: n.id, label: n.name || n.id, type: n.type,
      events: n.events, size: 16 + 34 * Math.sqrt(n.events / most) } })),
    ...shown.edges.map((e, i) => ({ data: { id: `e${i}`, source: e.source, target: e.target,
      type: e.type, events: e.events || 0,
      label: e.type === "co_occurs" ? String(e.events) : label("edge_", e.type),
      width: e.type === "co_occurs" ? 1 + 1.5 * Math.sqrt(e.events) : 2.5 } })),
  ];
  if (cy) cy.destroy();
  cy = cytoscape({
    container: $("graph"), elements,
    style: [
      { selector: "node", style: { label: "", width: "data(size)", height: "data(size)",
        "font-size": 11, "text-valign": "bottom", "text-margin-y": 2, "text-wrap": "wrap",
        "text-max-width": 110, "text-background-color": "#fff",
        "text-background-opacity": 0.8, "text-background-padding": 1,
        "background-color": (n) => COLOURS[n.data("type")] || OTHER } },
      { selector: "node.labelled, node.hover", style: { label: "data(label)", "z-index": 10 } },
      { selector: "node.hover", style: { "z-index": 20, "font-weight": "bold" } },
      { selector: "edge", style: { width: "data(width)", "line-color": EDGE_COLOURS.co_occurs,
        "curve-style": "bezier", opacity: 0.8, label: "", "font-size": 9, color: "#333" } },
      { selector: "edge[type != 'co_occurs']", style: {
        "line-color": (e) => EDGE_COLOURS[e.data("type")] || OTHER,
        "target-arrow-shape": "triangle",
        "target-arrow-color": (e) => EDGE_COLOURS[e.data("type")] || OTHER } },
      { selector: "edge.hover", style: { label: "data(label)", opacity: 1 } },
    ],
    layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 60000,
      idealEdgeLength: 90, nodeOverlap: 20, padding: 20 },
  });
  placeLabels();
  cy.fit(undefined, 24); // the layout fitted the nodes; fit the labels shown too
  cy.on("mouseover", "node, edge", (event) => event.target.addClass("hover"));
  cy.on("mouseout", "node, edge", (event) => event.target.removeClass("hover"));
  window.corroboraGraph = cy; // for the browser's console (and the browser tests)
  $("graph-count").textContent = t("graph_count", { shown: number(shown.nodes.length),
    total: number(graph.nodes.length), links: number(shown.edges.length) });
  drawLegend(shown);
}

async function drawGraph(filters) {
  document.body.dataset.state = "loading";
  graph = await getJSON("/api/actors/graph", filters);
  render();
  document.body.dataset.state = "ready";
}

// How many actors to draw; ?top= in the URL (0: all) so a view can be shared.
function topControl() {
  const asked = new URLSearchParams(location.search).get("top");
  const top = [...TOP_CHOICES, 0].includes(Number(asked)) && asked !== null
    ? Number(asked) : DEFAULT_TOP;
  const select = el("select", { id: "top-n", name: "top" },
    TOP_CHOICES.map((n) => el("option", { value: String(n), text: String(n),
      selected: n === top })),
    el("option", { value: "0", text: t("all"), selected: top === 0 }));
  select.addEventListener("change", () => {
    const params = new URLSearchParams(location.search);
    params.set("top", select.value);
    history.replaceState(null, "", `${location.pathname}?${params}`);
    document.body.dataset.state = "loading";
    render();
    document.body.dataset.state = "ready";
  });
  return el("label", { class: "filter" }, el("span", { text: t("top_actors") }), select);
}

async function candidates() {
  const data = await getJSON("/api/actors", { status: "candidate" });
  $("candidates").append(el("table", {},
    el("thead", {}, el("tr", {}, ["actor", "name", "type", "reports", "documents"].map((h) => el("th", { text: t(h) })))),
    el("tbody", {}, data.items.map((a) => el("tr", {}, el("td", { text: a.id }),
      el("td", { text: a.name }), el("td", { text: a.type ? label("at_kind_", a.type) : "" }),
      el("td", { class: "num", text: a.reports }), el("td", { class: "num", text: a.documents }))))));
}

async function main() {
  try {
    $("graph-controls").append(topControl(),
      el("p", { class: "hint", text: t("graph_hint") }));
    await filterForm($("filter-bar"), drawGraph);
    await Promise.all([drawGraph(readFilters()), candidates()]);
  } catch (error) {
    showError($("messages"), error);
  }
  document.body.dataset.state = "ready";
}

main();
