"""Spanish extraction throughput: the SEDENA communiqués and esp.testa sentences through the
Spanish pipeline alone (parse + NER) and through the whole extractor.

    .venv/bin/python benchmarks/spanish_speed.py [--sentences 500]

Run it in two checkouts (e.g. a `git worktree` of an older commit with
`PYTHONPATH=<worktree>/src`) to compare models; each prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from corrobora.extract.nlp import NER_MODELS, load_pipeline
from corrobora.extractor import Extractor
from corrobora.model import Document

SHARED = Path(os.environ.get("CORROBORA_SHARED", Path(__file__).resolve().parents[2] / "shared"))


def _texts(path: Path, limit: int | None = None) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh][:limit]


def _rate(fn, texts: list[str]) -> tuple[float, float]:
    t0 = time.perf_counter()
    for text in texts:
        fn(text)
    secs = time.perf_counter() - t0
    return round(len(texts) / secs, 2), round(sum(map(len, texts)) / secs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sentences", type=int, default=500, help="esp.testa sentences to use")
    args = ap.parse_args()
    sets = {"communiques": _texts(SHARED / "data/mexico/sedena-dev/sedena.dev.input.jsonl"),
            "conll_sentences": _texts(SHARED / "data/ner-dev/esp.testa.gold.jsonl",
                                      args.sentences)}
    nlp = load_pipeline("es")
    extractor = Extractor()

    def extract(text: str) -> None:
        extractor.extract(Document(text=text, origin="bench", lang="es"))

    extract("La Guardia Nacional detuvo a dos hombres en Culiacán.")  # load before timing
    out: dict[str, object] = {"machine": f"{platform.machine()} {os.cpu_count()} cores",
                              "load": round(os.getloadavg()[0], 1), "ner": NER_MODELS["es"]}
    for name, texts in sets.items():
        docs, chars = _rate(nlp, texts)
        out[f"{name}_parse"] = {"docs_per_s": docs, "chars_per_s": chars}
        docs, chars = _rate(extract, texts)
        out[f"{name}_extract"] = {"docs_per_s": docs, "chars_per_s": chars}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
