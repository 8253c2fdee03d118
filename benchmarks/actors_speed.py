"""Time of finding a trigger's actors (extract/events.py `_actors`) in documents with many
entities: each sentence names people and groups and reports an arrest or a killing, so every
trigger's sentence has short unresolved names ("Pérez") to match against the people named
before, and anaphors ("the cartel") to resolve against the groups named before.

    PYTHONPATH=src .venv/bin/python benchmarks/actors_speed.py [--sentences 200 400 800]

Prints one JSON line per size: entities, event reports, seconds in `_actors` and in the
whole extraction, and a digest of the extraction (CONTRACTS §1) to compare code versions:
the same digest is the same output. Not a test: it measures time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from typing import Any

FIRST = ["Juan", "Carlos", "Miguel", "José", "Luis", "Jorge", "Pedro", "Raúl", "Héctor",
         "Sergio", "Javier", "Fernando", "Ricardo", "Alberto", "Arturo", "Manuel"]
LAST = ["Pérez", "Mendoza", "Ramírez", "Torres", "Flores", "Castillo", "Ortega", "Rojas",
        "Navarro", "Salazar", "Guerrero", "Cabrera", "Villalobos", "Escobedo", "Zavala"]
TOWNS = ["Culiacán", "Tijuana", "Morelia", "Celaya", "Reynosa", "Uruapan", "Fresnillo"]


def document(n: int) -> str:
    out = ["Ismael Zambada and the Sinaloa Cartel were named by prosecutors."]
    for i in range(n):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        town = TOWNS[i % len(TOWNS)]
        if i % 3 == 0:
            out.append(f"Police arrested {first} {last} in {town} on Monday, and later "
                       f"{last} told reporters that Zambada had paid him.")
        elif i % 3 == 1:
            out.append(f"Gunmen of the cartel killed {first} {last} and "
                       f"{FIRST[(i + 3) % len(FIRST)]} {LAST[(i + 5) % len(LAST)]} in {town}.")
        else:
            out.append(f"Soldiers detained {last} near {town}, where {first} {last} had "
                       "been attacked by the cartel.")
    return " ".join(out)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentences", type=int, nargs="+", default=[200, 400, 800])
    args = ap.parse_args()
    os.environ["CORROBORA_DOC_BUDGET"] = "off"
    from corrobora.extract import events
    from corrobora.extractor import Extractor
    from corrobora.model import Document

    spent = [0.0]
    inner = events._actors

    def timed(*a: Any, **k: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return inner(*a, **k)
        finally:
            spent[0] += time.perf_counter() - t0

    events._actors = timed  # type: ignore[assignment]  # measured, not changed
    extractor = Extractor()
    extractor.extract(Document(document(5), "warm-up", lang="en"))  # models loaded
    for n in args.sentences:
        spent[0] = 0.0
        doc = Document(document(n), f"actors-{n}", id=f"actors-{n}", lang="en")
        t0 = time.perf_counter()
        ext = extractor.extract(doc)
        total = time.perf_counter() - t0
        contract = json.dumps(ext.to_contract(), sort_keys=True, ensure_ascii=False)
        print(json.dumps({"sentences": n, "chars": len(doc.text),
                          "entities": len(ext.entities), "event_reports": len(ext.events),
                          "actors_seconds": round(spent[0], 2),
                          "extract_seconds": round(total, 2),
                          "digest": hashlib.sha256(contract.encode()).hexdigest()[:16]}),
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
