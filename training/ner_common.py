"""What the NER recipes share: training a spaCy config with a fixed seed, scoring a model on a
DocBin, pruning the packaged vocabulary (training/ner_en), and writing the hash-checked
MANIFEST.json with the score of the project's real extraction path (training/ner_en and
training/ner_es_e5)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from corrobora.extract.nlp import sha256_file

REPO = Path(__file__).resolve().parents[1]


def train(config: Path, work: Path, dev: str, seed: int,
          overrides: dict[str, object] | None = None) -> float:
    """Train `config` on work/train.spacy, selecting on work/{dev}.spacy; seconds taken."""
    from spacy.cli.train import train as spacy_train
    from spacy.util import fix_random_seed

    fix_random_seed(seed)
    out = work / "output"
    if out.exists():
        shutil.rmtree(out)
    t0 = time.perf_counter()
    spacy_train(config, out, use_gpu=-1, overrides={
        "paths.train": str(work / "train.spacy"), "paths.dev": str(work / f"{dev}.spacy"),
        "system.seed": seed, **(overrides or {})})
    seconds = time.perf_counter() - t0
    (work / "train_time.json").write_text(json.dumps({"seconds": round(seconds, 1)}))
    print(f"trained in {seconds / 60:.1f} min", file=sys.stderr)
    return seconds


def evaluate(model: Path, docbin: Path) -> dict[str, object]:
    """spaCy's scorer on a DocBin: exact span and label, micro P/R/F1 and per label."""
    import spacy
    from spacy.training import Corpus

    nlp = spacy.load(model)
    examples = list(Corpus(str(docbin), gold_preproc=False)(nlp))
    scores = nlp.evaluate(examples)
    res = {"precision": round(scores["ents_p"], 4), "recall": round(scores["ents_r"], 4),
           "f1": round(scores["ents_f"], 4),
           "per_label": {k: {m: round(v[m], 4) for m in ("p", "r", "f")}
                         for k, v in sorted(scores["ents_per_type"].items())}}
    print(docbin.stem, json.dumps(res, indent=1))
    return res


def prune_strings(model: Path, lang: str) -> None:
    """Keep only the strings a blank pipeline and the labels need. The ner's hash embeddings
    hash the token strings themselves, so the training vocabulary is dead weight (the
    packaged copy is scored again and must score the same)."""
    import spacy

    keep = set(spacy.blank(lang).vocab.strings)
    nlp = spacy.load(model)
    keep.update(nlp.get_pipe("ner").labels)
    path = model / "vocab" / "strings.json"
    path.write_text(json.dumps(sorted(keep), ensure_ascii=False), encoding="utf-8")


def copy_best(work: Path, target: Path, lang: str, meta: dict[str, object]) -> None:
    """The best checkpoint into `target`, vocabulary pruned, meta.json updated with `meta`."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(work / "output" / "model-best", target)
    prune_strings(target, lang)
    meta_path = target / "meta.json"
    meta_path.write_text(json.dumps({**json.loads(meta_path.read_text()), **meta}, indent=2,
                                    ensure_ascii=False))


def check_same(packaged: dict[str, object], trained: dict[str, object]) -> None:
    if abs(packaged["f1"] - trained["f1"]) > 1e-4:  # type: ignore[operator]
        raise SystemExit(f"packaged model scores {packaged['f1']}, trained {trained['f1']}")


def write_manifest(target: Path, work: Path, task: str, manifest: dict[str, object]) -> None:
    """MANIFEST.json with the recipe's facts, the date, the training time and every file's
    SHA-256; then the score of `corrobora extract` on the dev set (benchmarks/dev_scores.py
    TASK), which needs the manifest in place since the model is verified at load."""
    import spacy

    tt = work / "train_time.json"
    manifest = {
        **manifest,
        "spacy_version": spacy.__version__,
        "train_seconds": json.loads(tt.read_text())["seconds"] if tt.exists() else None,
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "files": {p.relative_to(target).as_posix(): sha256_file(p)
                  for p in sorted(target.rglob("*")) if p.is_file()},
    }
    path = target / "MANIFEST.json"
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    res = subprocess.run([sys.executable, str(REPO / "benchmarks" / "dev_scores.py"), task,
                          "--out", str(work / "dev")], check=True, capture_output=True,
                         text=True, cwd=REPO)
    row = json.loads(res.stdout.strip().splitlines()[-1])[0]
    manifest["dev_scores_extract"] = {
        "command": f".venv/bin/python benchmarks/dev_scores.py {task}",
        **{k: row[k] for k in ("f1", "precision", "recall")}}
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    print(f"packaged {target} ({size / 1e6:.1f} MB)", file=sys.stderr)
