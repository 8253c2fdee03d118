"""Attribution and hedging scores on the annotated sentences (annotations/ATTRIBUTION.md).

    .venv/bin/python benchmarks/attribution_scores.py [--shared ../shared] [--errors tune]

Parses each annotated sentence on its own with the project's spaCy pipeline
(`corrobora.extract.nlp.load_pipeline`), takes the sources of `attribution.attributions` and
the verdict of `attribution.is_hedged`, and scores them against the gold, per half
(`report` is the headline, `tune` the half the rules were tuned on) and per language.

- Sources: a predicted source is correct when it matches a gold source of its sentence;
  a gold source is found when some prediction matches it. Two strings match when, after
  normalisation (accents and case folded, punctuation and leading articles/possessives
  dropped), they are equal or one contains the other on word boundaries ("officials" and
  "US law enforcement officials", "Reuters" and "Reuters"). P = correct / predicted,
  R = found / gold.
- Attributed?: sentence-level, any predicted source vs. any gold source.
- Hedged: `is_hedged` over the whole sentence, with the root of its main sentence as the
  trigger (standing in for the event trigger `find_events` passes).

The hedging supplement (annotations/attribution_hedge_supplement.jsonl, ATTRIBUTION.md,
"Hedging supplement") is a second held-out half, `report2`, of hedge-stratum sentences. It is
scored apart, so the original numbers and keys do not move: `report2/*`, and `report+report2/*`
pooling it with `report`, each with its counts (`hedge_tp`, `hedge_fp`, `hedge_fn`, `src_pred`,
`src_correct`, `src_gold`, `src_found`). Its sentences come from the hedge stratum only, so its
hedge precision is that of hedge-cue-rich text and not comparable to the `report` half's.

The last line is a JSON object with every number (like dev_scores.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import tarfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from corrobora.extract._data import fold
from corrobora.extract.attribution import attributions, is_hedged
from corrobora.extract.nlp import load_pipeline

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "benchmarks" / "annotations" / "attribution.jsonl"
SUPPLEMENT = REPO / "benchmarks" / "annotations" / "attribution_hedge_supplement.jsonl"

_LEADING = {
    "the",
    "a",
    "an",
    "his",
    "her",
    "their",
    "its",
    "el",
    "la",
    "los",
    "las",
    "un",
    "una",
    "unos",
    "unas",
    "su",
    "sus",
    "este",
    "esta",
    "estos",
    "estas",
}


def norm(text: str) -> str:
    words = re.sub(r"[^\w]+", " ", fold(text)).split()
    while words and words[0] in _LEADING:
        words = words[1:]
    return " ".join(words)


def matches(a: str, b: str) -> bool:
    x, y = norm(a), norm(b)
    if not x or not y:
        return False
    return x == y or f" {x} " in f" {y} " or f" {y} " in f" {x} "


def load_text(row: dict, shared: Path) -> str:
    """The sentence: stored, or (for sources that may not be copied) read from shared."""
    if row.get("text") is not None:
        return str(row["text"])
    o = row["origin"]
    path = shared / o["file"]
    if path.name.endswith(".tar.gz"):
        with tarfile.open(path) as tar:
            member = tar.extractfile(o["doc_id"])
            assert member is not None
            doc_text = member.read().decode("utf-8")
    else:
        doc_text = next(
            json.loads(x)["text"]
            for x in path.read_text("utf-8").splitlines()
            if json.loads(x)["id"] == o["doc_id"]
        )
    text = doc_text[o["start"] : o["end"]]
    if hashlib.sha1(text.encode()).hexdigest() != row["text_sha1"]:
        raise SystemExit(f"{row['id']}: {path} differs from the annotated text")
    return text


@dataclass
class Counts:
    pred: int = 0
    correct: int = 0
    gold: int = 0
    found: int = 0
    # sentence-level attributed? and hedged: true/false positives and false negatives
    a_tp: int = 0
    a_fp: int = 0
    a_fn: int = 0
    h_tp: int = 0
    h_fp: int = 0
    h_fn: int = 0
    n: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        for k in (
            "pred",
            "correct",
            "gold",
            "found",
            "a_tp",
            "a_fp",
            "a_fn",
            "h_tp",
            "h_fp",
            "h_fn",
            "n",
        ):
            setattr(self, k, getattr(self, k) + getattr(other, k))


def _prf(tp: int, npred: int, ngold: int) -> tuple[float, float, float]:
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def scores(c: Counts) -> dict[str, float | int]:
    sp = c.correct / c.pred if c.pred else 0.0
    sr = c.found / c.gold if c.gold else 0.0
    sf = 2 * sp * sr / (sp + sr) if sp + sr else 0.0
    ap, ar, af = _prf(c.a_tp, c.a_tp + c.a_fp, c.a_tp + c.a_fn)
    hp, hr, hf = _prf(c.h_tp, c.h_tp + c.h_fp, c.h_tp + c.h_fn)
    return {
        "n": c.n,
        "src_p": round(sp, 3),
        "src_r": round(sr, 3),
        "src_f1": round(sf, 3),
        "attr_p": round(ap, 3),
        "attr_r": round(ar, 3),
        "attr_f1": round(af, 3),
        "hedge_p": round(hp, 3),
        "hedge_r": round(hr, 3),
        "hedge_f1": round(hf, 3),
    }


def tallies(c: Counts) -> dict[str, int]:
    return {
        "hedge_tp": c.h_tp,
        "hedge_fp": c.h_fp,
        "hedge_fn": c.h_fn,
        "src_pred": c.pred,
        "src_correct": c.correct,
        "src_gold": c.gold,
        "src_found": c.found,
    }


def score_row(row: dict, text: str) -> Counts:
    lang = row["lang"]
    doc = load_pipeline(lang)(text)
    pred = list(dict.fromkeys(a.source for a in attributions(doc, lang)))
    main = max(doc.sents, key=len)
    root = main.root
    hedged = is_hedged((0, len(text)), doc, lang, (root.idx, root.idx + len(root.text)))
    gold: list[str] = row["sources"]
    c = Counts(n=1, pred=len(pred), gold=len(gold))
    c.correct = sum(any(matches(p, g) for g in gold) for p in pred)
    c.found = sum(any(matches(p, g) for p in pred) for g in gold)
    c.a_tp, c.a_fp, c.a_fn = (
        bool(pred) and bool(gold),
        bool(pred) and not gold,
        not pred and bool(gold),
    )
    c.h_tp, c.h_fp, c.h_fn = (
        hedged and row["hedged"],
        hedged and not row["hedged"],
        not hedged and row["hedged"],
    )
    wrong_src = c.correct < c.pred or c.found < c.gold
    if wrong_src or hedged != row["hedged"]:
        c.errors.append(
            f"{row['id']} [{lang}] {' '.join(text.split())}\n"
            f"    sources gold {gold} pred {pred}"
            f"{'' if not wrong_src else '  <-- sources'}\n"
            f"    hedged gold {row['hedged']} pred {hedged}"
            f"{'' if hedged == row['hedged'] else '  <-- hedge'}"
        )
    return c


def table(results: dict[str, dict[str, float | int]]) -> str:
    cols = ["n", "src_p", "src_r", "src_f1", "attr_p", "attr_r", "hedge_p", "hedge_r", "hedge_f1"]
    w = max(14, *(len(name) + 1 for name in results))
    lines = [f"{'':{w}}" + "".join(f"{c:>9}" for c in cols)]
    for name, s in results.items():
        lines.append(f"{name:{w}}" + "".join(f"{s[c]:>9}" for c in cols))
    return "\n".join(lines)


def run(rows: Iterable[dict], shared: Path) -> tuple[dict[str, dict], dict[str, Counts]]:
    cells: dict[str, Counts] = {}
    for row in rows:
        c = score_row(row, load_text(row, shared))
        for key in (
            f"{row['split']}/{row['lang']}",
            f"{row['split']}/all",
            f"all/{row['lang']}",
            "all/all",
        ):
            cells.setdefault(key, Counts()).add(c)
        cells[f"{row['split']}/{row['lang']}"].errors += c.errors
    order = [f"{s}/{lang}" for s in ("report", "tune", "all") for lang in ("all", "en", "es")]
    return {k: scores(cells[k]) for k in order if k in cells}, cells


def run_supplement(
    rows: Iterable[dict], shared: Path, cells: dict[str, Counts]
) -> tuple[dict[str, dict], dict[str, Counts]]:
    """The `report2` half alone, and pooled with the `report` half of `cells` (from `run`)."""
    sup: dict[str, Counts] = {}
    for row in rows:
        if row["split"] != "report2":
            raise SystemExit(f"{row['id']}: the supplement holds only the report2 half")
        c = score_row(row, load_text(row, shared))
        for key in (f"report2/{row['lang']}", "report2/all"):
            sup.setdefault(key, Counts()).add(c)
        sup[f"report2/{row['lang']}"].errors += c.errors
    for lang in ("all", "en", "es"):
        pooled = Counts()
        for key in (f"report/{lang}", f"report2/{lang}"):
            if key in cells or key in sup:
                pooled.add(cells.get(key) or sup[key])
        sup[f"report+report2/{lang}"] = pooled
    order = [f"{s}/{lang}" for s in ("report2", "report+report2") for lang in ("all", "en", "es")]
    return {k: {**scores(sup[k]), **tallies(sup[k])} for k in order if k in sup}, sup


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--shared",
        type=Path,
        default=Path(os.environ.get("CORROBORA_SHARED", REPO.parent / "shared")),
    )
    ap.add_argument("--gold", type=Path, default=GOLD)
    ap.add_argument(
        "--supplement",
        type=Path,
        default=SUPPLEMENT,
        help="the hedging supplement (report2); skipped when the file is missing",
    )
    ap.add_argument(
        "--errors",
        choices=["tune", "report", "report2"],
        help="list the mistakes on one half (tune the rules on `tune` only)",
    )
    args = ap.parse_args()
    rows = [json.loads(x) for x in args.gold.read_text("utf-8").splitlines() if x.strip()]
    results, cells = run(rows, args.shared)
    extra: dict[str, dict] = {}
    if args.supplement.exists():
        srows = [
            json.loads(x) for x in args.supplement.read_text("utf-8").splitlines() if x.strip()
        ]
        extra, sup = run_supplement(srows, args.shared, cells)
        cells.update({k: v for k, v in sup.items() if k.startswith("report2/")})
    if args.errors:
        for lang in ("en", "es"):
            for e in cells.get(f"{args.errors}/{lang}", Counts()).errors:
                print(e)
    print(table(results))
    if extra:
        print("\nhedging supplement (report2, held out) and pooled with report:")
        print(table(extra))
        for name, s in extra.items():
            print(
                f"{name:22} hedge TP/FP/FN {s['hedge_tp']}/{s['hedge_fp']}/{s['hedge_fn']}"
                f"  sources predicted/correct {s['src_pred']}/{s['src_correct']}"
                f"  gold/found {s['src_gold']}/{s['src_found']}"
            )
    print(json.dumps({"headline": results.get("report/all"), **results, **extra}))


if __name__ == "__main__":
    main()
