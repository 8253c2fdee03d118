"""Copy detection: a republished or lightly edited text points to the earliest original."""

from __future__ import annotations

from datetime import UTC, datetime

from corrobora.fuse.copies import Known, decide
from corrobora.text import fingerprint

ORIGINAL = (
    "Gunmen from rival Sinaloa Cartel factions fought in several neighbourhoods of Culiacán, "
    "Sinaloa, on Wednesday, the state prosecutor's office said, leaving at least five people "
    "dead. Schools closed and public transport stopped running in the city as residents stayed "
    "indoors. Soldiers of the Mexican Army and members of the National Guard were deployed."
)
EDITED = ORIGINAL.replace("on Wednesday", "on Wednesday night").replace(
    "Schools closed", "All schools closed") + " This story has been updated."
UNRELATED = (
    "A magnitude 6.1 earthquake shook the coast of Oaxaca on Monday morning, the national "
    "seismological service said; no damage was reported in the state capital or in Salina Cruz."
)


def known(i: str, text: str, day: int, seq: int) -> Known:
    return Known(i, fingerprint.signature(text), datetime(2024, 9, day, tzinfo=UTC), seq, None)


def test_light_edit_is_similar_and_unrelated_text_is_not() -> None:
    a, b, c = (fingerprint.signature(t) for t in (ORIGINAL, EDITED, UNRELATED))
    assert fingerprint.similarity(a, b) >= fingerprint.COPY_THRESHOLD
    assert fingerprint.similarity(a, c) < 0.1


def test_copies_share_a_band_key() -> None:
    a, b = (fingerprint.signature(t) for t in (ORIGINAL, EDITED))
    assert set(fingerprint.band_keys(a)) & set(fingerprint.band_keys(b))


def test_later_copy_points_to_original() -> None:
    orig = known("a", ORIGINAL, 11, 1)
    decision = decide(known("b", EDITED, 12, 2), [orig], {"a": orig})
    assert decision.duplicate_of == "a" and decision.reroot is None


def test_earlier_document_arriving_later_becomes_the_original() -> None:
    late = known("late", ORIGINAL, 12, 1)
    decision = decide(known("early", EDITED, 11, 2), [late], {"late": late})
    assert decision.duplicate_of is None
    assert decision.reroot == ("late", "early")


def test_copy_of_a_copy_points_to_the_root() -> None:
    root = known("root", ORIGINAL, 10, 1)
    copy = known("copy", EDITED, 11, 2)
    copy.duplicate_of = "root"
    decision = decide(known("copy2", EDITED + " Updated again.", 12, 3), [copy],
                      {"root": root, "copy": copy})
    assert decision.duplicate_of == "root"


def test_unrelated_text_is_not_a_copy() -> None:
    orig = known("a", ORIGINAL, 11, 1)
    assert decide(known("b", UNRELATED, 12, 2), [orig], {"a": orig}).duplicate_of is None


def test_signature_round_trips_through_bytes() -> None:
    sig = fingerprint.signature(ORIGINAL)
    assert (fingerprint.from_bytes(fingerprint.to_bytes(sig)) == sig).all()
