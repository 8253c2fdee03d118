// The header every page shares: title, navigation (keeping lang and filters), language switch.
import { el, clear } from "./dom.js";
import { lang, t, translate } from "./i18n.js";
import { carry } from "./filters.js";

export function shell(active) {
  translate();
  const header = document.getElementById("top");
  const link = (href, key, keepFilters = true) => el("a", {
    href: href + carry({}, keepFilters), class: key === active ? "active" : null,
    id: `nav-${key}`, text: t(`nav_${key}`) });
  const other = lang === "es" ? "en" : "es";
  const params = new URLSearchParams(location.search);
  params.set("lang", other);
  clear(header).append(
    el("a", { href: "/" + carry(), class: "brand", text: t("title") }),
    el("span", { class: "tagline", text: t("tagline") }),
    el("nav", {}, link("/", "map"), link("/sources", "sources", false),
      link("/actors", "actors"), link("/analyses", "analyses", false),
      link("/review", "review", false), link("/report", "report", false), el("a", { href: "/docs", id: "nav-api", text: t("nav_api") })),
    el("a", { href: `${location.pathname}?${params}`, class: "lang", id: "lang-switch",
      text: other.toUpperCase() }),
  );
}

export function showError(container, error) {
  container.append(el("p", { class: "error", role: "alert",
    text: `${t("error")}: ${error.message || error}` }));
}
