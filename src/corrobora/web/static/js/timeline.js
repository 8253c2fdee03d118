// A bar per month (or day) of events, with a brush: drag to choose a period.
import { svg, clear } from "./dom.js";
import { t } from "./i18n.js";

const H = 110, PAD = { left: 34, right: 8, top: 8, bottom: 22 };

function endOf(key, unit) {
  const d = new Date(`${key}T00:00:00Z`);
  if (unit === "month") { d.setUTCMonth(d.getUTCMonth() + 1); d.setUTCDate(0); }
  return d.toISOString().slice(0, 10);
}

function buckets(items, unit) {
  // Every bucket between the first and the last, empty ones included.
  if (!items.length) return [];
  const counts = new Map(items.map((i) => [i.key, i.events]));
  const out = [];
  const d = new Date(`${items[0].key}T00:00:00Z`);
  const last = items[items.length - 1].key;
  while (true) {
    const key = d.toISOString().slice(0, 10);
    out.push({ key, events: counts.get(key) || 0 });
    if (key >= last || out.length > 5000) break;
    if (unit === "month") d.setUTCMonth(d.getUTCMonth() + 1); else d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

export function drawTimeline(container, items, unit, selection, onBrush) {
  const bars = buckets(items, unit);
  const W = Math.max(container.clientWidth || 600, 300);
  const root = svg("svg", { width: W, height: H, class: "timeline", role: "img",
    "aria-label": t("timeline") });
  clear(container).append(root);
  if (!bars.length) return;
  const max = Math.max(...bars.map((b) => b.events), 1);
  const inner = W - PAD.left - PAD.right;
  const bw = inner / bars.length;
  const y = (v) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - v / max);
  root.append(svg("text", { x: 2, y: PAD.top + 8, class: "axis", text: String(max) }));
  bars.forEach((b, i) => {
    const bar = svg("rect", { x: PAD.left + i * bw + 0.5, y: y(b.events),
      width: Math.max(bw - 1, 0.5), height: H - PAD.bottom - y(b.events), class: "bar" });
    bar.append(svg("title", { text: `${b.key.slice(0, unit === "month" ? 7 : 10)}: ${b.events}` }));
    root.append(bar);
  });
  const step = Math.ceil(bars.length / Math.max(Math.floor(inner / 70), 1));
  bars.forEach((b, i) => {
    if (i % step === 0) {
      root.append(svg("text", { x: PAD.left + i * bw, y: H - 6, class: "axis",
        text: unit === "month" ? b.key.slice(0, 7) : b.key }));
    }
  });
  const index = (x) => Math.min(bars.length - 1, Math.max(0, Math.floor((x - PAD.left) / bw)));
  const brush = svg("rect", { class: "brush", y: PAD.top, height: H - PAD.top - PAD.bottom,
    x: 0, width: 0 });
  root.append(brush);
  const show = (i0, i1) => {
    const [a, b] = i0 <= i1 ? [i0, i1] : [i1, i0];
    brush.setAttribute("x", PAD.left + a * bw);
    brush.setAttribute("width", (b - a + 1) * bw);
  };
  if (selection.since || selection.until) {
    const a = bars.findIndex((b) => endOf(b.key, unit) >= (selection.since || "0000"));
    let z = bars.length - 1;
    while (z > 0 && selection.until && bars[z].key > selection.until) z -= 1;
    if (a >= 0 && z >= a) show(a, z);
  }
  let start = null;
  const xOf = (event) => event.clientX - root.getBoundingClientRect().left;
  root.addEventListener("mousedown", (event) => { start = index(xOf(event)); show(start, start); });
  root.addEventListener("mousemove", (event) => { if (start !== null) show(start, index(xOf(event))); });
  root.addEventListener("mouseup", (event) => {
    if (start === null) return;
    const end = index(xOf(event));
    const [a, b] = start <= end ? [start, end] : [end, start];
    start = null;
    onBrush(bars[a].key, endOf(bars[b].key, unit));
  });
  root.addEventListener("dblclick", () => onBrush("", ""));
}
