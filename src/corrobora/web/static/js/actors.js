// The actor graph over the period in the URL: registry relations (alliance, rivalry,
// splinter-of, faction-of, leader-of) valid then, and actors named in the same events.
import cytoscape from "/static/vendor/cytoscape/cytoscape.esm.min.mjs";
import { getJSON } from "./api.js";
import { el } from "./dom.js";
import { t } from "./i18n.js";
import { filterForm, readFilters } from "./filters.js";
import { shell, showError } from "./shell.js";

shell("actors");
const $ = (id) => document.getElementById(id);
const COLOURS = { criminal_group: "#d62728", state_force: "#1f77b4", government: "#2ca02c",
  person: "#9467bd", media: "#7f7f7f" };
let cy = null;

async function drawGraph(filters) {
  const graph = await getJSON("/api/actors/graph", filters);
  const elements = [
    ...graph.nodes.map((n) => ({ data: { id: n.id, label: n.name || n.id, type: n.type,
      size: 18 + 6 * Math.sqrt(n.events) } })),
    ...graph.edges.map((e, i) => ({ data: { id: `e${i}`, source: e.source, target: e.target,
      type: e.type, label: e.type === "co_occurs" ? String(e.events) : e.type,
      width: e.type === "co_occurs" ? 1 + Math.sqrt(e.events) : 2.5 } })),
  ];
  if (cy) cy.destroy();
  cy = cytoscape({
    container: $("graph"), elements,
    style: [
      { selector: "node", style: { label: "data(label)", width: "data(size)",
        height: "data(size)", "font-size": 10, "text-valign": "bottom", "text-wrap": "wrap",
        "text-max-width": 120, "background-color": (n) => COLOURS[n.data("type")] || "#555" } },
      { selector: "edge", style: { width: "data(width)", "line-color": "#bbb",
        "curve-style": "bezier", label: "data(label)", "font-size": 8, color: "#555" } },
      { selector: "edge[type != 'co_occurs']", style: { "line-color": "#e377c2",
        "target-arrow-shape": "triangle", "target-arrow-color": "#e377c2" } },
    ],
    layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 8000 },
  });
  $("graph-count").textContent = `${graph.nodes.length} · ${graph.edges.length}`;
}

async function candidates() {
  const data = await getJSON("/api/actors", { status: "candidate" });
  $("candidates").append(el("table", {},
    el("thead", {}, el("tr", {}, ["actor", "name", "type", "reports", "documents"].map((h) => el("th", { text: t(h) })))),
    el("tbody", {}, data.items.map((a) => el("tr", {}, el("td", { text: a.id }),
      el("td", { text: a.name }), el("td", { text: a.type || "" }),
      el("td", { class: "num", text: a.reports }), el("td", { class: "num", text: a.documents }))))));
}

async function main() {
  try {
    await filterForm($("filter-bar"), drawGraph);
    await Promise.all([drawGraph(readFilters()), candidates()]);
  } catch (error) {
    showError($("messages"), error);
  }
  document.body.dataset.state = "ready";
}

main();
