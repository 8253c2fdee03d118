// Interface strings in English and Spanish; the language comes from ?lang= (shareable).
const STRINGS = {
  en: {
    title: "Corrobora", tagline: "Graded events, traceable to their sentences",
    nav_map: "Events", nav_sources: "Sources", nav_actors: "Actors",
    nav_analyses: "Analyses", nav_review: "Review", nav_api: "API",
    type: "Type", actor: "Actor", place: "State", since: "From", until: "To",
    min_credibility: "Min. credibility", language: "Language", any: "any", apply: "Apply",
    reset: "Reset", events: "events", more: "More", csv: "Download CSV",
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
  },
  es: {
    title: "Corrobora", tagline: "Eventos calificados, trazables hasta sus oraciones",
    nav_map: "Eventos", nav_sources: "Fuentes", nav_actors: "Actores",
    nav_analyses: "Análisis", nav_review: "Revisión", nav_api: "API",
    type: "Tipo", actor: "Actor", place: "Estado", since: "Desde", until: "Hasta",
    min_credibility: "Credibilidad mín.", language: "Idioma", any: "cualquiera",
    apply: "Aplicar", reset: "Limpiar", events: "eventos", more: "Más",
    csv: "Descargar CSV", date: "Fecha", fatalities: "Muertos", grade: "Calificación",
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
  },
};

export const lang = (() => {
  const asked = new URLSearchParams(location.search).get("lang");
  return asked && STRINGS[asked] ? asked : "en";
})();

export function t(key) {
  return (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.en[key] || key;
}

// Elements carrying data-i18n="key" get the string as their text.
export function translate(root = document) {
  document.documentElement.lang = lang;
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
}
