"""Places named after a word that says they are places: "en el municipio de Miguel Alemán",
"los municipios de Camargo, Matamoros y Miguel Alemán", "the town of Tapalpa".

The small NER models often tag such names as persons or organisations, above all in the
accent-stripped text of official releases ("Miguel Aleman" PER, "Rio Bravo" ORG); the cue
word settles it, and the resolver decides which place the name is.
"""

from __future__ import annotations

import re

_CUE = (r"(?:municipios?|localidad(?:es)?|poblados?|ejidos?|rancher[ií]as?|comunidad(?:es)?"
        r"|ciudad(?:es)?|municipalit(?:y|ies)|towns?|villages?|city|cities)")
_WORD = r"[A-ZÁÉÍÓÚÑ][\wáéíóúñüÁÉÍÓÚÑ]+"
# Names may hold lower-case links: "Martínez de la Torre", "Dolores Hidalgo Cuna de la ...".
_NAME = rf"{_WORD}(?:\s+(?:(?:de|del|de la|de los|de las)\s+)?{_WORD})*"
_CUED_LIST = re.compile(
    rf"\b{_CUE}\s+(?:de\s+|of\s+)(?P<names>{_NAME}(?:\s*(?:,|\by\b|\band\b|\be\b)\s*{_NAME})*)")
_ONE_NAME = re.compile(_NAME)


def cued_place_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the names that follow a place cue word, each name of a list."""
    spans: list[tuple[int, int]] = []
    for m in _CUED_LIST.finditer(text):
        base = m.start("names")
        spans += [(base + n.start(), base + n.end())
                  for n in _ONE_NAME.finditer(m.group("names"))]
    return spans
