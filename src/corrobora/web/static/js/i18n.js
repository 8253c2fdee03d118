// Interface strings in English and Spanish; the language comes from ?lang= (shareable).
export const STRINGS = {
  en: {
    title: "Corrobora", tagline: "Graded events, traceable to their sentences",
    nav_map: "Events", nav_sources: "Sources", nav_actors: "Actors",
    nav_analyses: "Analyses", nav_review: "Review", nav_api: "API",
    type: "Type", actor: "Actor", place: "State", since: "From", until: "To",
    min_credibility: "Min. credibility", language: "Language", any: "any", apply: "Apply",
    reset: "Reset", events: "events", more: "More", csv: "Download CSV",
    acled: "ACLED CSV", geojson: "GeoJSON",
    date: "Date", fatalities: "Fatalities", grade: "Grade", sources: "Sources",
    reports: "Reports", map: "Map", timeline: "Timeline", list: "Events",
    brush_hint: "Drag across the timeline to choose a period; double-click to clear.",
    event: "Event", when: "When", where: "Where", municipality: "Municipality",
    coordinates: "Coordinates", precision: "precision", grading: "Grading",
    reliability: "Reliability", credibility: "Credibility",
    independent_sources: "Independent sources", source_keys: "Counted as",
    disagreement: "Sources disagree", reported_values: "reported", actors: "Actors",
    supporting: "Supporting sentences", open_document: "Show in the document",
    according_to: "according to", hedged: "hedged", document: "Document",
    published: "Published", source: "Source", origin: "Origin", copy_of: "Copy of",
    story: "Story", text: "Text", legend: "Legend",
    legend_sentence: "event sentence", legend_current: "selected sentence",
    legend_entity: "entity", legend_place: "place", legend_date: "date",
    legend_number: "number", legend_attribution: "attribution",
    registry: "Source registry", kind: "Kind", country: "Country",
    in_registry: "In registry", documents: "Documents", yes: "yes", no: "no",
    actor_graph: "Actors in the selected period", candidates: "Candidate actors",
    name: "Name", status: "Status", relation: "Relation",
    removal_study: "Removal study", removal: "Removal", region: "Region", run: "Run",
    before: "before", after: "after", ratio: "Ratio after/before", interval: "95% interval",
    method: "Method", per_month: "events a month", no_events: "No events match.",
    loading: "Loading…", error: "Error", not_found: "Not found",
    review_queue: "Review queue", confirm: "Confirm", split: "Split", merge: "Merge",
    review_missing: "No review queue in this store.",
    showing_of: "showing {shown} of {total} events", zoom_in: "Zoom in", zoom_out: "Zoom out",
    id: "Id", url: "URL", n_a: "n/a", clear_period: "Clear the period",
    attribution: "Natural Earth (public domain)",
    map_window: "Showing the newest {shown} of {total} events; zoom in or filter to see the others.",
    map_window_view: "Showing the newest {shown} of the events in this view; zoom in or filter to see the others.",
    shading_key: "States shaded by their number of events: {total} in all.",
    families: "Event families",
    fam_political_violence: "Political violence", fam_demonstrations: "Demonstrations",
    fam_security_operations: "Security operations", fam_diplomacy: "Diplomacy",
    fam_disasters: "Disasters", fam_OTHER: "Other",
    acled_Battles: "Battles", "acled_Violence against civilians": "Violence against civilians",
    "acled_Explosions/Remote violence": "Explosions/Remote violence", acled_Riots: "Riots",
    acled_Protests: "Protests", "acled_Strategic developments": "Strategic developments",
    rel_A: "completely reliable", rel_B: "usually reliable", rel_C: "fairly reliable",
    rel_D: "not usually reliable", rel_E: "unreliable", rel_F: "reliability cannot be judged",
    cred_1: "confirmed by other sources", cred_2: "probably true", cred_3: "possibly true",
    cred_4: "doubtful", cred_5: "improbable", cred_6: "cannot be judged",
    method_exact: "exact conditional Poisson rate-ratio interval (a window has no counts)",
    method_quasi: "quasi-Poisson GLM, log link, after-window indicator; ratio = exp(coef); 95% Wald interval with Pearson chi2 dispersion (floored at 1) and t quantiles",
    windows: "before {b0}..{b1}, after {a0}..{a1}; removal month {m} excluded, skipping {lag} month(s) after it",
    violent_events: "violent events",
    top_actors: "Actors shown", all: "all",
    graph_count: "{shown} of {total} actors · {links} links",
    graph_hint: "The most named actors; point at a node to read its name. Sizes: events naming the actor.",
    at_kind_criminal_group: "criminal group", at_kind_state_force: "state force",
    at_kind_government: "government", at_kind_person: "person", at_kind_media: "media",
    at_kind_other: "other",
    edge_co_occurs: "named in the same events (width: how many)",
    edge_alliance: "alliance", edge_rivalry: "rivalry", edge_splinter_of: "splinter of",
    edge_faction_of: "faction of", edge_leader_of: "leader of", edge_official_of: "official of",
    edge_cell_of: "cell of",
    kind_wire: "wire", kind_national: "national", kind_local: "local", kind_official: "official",
    kind_ngo: "NGO", "kind_op-ed": "op-ed", kind_analyst: "analyst",
  },
  es: {
    title: "Corrobora", tagline: "Eventos calificados, trazables hasta sus oraciones",
    nav_map: "Eventos", nav_sources: "Fuentes", nav_actors: "Actores",
    nav_analyses: "Análisis", nav_review: "Revisión", nav_api: "API",
    type: "Tipo", actor: "Actor", place: "Estado", since: "Desde", until: "Hasta",
    min_credibility: "Credibilidad mín.", language: "Idioma", any: "cualquiera",
    apply: "Aplicar", reset: "Limpiar", events: "eventos", more: "Más",
    csv: "Descargar CSV", acled: "CSV de ACLED", geojson: "GeoJSON", date: "Fecha", fatalities: "Muertos", grade: "Calificación",
    sources: "Fuentes", reports: "Reportes", map: "Mapa", timeline: "Línea de tiempo",
    list: "Eventos",
    brush_hint: "Arrastre sobre la línea de tiempo para elegir un periodo; doble clic para quitarlo.",
    event: "Evento", when: "Cuándo", where: "Dónde", municipality: "Municipio",
    coordinates: "Coordenadas", precision: "precisión", grading: "Calificación",
    reliability: "Fiabilidad", credibility: "Credibilidad",
    independent_sources: "Fuentes independientes", source_keys: "Contadas como",
    disagreement: "Las fuentes discrepan", reported_values: "reportado", actors: "Actores",
    supporting: "Oraciones de respaldo", open_document: "Ver en el documento",
    according_to: "según", hedged: "con reservas", document: "Documento",
    published: "Publicado", source: "Fuente", origin: "Origen", copy_of: "Copia de",
    story: "Historia", text: "Texto", legend: "Leyenda",
    legend_sentence: "oración de evento", legend_current: "oración seleccionada",
    legend_entity: "entidad", legend_place: "lugar", legend_date: "fecha",
    legend_number: "número", legend_attribution: "atribución",
    registry: "Registro de fuentes", kind: "Clase", country: "País",
    in_registry: "En el registro", documents: "Documentos", yes: "sí", no: "no",
    actor_graph: "Actores en el periodo elegido", candidates: "Actores candidatos",
    name: "Nombre", status: "Estado", relation: "Relación",
    removal_study: "Estudio de remoción", removal: "Remoción", region: "Región",
    run: "Calcular", before: "antes", after: "después", ratio: "Razón después/antes",
    interval: "intervalo 95%", method: "Método", per_month: "eventos al mes",
    no_events: "Ningún evento coincide.", loading: "Cargando…", error: "Error",
    not_found: "No encontrado", review_queue: "Cola de revisión", confirm: "Confirmar",
    split: "Separar", merge: "Unir", review_missing: "Este almacén no tiene cola de revisión.",
    showing_of: "se muestran {shown} de {total} eventos", zoom_in: "Acercar",
    zoom_out: "Alejar",
    id: "Id", url: "URL", n_a: "n/d", clear_period: "Quitar el periodo",
    attribution: "Natural Earth (dominio público)",
    map_window: "Se muestran los {shown} más recientes de {total} eventos; acerque el mapa o filtre para ver los demás.",
    map_window_view: "Se muestran los {shown} eventos más recientes de esta vista; acerque el mapa o filtre para ver los demás.",
    shading_key: "Estados sombreados según su número de eventos: {total} en total.",
    families: "Familias de eventos",
    fam_political_violence: "Violencia política", fam_demonstrations: "Manifestaciones",
    fam_security_operations: "Operativos de seguridad", fam_diplomacy: "Diplomacia",
    fam_disasters: "Desastres", fam_OTHER: "Otros",
    acled_Battles: "Combates", "acled_Violence against civilians": "Violencia contra civiles",
    "acled_Explosions/Remote violence": "Explosiones/violencia a distancia", acled_Riots: "Disturbios",
    acled_Protests: "Protestas", "acled_Strategic developments": "Hechos estratégicos",
    rel_A: "totalmente fiable", rel_B: "normalmente fiable", rel_C: "bastante fiable",
    rel_D: "normalmente no fiable", rel_E: "no fiable", rel_F: "no se puede juzgar su fiabilidad",
    cred_1: "confirmado por otras fuentes", cred_2: "probablemente cierto", cred_3: "posiblemente cierto",
    cred_4: "dudoso", cred_5: "improbable", cred_6: "no se puede juzgar",
    method_exact: "intervalo exacto condicional de la razón de tasas de Poisson (una ventana no tiene conteos)",
    method_quasi: "GLM cuasi-Poisson, enlace logarítmico, indicador de ventana posterior; razón = exp(coef); intervalo de Wald al 95% con dispersión chi2 de Pearson (mínimo 1) y cuantiles t",
    windows: "antes {b0}..{b1}, después {a0}..{a1}; se excluye el mes de la remoción ({m}) y {lag} mes(es) después",
    violent_events: "eventos violentos",
    top_actors: "Actores mostrados", all: "todos",
    graph_count: "{shown} de {total} actores · {links} vínculos",
    graph_hint: "Los actores más nombrados; pase el puntero sobre un nodo para leer su nombre. Tamaño: eventos que nombran al actor.",
    at_kind_criminal_group: "grupo criminal", at_kind_state_force: "fuerza del Estado",
    at_kind_government: "gobierno", at_kind_person: "persona", at_kind_media: "medio",
    at_kind_other: "otro",
    edge_co_occurs: "nombrados en los mismos eventos (grosor: cuántos)",
    edge_alliance: "alianza", edge_rivalry: "rivalidad", edge_splinter_of: "escisión de",
    edge_faction_of: "facción de", edge_leader_of: "líder de", edge_official_of: "funcionario de",
    edge_cell_of: "célula de",
    kind_wire: "agencia", kind_national: "nacional", kind_local: "local", kind_official: "oficial",
    kind_ngo: "ONG", "kind_op-ed": "opinión", kind_analyst: "analista",
  },
};

export const lang = (() => {
  const asked = new URLSearchParams(location.search).get("lang");
  return asked && STRINGS[asked] ? asked : "en";
})();

// The string for key, with {name} slots filled from vars.
export function t(key, vars = {}) {
  const text = (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.en[key] || key;
  return text.replace(/\{(\w+)\}/g, (all, name) => (name in vars ? String(vars[name]) : all));
}

// The label of a code (an actor kind, a source kind…) under prefix, or the code itself.
export function label(prefix, code) {
  const key = `${prefix}${code}`;
  const text = t(key);
  return text === key ? code : text;
}

// A count as the interface language writes it (20,000 / 20 000).
export function number(n) {
  return new Intl.NumberFormat(lang === "es" ? "es-MX" : "en").format(n);
}

// Elements carrying data-i18n="key" get the string as their text.
export function translate(root = document) {
  document.documentElement.lang = lang;
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
}
