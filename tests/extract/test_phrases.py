"""find_phrases: phrases looked up by each token's keys give what trying every phrase gave."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from corrobora.extract._data import _split, doc_keys, find_phrases


def _every_phrase_at_every_token(tokens: Doc | Span, phrases: Iterable[str]
                                 ) -> Iterator[tuple[int, int, str]]:
    # The former search, kept here as the reference.
    seqs = [(p, _split(p)) for p in phrases]
    start, end, doc = ((0, len(tokens), tokens) if isinstance(tokens, Doc)
                       else (tokens.start, tokens.end, tokens.doc))
    keys = doc_keys(doc)
    for i in range(start, end):
        for phrase, seq in seqs:
            n = len(seq)
            if n and seq[0] in keys[i] and i + n <= end and \
                    all(seq[k] in keys[i + k] for k in range(1, n)):
                yield i, i + n, phrase


def test_find_phrases_gives_every_occurrence_in_order(nlp_en: Language,
                                                      nlp_es: Language) -> None:
    phrases = ["said", "police said", "killed", "kill", "according to", "Police", "", "said",
               "shot dead", "state", "state police", "according to police", "attack"]
    doc = nlp_en("Police said gunmen killed two men; according to police, state police "
                 "shot dead one attacker. \"They kill,\" the state said after the attack.")
    for tokens in (doc, doc[3:20], doc[0:1]):
        want = list(_every_phrase_at_every_token(tokens, phrases))
        assert list(find_phrases(tokens, phrases)) == want
        assert list(find_phrases(tokens, iter(phrases))) == want  # any iterable, once
    assert len(list(find_phrases(doc, phrases))) >= 10
    es = nlp_es("Según la Fiscalía, hombres armados asesinaron a dos policías; la fiscalia "
                "informó que los asesinaron.")
    cues = ["según", "fiscalía", "asesinar", "asesinaron a", "informo que", "policia"]
    assert list(find_phrases(es, cues)) == list(_every_phrase_at_every_token(es, cues)) != []
