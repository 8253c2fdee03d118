"""Analyst decisions as constraints on fusion.

A decision names reports (documents, for stories), not events: event ids follow the report
that founded them, so re-clustering may renumber events, while report ids are hashes of the
document and the sentence and stay put. Each decision says which reports must share an event
and which must not:

- `event_split` (members taken out of an event together) and `report_reject` (one report
  taken out): members stay together, and apart from the reports left behind (`others`);
- `event_merge` (two events made one), `report_confirm` (a report's link is right) and
  `event_confirm` (every link of an event is right): members and others stay together.

Decisions are replayed in order, so a later one wins over an earlier one about the same
pair (merge A and B, then split one report of B back out). Undone decisions are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

EVENT_KINDS = ("event_split", "report_reject", "event_merge", "report_confirm",
               "event_confirm")
STORY_KINDS = ("story_split", "story_reject", "story_merge", "story_confirm")
APART = frozenset({"event_split", "report_reject", "story_split", "story_reject"})
TOGETHER = frozenset({"event_merge", "report_confirm", "event_confirm", "story_merge",
                      "story_confirm"})


@dataclass(slots=True)
class Constraints:
    """Must-link and cannot-link pairs of reports, as the decisions left them."""

    _pairs: dict[frozenset[str], bool] = field(default_factory=dict)
    _by_report: dict[str, set[str]] = field(default_factory=dict)

    @classmethod
    def from_decisions(cls, rows: Iterable[dict[str, Any]]) -> Constraints:
        c = cls()
        for row in sorted(rows, key=lambda r: r["seq"]):
            if row.get("undone_by") or row["kind"] not in APART | TOGETHER:
                continue
            members = list(dict.fromkeys(row.get("members") or ()))
            others = list(dict.fromkeys(row.get("others") or ()))
            if row["kind"] in APART:
                c._set_all(combinations(members, 2), True)
                c._set_all(((m, o) for m in members for o in others), False)
            else:
                c._set_all(combinations(members + [o for o in others if o not in members], 2),
                           True)
        return c

    def _set_all(self, pairs: Iterable[tuple[str, str]], together: bool) -> None:
        for a, b in pairs:
            if a == b:
                continue
            self._pairs[frozenset((a, b))] = together
            self._by_report.setdefault(a, set()).add(b)
            self._by_report.setdefault(b, set()).add(a)

    def __bool__(self) -> bool:
        return bool(self._pairs)

    def must(self, report_id: str) -> set[str]:
        return {o for o in self._by_report.get(report_id, ())
                if self._pairs[frozenset((report_id, o))]}

    def cannot(self, report_id: str) -> set[str]:
        return {o for o in self._by_report.get(report_id, ())
                if not self._pairs[frozenset((report_id, o))]}

    def reports(self) -> set[str]:
        """Every report some decision is about."""
        return set(self._by_report)


def decision_row(kind: str, subject: str, *, target: str | None, members: Sequence[str],
                 others: Sequence[str], score: float | None, actor: str,
                 note: str | None) -> dict[str, Any]:
    """A decision as the store keeps it (id and seq are given by the store)."""
    if kind not in (*EVENT_KINDS, *STORY_KINDS, "undo"):
        raise ValueError(f"unknown decision kind {kind!r}")
    return {"kind": kind, "subject": subject, "target": target, "members": list(members),
            "others": list(others), "score": score, "actor": actor, "note": note}
