// An analyst's own report (a human source): what the source told, its Admiralty grades and
// its TLP marking, posted to /api/reports (docs/team.md). The login cookie goes with it; a
// local server started with --review takes the review token instead.
import { el } from "./dom.js";
import { getJSON } from "./api.js";
import { t } from "./i18n.js";
import { shell, showError } from "./shell.js";

shell("report");
const main = document.getElementById("report");
const TOKEN_KEY = "corrobora-review-token";
const status = el("p", { id: "report-status", role: "status" });

const field = (id, labelKey, input) => el("p", {},
  el("label", { for: id, text: t(labelKey) }), " ", input);
const select = (id, values, chosen) => el("select", { id, name: id },
  values.map((v) => el("option", { value: v, text: v, selected: v === chosen })));

const form = el("form", { id: "report-form" },
  field("report-text", "report_text", el("textarea", { id: "report-text", required: true,
    rows: 6, cols: 70, maxlength: 20000 })),
  field("report-source", "report_source", el("input", { id: "report-source", required: true,
    maxlength: 200, size: 40 })),
  field("report-reliability", "report_reliability",
    select("report-reliability", ["A", "B", "C", "D", "E", "F"], "F")),
  field("report-credibility", "report_credibility",
    select("report-credibility", ["1", "2", "3", "4", "5", "6"], "6")),
  field("report-marking", "report_marking", select("report-marking", ["TLP:CLEAR",
    "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"], "TLP:AMBER")),
  field("report-share", "report_share", el("input", { id: "report-share", size: 40 })),
  field("report-provenance", "report_provenance", el("input", { id: "report-provenance",
    maxlength: 1000, size: 60 })),
  el("button", { type: "submit", text: t("report_submit") }));

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const value = (id) => document.getElementById(id).value.trim();
  const list = value("report-share").split(/[\s,]+/).filter(Boolean);
  const marking = value("report-marking");
  const body = { text: value("report-text"), source: value("report-source"),
    reliability: value("report-reliability"), credibility: Number(value("report-credibility")),
    marking, provenance: value("report-provenance") || null,
    share_with: marking === "TLP:AMBER" ? list : [], recipients: marking === "TLP:RED" ? list : [] };
  const headers = { "Content-Type": "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch("/api/reports", { method: "POST", headers,
    body: JSON.stringify(body) });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    status.textContent = `${t("error")}: ${answer.detail && typeof answer.detail === "string"
      ? answer.detail : response.status}`;
    return;
  }
  status.textContent = t("report_stored", { id: answer.document_id,
    events: answer.events.length });
  form.reset();
});

main.append(el("h1", { text: t("report_title") }), form, status);
getJSON("/api/me").then((me) => {
  main.insertBefore(el("p", { class: "meta", text: me.user
    ? t("report_as", { user: me.user, org: me.org, role: me.role }) : t("report_local") }),
  form);
  document.body.dataset.state = "ready";
}).catch((error) => showError(main, error));
