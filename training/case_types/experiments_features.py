"""Experiments: more feature blocks for the CASE 2021 Task 2 classifier, none packaged
(training/case_types/README.md, "More feature blocks"). Reads train.py's work directory (run
`train.py all` first); `inter` re-runs the extraction to read the events' actors.

    .venv/bin/python training/case_types/experiments_features.py centroid|knn|inter|tfidf

Each prints the packaged setting (train.FINAL) and the variant on train.py's 25 folds, with
the paired difference of weighted F1 fold by fold.
- centroid: cosines of the e5 vector to each label's centroid of the fold's training
  documents and the prototype sentences (a training row's own vector left out);
- knn: summed similarity of the 5 nearest training documents, per label (itself excluded);
- inter: log counts of the ACLED inter codes of the actor1s and actor2s of the document's
  event reports, of reports with fatalities and injured, and of reports;
- tfidf: the packaged model's log-probabilities blended with a TF-IDF (word 1-2 grams)
  logistic regression's, weights 0.2 and 0.35.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import train as T

from corrobora.extract import event_classifier as ec
from corrobora.extract import events as events_mod


def _vectors(data: T.Data) -> tuple[np.ndarray, np.ndarray]:
    lead = T.FINAL["lead_words"]
    return (T.lead_vectors([x.text for x in data.dev], lead),
            T.lead_vectors([p.text for p in data.protos], lead))


def centroid_block(e_dev, e_pro, y, y_proto, tr, rows, own=None) -> np.ndarray:
    out = np.zeros((len(rows), len(ec.labels())), np.float32)
    for j, label in enumerate(ec.labels()):
        mine = y[tr] == label
        total = e_dev[tr][mine].sum(0) + e_pro[y_proto == label].sum(0)
        for i, v in enumerate(rows):
            c = total - e_dev[tr][own[i]] if own is not None and mine[own[i]] else total
            out[i, j] = v @ (c / (np.linalg.norm(c) + 1e-9))
    return out


def knn_block(e_dev, y, tr, rows, own=None, k: int = 5) -> np.ndarray:
    sims = rows @ e_dev[tr].T
    if own is not None:
        sims[np.arange(len(rows)), own] = -1
    out = np.zeros((len(rows), len(ec.labels())), np.float32)
    index = {label: j for j, label in enumerate(ec.labels())}
    for i, top in enumerate(np.argsort(-sims, 1)[:, :k]):
        for t in top:
            out[i, index[y[tr][t]]] += max(sims[i, t], 0.0)
    return out


def inter_rows(docs: list[dict]) -> np.ndarray:
    """The inter-code block of each document, from the real extraction path."""
    from corrobora.extractor import Extractor
    from corrobora.model import Document

    rows: list[np.ndarray] = []
    original = events_mod.document_event_type

    def capture(doc, found, lang):  # type: ignore[no-untyped-def]
        f = np.zeros(21, np.float32)
        for e in found:
            for a in e.actors:
                if a.inter:
                    f[(0 if a.role == "actor1" else 9) + a.inter] += 1
            f[18] += bool(e.fatalities and (e.fatalities.max or 0) > 0)
            f[19] += bool(e.injured and (e.injured.max or 0) > 0)
        f[20] = len(found)
        rows.append(np.log1p(f))

    events_mod.document_event_type = capture
    try:
        for _ in Extractor().extract_many(
                [Document(text=d["text"], origin="x", id=d["id"], lang=d.get("lang"))
                 for d in docs]):
            pass
    finally:
        events_mod.document_event_type = original
    return np.stack(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("variant", choices=["centroid", "knn", "inter", "tfidf"])
    args = ap.parse_args()
    data = T.Data()
    y, y_proto = data.y_dev, data.y_proto
    x_dev, x_proto, _ = data.matrices(T.FINAL)
    e_dev, e_pro = _vectors(data)
    if args.variant == "inter":
        gold = [json.loads(line) for line in T.GOLD.read_text(encoding="utf-8").splitlines()
                if line]
        i_dev, i_pro = inter_rows(gold), inter_rows(T._prototype_docs())
    base, var = [], {}
    for tr, te in T._splits():
        model = T._fit_setting(x_dev, y, x_proto, y_proto, tr, T.FINAL)
        base.append(T._scores(y[te], T._predict(model, x_dev[te])))
        own = np.arange(len(tr))
        if args.variant in ("centroid", "knn"):
            if args.variant == "centroid":
                blocks = [centroid_block(e_dev, e_pro, y, y_proto, tr, e, o)
                          for e, o in ((e_dev[tr], own), (e_dev[te], None), (e_pro, None))]
            else:
                blocks = [knn_block(e_dev, y, tr, e, o)
                          for e, o in ((e_dev[tr], own), (e_dev[te], None), (e_pro, None))]
            x_tr, x_te, x_pr = (np.hstack([x, b]) for x, b in
                                zip((x_dev[tr], x_dev[te], x_proto), blocks, strict=True))
        elif args.variant == "inter":
            x_tr, x_te, x_pr = (np.hstack([x_dev[tr], i_dev[tr]]),
                                np.hstack([x_dev[te], i_dev[te]]),
                                np.hstack([x_proto, i_pro]))
        if args.variant != "tfidf":
            m = T._fit(np.vstack([x_tr, x_pr]), np.concatenate([y[tr], y_proto]),
                       np.ones(len(tr) + len(y_proto)), T.FINAL)
            var.setdefault(args.variant, []).append(T._scores(y[te], T._predict(m, x_te)))
            continue
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        texts = [x.text for x in data.dev]
        clf, mean, scale = model
        p1 = clf.predict_proba((x_dev[te] - mean) / scale)
        vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        xt = vec.fit_transform([texts[i] for i in tr] + [p.text for p in data.protos])
        lr = LogisticRegression(C=3.0, max_iter=3000).fit(xt, np.concatenate([y[tr], y_proto]))
        p2 = lr.predict_proba(vec.transform([texts[i] for i in te]))
        for w in (0.2, 0.35):
            blend = (1 - w) * np.log(p1 + 1e-9) + w * np.log(p2 + 1e-9)
            var.setdefault(f"tfidf w={w}", []).append(
                T._scores(y[te], clf.classes_[blend.argmax(1)]))
    b = np.array(base)
    print(f"packaged: weighted {b[:, 0].mean():.3f} macro {b[:, 1].mean():.3f}")
    for name, rows in var.items():
        r = np.array(rows)
        d = r[:, 0] - b[:, 0]
        print(f"{name}: weighted {r[:, 0].mean():.3f} macro {r[:, 1].mean():.3f}; paired "
              f"{d.mean():+.3f} ± {d.std():.3f} (better on {(d > 0).sum()}, worse on "
              f"{(d < 0).sum()})")


if __name__ == "__main__":
    main()
