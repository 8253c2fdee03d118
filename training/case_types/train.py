"""Train the document event-type classifier (CASE 2021 labels) and package it.

    .venv/bin/python training/case_types/train.py all        # evidence, cv, package
    .venv/bin/python training/case_types/train.py evidence|cv|package

evidence  runs Corrobora's extraction on the CASE dev split and on the label descriptions
          (prototypes.json), keeping for each document what the classifier sees (texts, lead
          sentence, lexicon and event-report scores); saved under --work.
cv        repeated stratified 5-fold cross-validation on the dev split: the rule-only
          baseline and the learned model's variants; prints weighted and macro F1 mean ± sd.
package   fits the chosen setting on the whole dev split and writes
          src/corrobora/models/case_types/ (weights.npz, config.json, MANIFEST.json).

Needs scikit-learn (requirements-dev.lock) for fitting; inference does not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from datetime import date
from importlib import metadata
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(REPO / "src"))

from corrobora.extract import event_classifier as ec  # noqa: E402
from corrobora.extract import events as events_mod  # noqa: E402
from corrobora.extract.nlp import MANIFEST, sha256_file  # noqa: E402
from corrobora.text.embedding import (  # noqa: E402
    E5_PACKAGE,
    default_embedder,
    e5_embedder,
    e5_model_file,
)

SHARED = Path(os.environ.get("CORROBORA_SHARED", REPO.parent / "shared"))
GOLD = SHARED / "data/events-dev/case2021-task2/dev.gold.jsonl"
OUT = REPO / "src/corrobora/models" / ec.MODEL_NAME
WORK = Path(os.environ.get("CORROBORA_CASE_WORK", "/tmp/corrobora-case-types"))
SEED = 20261127
FOLDS, REPEATS = 5, 5

# The packaged setting (chosen by the cv step and experiments_e5_states.py; see README.md).
# Blocks: e5 = multilingual-e5-small embedding of the lead (lead_words: one length, or a list
# of lengths whose unit vectors are averaged and renormalised, ec.lead_vectors), e5proto =
# its cosines to the label prototypes, trig/rep = lexicon scores; text/lead/proto = the
# static model's embeddings of the text and lead sentence and their prototype cosines (the
# static model; cv only).
FINAL = {"blocks": ["e5", "e5proto", "trig", "rep"], "lead_words": [20, 32], "C": 0.1,
         "class_weight": None, "proto_docs": True, "proto_doc_weight": 1.0,
         "extra_protos": False}
# Packaged until 2026-11-28: one 20-word lead. The ablation rows of `cv` vary this setting.
PREVIOUS = {**FINAL, "lead_words": 20}
PACKAGED_BLOCKS = ["e5", "e5proto", "trig", "rep"]  # ec.featurize's order


# ---------------------------------------------------------------- evidence

def _extract_evidence(docs: list[dict]) -> list[ec.Evidence]:
    """Evidence for each document through the real extraction path (`corrobora extract`):
    the extractor's call to document_event_type is intercepted to keep its inputs."""
    from corrobora.extractor import Extractor
    from corrobora.model import Document

    seen: list[ec.Evidence] = []
    original = events_mod.document_event_type

    def capture(doc, found, lang):  # type: ignore[no-untyped-def]
        seen.append(ec.evidence(doc, found, lang))
        return None

    events_mod.document_event_type = capture
    try:
        inputs = [Document(text=d["text"], origin="case-types", id=d["id"], lang=d.get("lang"))
                  for d in docs]
        for _ in Extractor().extract_many(inputs):
            pass
    finally:
        events_mod.document_event_type = original
    assert len(seen) == len(docs)
    return seen


def _save(path: Path, items: list[ec.Evidence], extra: dict) -> None:
    np.savez(path.with_suffix(".npz"), triggers=np.stack([x.triggers for x in items]),
             reports=np.stack([x.reports for x in items]))
    path.with_suffix(".json").write_text(json.dumps(
        {"text": [x.text for x in items], "lead": [x.lead for x in items], **extra},
        ensure_ascii=False), encoding="utf-8")


def _load(path: Path) -> tuple[list[ec.Evidence], dict]:
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    z = np.load(path.with_suffix(".npz"))
    items = [ec.Evidence(text=t, lead=ld, triggers=tr, reports=rp) for t, ld, tr, rp in
             zip(meta["text"], meta["lead"], z["triggers"], z["reports"], strict=True)]
    return items, meta


def step_evidence() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line]
    t0 = time.perf_counter()
    _save(WORK / "dev", _extract_evidence(gold),
          {"id": [g["id"] for g in gold], "label": [g["event_type"] for g in gold]})
    protos = _prototype_docs()
    _save(WORK / "protos", _extract_evidence(protos), {"label": [p["label"] for p in protos]})
    extra = _prototype_docs(EXTRA)
    _save(WORK / "protos_extra", _extract_evidence(extra), {"label": [p["label"] for p in extra]})
    print(f"evidence: {len(gold)} dev docs, {len(protos)} + {len(extra)} prototype sentences "
          f"in {time.perf_counter() - t0:.0f} s -> {WORK}")


PROTOTYPES = "prototypes.json"
EXTRA = "prototypes_extra.json"  # more written reports; tried, not packaged (README.md)


def _prototypes(name: str = PROTOTYPES) -> dict[str, dict[str, list[str]]]:
    data = json.loads((HERE / name).read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _prototype_docs(name: str = PROTOTYPES) -> list[dict]:
    return [{"id": f"proto-{label}-{lang}-{i}", "text": s, "lang": lang, "label": label}
            for label, by_lang in _prototypes(name).items() for lang, sents in by_lang.items()
            for i, s in enumerate(sents)]


def _unit_means(vecs: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(n_labels, dim): per label, the normalised mean of its rows."""
    rows = []
    for label in ec.labels():
        v = vecs[y == label].mean(axis=0)
        rows.append(v / np.linalg.norm(v))
    return np.stack(rows).astype(np.float32)


# ---------------------------------------------------------------- e5 vectors (cached)

def e5_vectors(texts: list[str], lead_words: int | None) -> np.ndarray:
    """E5 vectors of the texts' first lead_words words, cached under --work by text (the
    engine is deterministic; embedding a dev split costs ~15 s at 16 words)."""
    path = WORK / f"e5-w{lead_words or 'all'}.json"
    cache: dict[str, list[float]] = (json.loads(path.read_text(encoding="utf-8"))
                                     if path.exists() else {})
    missing = [t for t in dict.fromkeys(texts) if t not in cache]
    if missing:
        vecs = e5_embedder().embed(missing, max_words=lead_words)
        cache.update({t: v.tolist() for t, v in zip(missing, vecs, strict=True)})
        path.write_text(json.dumps(cache), encoding="utf-8")
    return np.array([cache[t] for t in texts], dtype=np.float32)


def lead_vectors(texts: list[str], lead_words) -> np.ndarray:  # type: ignore[no-untyped-def]
    """ec.lead_vectors from the cache: the unit vectors of each lead length averaged and
    renormalised (one length: its vectors as they are)."""
    return ec.average_units([e5_vectors(texts, w) for w in ec.lead_lengths(lead_words)])


# ---------------------------------------------------------------- features and fitting

class Data:
    """Every feature block for the dev documents and the prototype sentences."""

    def __init__(self) -> None:
        self.dev, meta = _load(WORK / "dev")
        self.protos, pmeta = _load(WORK / "protos")
        self.extra, xmeta = _load(WORK / "protos_extra")
        self.y_dev = np.array(meta["label"])
        self.y_proto, self.y_extra = np.array(pmeta["label"]), np.array(xmeta["label"])
        self._cache: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def matrices(self, setting: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(x_dev, x_proto, y_proto) with the setting's blocks, in its order."""
        key = (tuple(setting["blocks"]), ec.lead_lengths(setting["lead_words"]),
               setting["extra_protos"])
        if key not in self._cache:
            protos = self.protos + (self.extra if setting["extra_protos"] else [])
            y_proto = np.concatenate([self.y_proto, self.y_extra]) \
                if setting["extra_protos"] else self.y_proto
            dev_b = self._blocks(self.dev, protos, y_proto, setting)
            pro_b = self._blocks(protos, protos, y_proto, setting)
            self._cache[key] = (np.hstack([dev_b[b] for b in setting["blocks"]]),
                                np.hstack([pro_b[b] for b in setting["blocks"]]), y_proto)
        return self._cache[key]

    @staticmethod
    def _blocks(items, protos, y_proto, setting) -> dict[str, np.ndarray]:
        blocks = set(setting["blocks"])
        out = {"trig": np.log1p(np.stack([x.triggers for x in items])),
               "rep": np.log1p(np.stack([x.reports for x in items]))}
        if blocks & {"e5", "e5proto"}:
            w = setting["lead_words"]
            e5 = lead_vectors([x.text for x in items], w)
            out["e5"] = e5
            out["e5proto"] = e5 @ _unit_means(lead_vectors([p.text for p in protos], w),
                                              y_proto).T
        if blocks & {"text", "lead", "proto"}:
            st = default_embedder()
            out["text"] = st.embed([x.text for x in items])
            out["lead"] = st.embed([x.lead for x in items])
            out["proto"] = out["text"] @ _unit_means(st.embed([p.text for p in protos]),
                                                     y_proto).T
        return out


def _fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, setting: dict):
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    clf = LogisticRegression(C=setting["C"], class_weight=setting["class_weight"],
                             max_iter=5000, random_state=0)
    clf.fit((x - mean) / scale, y, sample_weight=w)
    return clf, mean, scale


def _fit_setting(x_dev, y_dev, x_proto, y_proto, train_idx, setting):
    """Fit on dev rows train_idx (+ the prototype sentences when the setting says so)."""
    x, y = x_dev[train_idx], y_dev[train_idx]
    w = np.ones(len(y))
    if setting.get("proto_docs"):
        x = np.vstack([x, x_proto])
        y = np.concatenate([y, y_proto])
        w = np.concatenate([w, np.full(len(y_proto), setting["proto_doc_weight"])])
    return _fit(x, y, w, setting)


def _predict(model, x: np.ndarray) -> np.ndarray:
    clf, mean, scale = model
    return clf.predict((x - mean) / scale)


# ---------------------------------------------------------------- cv

def _scores(y_true, y_pred) -> tuple[float, float]:
    from sklearn.metrics import f1_score

    return (f1_score(y_true, y_pred, average="weighted", zero_division=0),
            f1_score(y_true, y_pred, average="macro", zero_division=0))


def _splits():
    import warnings

    from sklearn.model_selection import RepeatedStratifiedKFold

    _, meta = _load(WORK / "dev")
    y = np.array(meta["label"])
    rskf = RepeatedStratifiedKFold(n_splits=FOLDS, n_repeats=REPEATS, random_state=SEED)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class")
        return list(rskf.split(np.zeros(len(y)), y))


def cross_validate(settings: dict[str, dict]) -> dict[str, dict[str, float]]:
    data = Data()
    y_dev = data.y_dev
    splits = _splits()
    results: dict[str, dict[str, float]] = {}

    # The rule-only baseline (what document_event_type did before), fold by fold.
    base = np.array([ec.lexicon_label(e) or "OTHER" for e in data.dev])
    per_fold = [_scores(y_dev[te], base[te]) for _, te in splits]
    results["lexicon only (rules, no training)"] = _summary(per_fold)

    for name, setting in settings.items():
        x_dev, x_proto, y_proto = data.matrices(setting)
        per_fold = []
        for tr, te in splits:
            model = _fit_setting(x_dev, y_dev, x_proto, y_proto, tr, setting)
            per_fold.append(_scores(y_dev[te], _predict(model, x_dev[te])))
        results[name] = _summary(per_fold)
        print(f"  {name}: {results[name]['weighted_f1']:.3f}", file=sys.stderr, flush=True)
    return results


def _summary(per_fold: list[tuple[float, float]]) -> dict[str, float]:
    a = np.array(per_fold)
    return {"weighted_f1": float(a[:, 0].mean()), "weighted_f1_sd": float(a[:, 0].std()),
            "macro_f1": float(a[:, 1].mean()), "macro_f1_sd": float(a[:, 1].std()),
            "folds": len(per_fold)}


def _print(results: dict[str, dict[str, float]]) -> None:
    print(f"{'setting':62} {'weighted F1':>15} {'macro F1':>15}")
    for name, r in results.items():
        print(f"{name:62} {r['weighted_f1']:.3f} ± {r['weighted_f1_sd']:.3f}"
              f"   {r['macro_f1']:.3f} ± {r['macro_f1_sd']:.3f}")


def variants() -> dict[str, dict]:
    # The ablations vary PREVIOUS (one 20-word lead), as they did when it was packaged.
    static = ["text", "lead", "proto", "trig", "rep"]
    e5 = ["e5", "e5proto", "trig", "rep"]
    base = PREVIOUS
    out = {
        "previous: static text+lead+proto + lexicon, C=0.1": {**base, "blocks": static},
        "static embeddings only (text+lead)": {**base, "blocks": ["text", "lead"],
                                               "proto_docs": False},
        "lexicon features only (trig+rep)": {**base, "blocks": ["trig", "rep"],
                                             "proto_docs": False},
        "e5 only (20 words)": {**base, "blocks": ["e5"], "proto_docs": False},
        "e5 + e5 prototype cosines (20 words)": {**base, "blocks": ["e5", "e5proto"]},
        "e5 + lexicon, no prototype sentences (20 words)": {**base, "proto_docs": False},
        "e5 + e5proto + lexicon + static blocks (20 words)": {**base,
                                                               "blocks": e5 + static[:3]},
    }
    for w in (8, 12, 20, 24, 32, None):
        out[f"e5 + e5proto + lexicon, lead = {w or 'whole text'} words"] = {
            **base, "lead_words": w}
    out["e5 + e5proto + lexicon, average of the 20- and 32-word leads"] = {
        **base, "lead_words": [20, 32]}
    out["+ prototypes_extra.json (20 words)"] = {**base, "extra_protos": True}
    for c in (0.03, 0.3, 1.0):
        out[f"C={c} (20 words)"] = {**base, "C": c}
    out["class_weight=balanced (20 words)"] = {**base, "class_weight": "balanced"}
    out["prototype sentence weight 2 (20 words)"] = {**base, "proto_doc_weight": 2.0}
    out["PREVIOUS (packaged until 2026-11-28: 20-word lead)"] = PREVIOUS
    out["FINAL (packaged)"] = FINAL
    return out


def step_cv() -> dict[str, dict[str, float]]:
    t0 = time.perf_counter()
    results = cross_validate(variants())
    _print(results)
    print(f"({FOLDS}-fold x {REPEATS} repeats, seed {SEED}; {time.perf_counter() - t0:.0f} s)")
    (WORK / "cv.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    return results


# ---------------------------------------------------------------- package

def step_package() -> None:
    data = Data()
    y_dev = data.y_dev
    w = FINAL["lead_words"]
    if FINAL["blocks"] != PACKAGED_BLOCKS or FINAL["extra_protos"]:
        raise SystemExit("the packaged model format is [e5 | e5proto | trig | rep]")
    x_dev, x_proto, y_proto = data.matrices(FINAL)
    clf, mean, scale = _fit_setting(x_dev, y_dev, x_proto, y_proto, np.arange(len(y_dev)),
                                    FINAL)
    protos = _unit_means(lead_vectors([p.text for p in data.protos], w), y_proto)
    # The inference path must compute the same features as training did (dev documents and
    # prototype sentences: every training row).
    live = ec.featurize(data.dev + data.protos, protos, lead_words=w)
    if not np.allclose(live, np.vstack([x_dev, x_proto]), atol=1e-4):
        raise SystemExit("ec.featurize disagrees with the training features")
    labels = ec.labels()
    order = [list(clf.classes_).index(lb) for lb in labels]  # every label occurs in dev
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        if old.is_file():
            old.unlink()
    np.savez(OUT / ec.WEIGHTS, coef=clf.coef_[order].astype(np.float32),
             intercept=clf.intercept_[order].astype(np.float32),
             mean=mean.astype(np.float32), scale=scale.astype(np.float32), prototypes=protos)
    cv_path = WORK / "cv.json"
    cv = json.loads(cv_path.read_text()).get("FINAL (packaged)") if cv_path.exists() else None
    config = {
        "labels": labels,
        "features": [f"e5 embeddings of the first {' and '.join(map(str, ec.lead_lengths(w)))}"
                     " words, unit vectors averaged and renormalised", "prototype cosines",
                     "log1p trigger scores", "log1p event-report scores"],
        "setting": FINAL,
        "embedding": {"backend": E5_PACKAGE, "lead_words": w, "prefix": "query: ",
                      "package_version": metadata.version(E5_PACKAGE),
                      "files": {"e5-small-q4.bin": sha256_file(e5_model_file())}},
    }
    (OUT / ec.CONFIG).write_text(json.dumps(config, indent=1) + "\n", encoding="utf-8")
    files = {p.name: sha256_file(p) for p in sorted(OUT.iterdir()) if p.is_file()
             and p.name != MANIFEST}
    manifest = {
        "name": ec.MODEL_NAME,
        "recipe": "training/case_types/train.py (README.md there)",
        "trained_on": {"file": str(GOLD.relative_to(SHARED)), "sha256": sha256_file(GOLD),
                       "documents": len(y_dev), "prototype_sentences": len(y_proto),
                       "prototypes_sha256": hashlib.sha256(
                           (HERE / PROTOTYPES).read_bytes()).hexdigest()},
        "cv": cv, "date": date.today().isoformat(), "files": files,
    }
    (OUT / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    # The packaged copy must reproduce the fitted model's training predictions.
    ec.load_model.cache_clear()
    model = ec.load_model()
    packaged = np.array(model.classify(data.dev))
    fitted = _predict((clf, mean, scale), x_dev)
    agree = float((packaged == fitted).mean())
    print(f"packaged {OUT}: {len(files)} files; packaged == fitted on {agree:.1%} of dev; "
          f"training-set accuracy {float((packaged == y_dev).mean()):.3f}")
    if agree < 0.99:
        raise SystemExit("the packaged model disagrees with the fitted one")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("step", choices=["evidence", "cv", "package", "all"])
    args = ap.parse_args()
    if args.step in ("evidence", "all"):
        step_evidence()
    if args.step in ("cv", "all"):
        step_cv()
    if args.step in ("package", "all"):
        step_package()


if __name__ == "__main__":
    main()
