"""Draw the sentences of the attribution/hedging set (ATTRIBUTION.md), reproducibly.

    .venv/bin/python benchmarks/annotations/build_sample.py [--shared ../shared] [-o OUT]
    .venv/bin/python benchmarks/annotations/build_sample.py --supplement [-o OUT]
    .venv/bin/python benchmarks/annotations/build_sample.py --check

Splits the dev texts into sentences with the project's spaCy pipelines, puts each sentence
in one stratum by surface cues (frozen here, so later lexicon changes do not move the sample),
draws a seeded sample per language and stratum, and assigns each drawn sentence to the
`tune` or `report` half (seeded, half of each language x stratum cell each). Writes the
unannotated sample as JSON Lines; `--check` verifies that attribution.jsonl holds exactly
the sentences this procedure draws.

`--supplement` draws the hedging supplement (ATTRIBUTION.md, "Hedging supplement"): every
`hedge`-stratum sentence the original sample left out, plus a seeded sample of `hedge`-stratum
sentences of CoNLL-2002 Spanish train, all in a second held-out half `report2`, numbered on
from the original sample. `--check` also verifies attribution_hedge_supplement.jsonl.
"""

from __future__ import annotations

import argparse
import codecs
import difflib
import hashlib
import json
import os
import random
import re
import tarfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from corrobora.extract.nlp import load_pipeline

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("CORROBORA_SHARED", REPO.parent / "shared"))
SEED = 20260301
STREAM = "data/news-stream/news_2024-07-16_to_2024-08-01.tar.gz"
STREAM_PATHS = "data/news-stream/cartel_related_paths.txt"
CASE = "data/events-dev/case2021-task2/dev.gold.jsonl"
SEDENA = "data/mexico/sedena-dev/sedena.dev.input.jsonl"
CONLL_ES = "data/ner-dev/esp.testa.gold.jsonl"
CONLL_ES_TRAIN = "data/ner-dev/esp.train.gold.jsonl"
GOLD = HERE / "attribution.jsonl"
SUPPLEMENT = HERE / "attribution_hedge_supplement.jsonl"
# The hedging supplement (drawn later, 2026-11-28): its own seeds, and how many CoNLL-2002
# Spanish train sentences of the hedge stratum to add to the Spanish leftovers.
SUPPLEMENT_SEED = 20261128
SUPPLEMENT_TRAIN = 50

# How many sentences to draw per language and stratum (fewer when a cell has fewer).
QUOTA = {"hedge": 22, "cue": 36, "probe": 26, "none": 20}

# Stratum cues, as regular expressions on the lower-cased sentence. Frozen copies of the
# cue lexicon at the time the sample was drawn (plus inflected verb forms), so the sample
# does not move when the lexicon is improved.
_W = r"(?<![\w-])(?:{})(?![\w-])"
HEDGE = {
    "en": _W.format(
        "reportedly|allegedly|purportedly|presumably|supposedly|apparently|"
        r"ostensibly|(?:may|might|could) have|(?:is|are|was|were) (?:believed|"
        r"thought|suspected)|(?:is|are|was|were) said to|unconfirmed|unverified|"
        r"rumou?red|alleged|suspected|purported|presumed|supposed|apparent|"
        r"possible|sources (?:cited|quoted|said|told|familiar)|"
        r"people familiar|anonymous sources|according to sources"
    ),
    "es": _W.format(
        r"presuntamente|supuestamente|aparentemente|al parecer|se presume|"
        r"se cree|habr[ií]an?|podr[ií]an? haber|extraoficial(?:mente|es)?|"
        r"sin confirmar|presunt[oa]s?|supuest[oa]s?|probables?|posibles?|"
        r"se sospecha|fuentes (?:citadas|an[oó]nimas|cercanas)|seg[uú]n fuentes"
    ),
}
CUE = {
    "en": _W.format(
        r"according to|citing|(?:reported|cited|quoted) by|per|says|said|say|"
        r"saying|told|tells|tell|reported|reports|stated|states|confirmed|"
        r"announced|claimed|claims|added|noted|declared|explained|indicated|"
        r"alleged|wrote|warned|acknowledged|disclosed|revealed|described|"
        r"testified|asserted|insisted|denied|denies"
    ),
    "es": _W.format(
        r"seg[uú]n|de acuerdo (?:con|a)|conforme a|citad[oa]s? por|a decir de|"
        r"en palabras de|dij[oe]|dijeron|dice|dicen|decir|inform[oó]|informa|"
        r"informaron|se[nñ]al[oó]|se[nñ]ala|declar[oó]|afirm[oó]|afirma|"
        r"indic[oó]|indica|report[oó]|confirm[oó]|asegur[oó]|asegura|"
        r"explic[oó]|detall[oó]|precis[oó]|anunci[oó]|revel[oó]|sostuvo|"
        r"a[nñ]adi[oó]|agreg[oó]|comunic[oó]|denunci[oó]|acus[oó]|"
        r"reconoci[oó]|advirti[oó]|public[oó]|difundi[oó]|dio a conocer"
    ),
}
# Recall probes: words that often carry an attribution or a hedge the lexicon lacks.
PROBE = {
    "en": r"[\"“”]|"
    + _W.format(
        r"statement|spokes\w*|sources?|media|via|posted|"
        r"tweeted|could|may|might|would|likely|probably|possibly|"
        r"appears?|seems?|unclear|believed|suspect\w*|"
        r"officials?|authorities|prosecutors|police"
    ),
    "es": r"[\"“”«»]|"
    + _W.format(
        r"comunicado|portavoz|vocero|fuentes?|medios|"
        r"podr[ií]an?|puede|pueden|posiblemente|"
        r"probablemente|trascendi[oó]|se inform[oó]|"
        r"autoridades|fiscal[ií]a|polic[ií]a|"
        r"dependencia|secretar[ií]a"
    ),
}


def stratum(text: str, lang: str) -> str:
    low = text.lower()
    for name, pats in (("hedge", HEDGE), ("cue", CUE), ("probe", PROBE)):
        if re.search(pats[lang], low):
            return name
    return "none"


def _stream_docs(shared: Path) -> Iterator[tuple[str, str, str]]:
    wanted = []
    for line in (shared / STREAM_PATHS).read_text("utf-8").splitlines():
        line = line.strip()
        if line.startswith('"'):  # git-quoted path with octal escapes
            line = codecs.escape_decode(line[1:-1])[0].decode("utf-8")
        if line:
            wanted.append(line)
    texts: dict[str, str] = {}
    with tarfile.open(shared / STREAM) as tar:
        for name in wanted:
            member = tar.extractfile(name)
            if member is not None:
                texts[name] = member.read().decode("utf-8")
    for name in wanted:
        if name in texts:
            yield STREAM, name, texts[name]


def _jsonl_docs(shared: Path, rel: str) -> Iterator[tuple[str, str, str]]:
    for line in (shared / rel).read_text("utf-8").splitlines():
        d = json.loads(line)
        yield rel, d["id"], d["text"]


def _body_lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of the lines that carry prose: not markdown headings, rules or dates."""
    pos = 0
    for line in text.split("\n"):
        s = line.strip()
        if s and not s.startswith(("#", "---", "Published :", "Comunicados de Prensa")):
            yield pos, pos + len(line)
        pos += len(line) + 1


def sentences(
    shared: Path, sources: list[tuple[str, Iterator[tuple[str, str, str]]]] | None = None
) -> Iterator[dict[str, object]]:
    if sources is None:
        sources = [
            ("en", _stream_docs(shared)),
            ("en", _jsonl_docs(shared, CASE)),
            ("es", _jsonl_docs(shared, SEDENA)),
            ("es", _jsonl_docs(shared, CONLL_ES)),
        ]
    for lang, docs in sources:
        nlp = load_pipeline(lang)
        for file, doc_id, text in docs:
            for ls, le in _body_lines(text):
                for sent in nlp(text[ls:le]).sents:
                    s = ls + sent.start_char
                    e = ls + sent.end_char
                    words = sum(t.is_alpha for t in sent)
                    if 6 <= words <= 70:
                        yield {
                            "text": text[s:e],
                            "origin": {"file": file, "doc_id": doc_id, "start": s, "end": e},
                            "lang": lang,
                        }


Cells = dict[tuple[str, str], list[dict[str, object]]]


def _pool(rows: Iterable[dict[str, object]], seen: set[str], cells: Cells) -> None:
    """Put each new sentence (not in `seen`) in its language x stratum cell."""
    for row in rows:
        key = " ".join(str(row["text"]).split())
        if key in seen:  # the stream repeats articles on several days
            continue
        seen.add(key)
        row["stratum"] = stratum(str(row["text"]), str(row["lang"]))
        cells.setdefault((str(row["lang"]), str(row["stratum"])), []).append(row)


def _sample(cells: Cells) -> list[dict[str, object]]:
    """The original sample: marks the drawn rows of `cells` with their split and id."""
    out: list[dict[str, object]] = []
    for lang, name in sorted(cells):
        rng = random.Random(f"{SEED}-{lang}-{name}")
        picked = rng.sample(cells[lang, name], min(QUOTA[name], len(cells[lang, name])))
        for k, row in enumerate(picked):
            row["split"] = "tune" if k % 2 == 0 else "report"  # the sample is already random
            out.append(row)
    for k, row in enumerate(out, 1):
        row["id"] = f"attr-{k:03d}"
    return out


def _draw(shared: Path) -> tuple[list[dict[str, object]], Cells, set[str]]:
    cells: Cells = {}
    seen: set[str] = set()
    _pool(sentences(shared), seen, cells)
    return _sample(cells), cells, seen


def draw(shared: Path) -> tuple[list[dict[str, object]], Counter[tuple[str, str]]]:
    out, cells, _ = _draw(shared)
    return out, Counter({k: len(v) for k, v in cells.items()})


def _hedge_lines(docs: Iterator[tuple[str, str, str]], lang: str) -> Iterator[tuple[str, str, str]]:
    """Only the documents (CoNLL lines) with a hedge cue can hold a hedge-stratum sentence."""
    return (d for d in docs if re.search(HEDGE[lang], d[2].lower()))


def _words(text: object) -> list[str]:
    folded = unicodedata.normalize("NFKD", str(text).lower())
    return re.sub(r"\W+", " ", "".join(c for c in folded if not unicodedata.combining(c))).split()


def _near(a: list[str], b: list[str]) -> bool:
    """Near-duplicates: one sentence inside the other, or 90% of their words in common order
    (the stream republishes sentences with a word changed, "U.S." for "US", an accent)."""
    x, y = f" {' '.join(a)} ", f" {' '.join(b)} "
    return x in y or y in x or difflib.SequenceMatcher(None, a, b).ratio() >= 0.9


def _fresh(
    rows: list[dict[str, object]], kept: list[list[str]], n: int | None = None
) -> list[dict[str, object]]:
    """`rows` in order, without near-duplicates of `kept` or of each other, at most `n`."""
    out = []
    for row in rows:
        w = _words(row["text"])
        if not any(_near(w, k) for k in kept):
            kept.append(w)
            out.append(row)
            if n is not None and len(out) == n:
                break
    return out


def supplement(
    shared: Path, original: list[dict[str, object]], cells: Cells, seen: set[str]
) -> tuple[list[dict[str, object]], Counter[str]]:
    """The hedging supplement: the hedge-stratum sentences the original sample left out (en,
    es), in a seeded order, then a seeded sample of SUPPLEMENT_TRAIN hedge-stratum sentences
    of CoNLL-2002 Spanish train not seen in the original sources; near-duplicates of the
    original sample or of an earlier supplement sentence are skipped. All `report2`."""
    out: list[dict[str, object]] = []
    sizes: Counter[str] = Counter()
    kept = [_words(r["text"]) for r in original]
    for lang in ("en", "es"):
        rest = [r for r in cells.get((lang, "hedge"), []) if "split" not in r]
        rng = random.Random(f"{SUPPLEMENT_SEED}-{lang}-hedge-supplement")
        new = _fresh(rng.sample(rest, len(rest)), kept)
        out += new
        sizes[f"{lang} hedge leftovers"] = len(rest)
        sizes[f"{lang} hedge leftovers kept (no near-duplicates)"] = len(new)
    train: Cells = {}
    docs = _hedge_lines(_jsonl_docs(shared, CONLL_ES_TRAIN), "es")
    _pool(sentences(shared, [("es", docs)]), seen, train)
    pool = train.get(("es", "hedge"), [])
    rng = random.Random(f"{SUPPLEMENT_SEED}-es-hedge-supplement-train")
    new = _fresh(rng.sample(pool, len(pool)), kept, SUPPLEMENT_TRAIN)
    out += new
    sizes["es hedge esp.train pool"] = len(pool)
    sizes["es hedge esp.train drawn"] = len(new)
    for k, row in enumerate(out, len(original) + 1):
        row["split"] = "report2"
        row["id"] = f"attr-{k:03d}"
    return out, sizes


def _same(rows: list[dict[str, object]], path: Path) -> bool:
    gold = [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]
    want = [(r["id"], r["origin"], r["split"], r["stratum"]) for r in rows]
    have = [(g["id"], g["origin"], g["split"], g["stratum"]) for g in gold]
    ok = want == have and all(
        hashlib.sha1(str(r["text"]).encode()).hexdigest() == g["text_sha1"]
        for r, g in zip(rows, gold, strict=True)
    )
    print(f"{path.name} {'matches the procedure' if ok else 'MISMATCH'}")
    return ok


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("-o", "--out", type=Path)
    ap.add_argument(
        "--supplement",
        action="store_true",
        help="write the hedging supplement's draw instead of the original sample",
    )
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    rows, cells, seen = _draw(args.shared)
    for (lang, name), group in sorted(cells.items()):
        n = len(group)
        print(f"{lang} {name:6} pool {n:5}  drawn {min(QUOTA[name], n)}")
    if args.check:
        ok = _same(rows, GOLD)
        if SUPPLEMENT.exists():
            extra, sizes = supplement(args.shared, rows, cells, seen)
            for name, n in sizes.items():
                print(f"{name}: {n}")
            ok = _same(extra, SUPPLEMENT) and ok
        raise SystemExit(0 if ok else 1)
    if args.supplement:
        rows, sizes = supplement(args.shared, rows, cells, seen)
        for name, n in sizes.items():
            print(f"{name}: {n}")
        for r in rows:
            r["text_sha1"] = hashlib.sha1(str(r["text"]).encode()).hexdigest()
    default = "attribution_hedge_supplement_sample" if args.supplement else "attribution_sample"
    out = args.out or REPO / "out" / f"{default}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} sentences -> {out}")


if __name__ == "__main__":
    main()
