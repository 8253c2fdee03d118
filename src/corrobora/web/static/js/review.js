// The review queue: automatic report-to-event links, least sure first, with buttons to
// confirm the link, split the report out, or merge its event with another.
import { getJSON } from "./api.js";
import { el, clear, range } from "./dom.js";
import { t } from "./i18n.js";
import { carry } from "./filters.js";
import { shell, showError } from "./shell.js";

shell("review");
const main = document.getElementById("review");
const status = el("p", { id: "review-status", role: "status" });
const list = el("ol", { id: "review-items", class: "reports" });

// The review token: `corrobora serve --review` prints /review#token=...; the fragment never
// reaches a server, and is dropped from the address bar once kept for this tab only.
const TOKEN_KEY = "corrobora-review-token";
const given = new URLSearchParams(location.hash.slice(1)).get("token");
if (given) {
  sessionStorage.setItem(TOKEN_KEY, given);
  history.replaceState(null, "", location.pathname + location.search);
}
const tokenForm = el("form", { id: "review-token", hidden: true },
  el("label", { for: "review-token-input", text: t("review_token") }),
  el("input", { id: "review-token-input", type: "password", autocomplete: "off", size: 36 }),
  el("button", { type: "submit", text: t("ok") }));
tokenForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const value = tokenForm.querySelector("input").value.trim();
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  tokenForm.hidden = Boolean(value);
});

async function post(action, body) {
  const headers = { "Content-Type": "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`/api/review/${action}`, {
    method: "POST", headers, body: JSON.stringify(body) });
  const data = await response.json();
  if (response.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    tokenForm.hidden = false;
  }
  if (!response.ok) throw new Error(typeof data.detail === "string" ? data.detail : JSON.stringify(data.detail));
  return data;
}

async function act(action, body) {
  status.className = "";
  try {
    const outcome = await post(action, body);
    await load();
    status.textContent = `${outcome.decision_id}: ${outcome.message}`;
    status.className = "ok";
  } catch (error) {
    status.textContent = `${t("error")}: ${error.message}`;
    status.className = "error";
  }
}

function item(it, writable) {
  const merge = el("input", { class: "merge-with", placeholder: "evt-…", size: 18,
    "aria-label": t("merge") });
  const buttons = writable ? el("div", { class: "actions" },
    el("button", { type: "button", class: "confirm", text: t("confirm"),
      onclick: () => act("confirm", { id: it.report_id }) }),
    el("button", { type: "button", class: "split", text: t("split"),
      onclick: () => act("split", { reports: [it.report_id] }) }),
    merge,
    el("button", { type: "button", class: "merge", text: t("merge"),
      onclick: () => act("merge", { events: [it.event_id, merge.value.trim()] }) })) : null;
  const conflicts = [it.fatalities_conflict ? t("fatalities") : null,
    it.date_conflict ? t("date") : null].filter(Boolean);
  return el("li", { class: "report review-item", dataset: { report: it.report_id, event: it.event_id } },
    el("div", { class: "meta", text: [it.source || "?", (it.published_at || "").slice(0, 10),
      `${t("link")} ${it.link_score === null ? "?" : Number(it.link_score).toFixed(2)}`,
      `${it.n_reports} ${t("reports")}`].join(" · ") }),
    el("q", { class: "sentence", text: it.sentence || "" }),
    el("div", { class: "offsets" },
      el("a", { href: `/event${carry({ id: it.event_id }, false)}`, text: it.event_id }),
      ` · ${it.type} · ${it.place_text || ""} · ${it.date || ""} · ${range(it.fatalities_min, it.fatalities_max)}`,
      conflicts.length ? el("span", { class: "disagree", text: ` ${t("disagreement")}: ${conflicts.join(", ")}` }) : ""),
    buttons);
}

async function load() {
  let queue;
  try {
    queue = await getJSON("/api/review", { limit: 50 });
  } catch (error) {
    if (error.status === 404) {
      clear(list);
      main.append(el("p", { id: "no-review", text: t("review_missing") }));
      return;
    }
    throw error;
  }
  clear(list).append(...queue.items.map((it) => item(it, queue.writable)));
  if (!queue.writable) status.textContent = t("review_read_only");
  tokenForm.hidden = !queue.writable || Boolean(sessionStorage.getItem(TOKEN_KEY));
}

main.append(el("h1", { text: t("review_queue") }), tokenForm, status, list);
load().catch((error) => showError(main, error)).finally(() => {
  document.body.dataset.state = "ready";
});
