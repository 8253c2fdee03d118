"""Admiralty grading of an event: reliability of the best source, credibility of the information.

Credibility (1-6) follows the Admiralty definitions, read off the evidence we can count:
1 confirmed      three or more independent sources, at least one stating it as fact
2 probably true  two independent sources, at least one stating it as fact
3 possibly true  one source stating it as fact
4 doubtful       every report hedges it ("reportedly", "presuntamente")
5 improbable     reserved: contradicted by other reports (not detected yet)
6 cannot be judged  no report carries a usable source
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

RELIABILITY_ORDER = "ABCDEF"


@dataclass(slots=True, frozen=True)
class Evidence:
    source_key: str
    reliability: str
    hedged: bool
    root: str = ""
    """The copy group (root document) the report comes from."""
    attributed: bool = False
    """Whether `source_key` is a source the report cites rather than the outlet itself."""


def independent_sources(evidence: Iterable[Evidence]) -> set[str]:
    """The independent sources behind an event. A copy group speaks once, with one voice:
    through the published source it cites most when at least half of its reports of the
    event cite it (an outlet relaying "according to Reuters" is Reuters, even in its
    unattributed restatement of the same event), else as its outlet; quoting officials,
    witnesses and a second outlet does not make one article several sources. Groups
    speaking for the same source are one."""
    cited: dict[str, Counter[str]] = {}
    own: dict[str, str] = {}
    own_count: Counter[str] = Counter()
    for e in evidence:
        if e.attributed:
            cited.setdefault(e.root, Counter())[e.source_key] += 1
        else:
            own.setdefault(e.root, e.source_key)
            own_count[e.root] += 1
    keys: set[str] = set()
    for root in cited.keys() | own.keys():
        source, n = min(cited[root].items(), key=lambda kv: (-kv[1], kv[0])) \
            if root in cited else (None, 0)
        # A group that tells the event mostly in its own voice, citing another outlet for a
        # detail (a witness "told Reuters"), is its outlet's report.
        keys.add(source if source is not None and n >= own_count[root] else own[root])
    return keys


def best_reliability(grades: Iterable[str]) -> str:
    return min(grades, key=RELIABILITY_ORDER.index, default="F")


def credibility(evidence: list[Evidence]) -> int:
    if not evidence:
        return 6
    independent = independent_sources(evidence)
    if all(e.hedged for e in evidence):
        return 4
    if len(independent) >= 3:
        return 1
    if len(independent) == 2:
        return 2
    return 3
