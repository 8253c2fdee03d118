"""Date expressions, normalised to ISO dates with ACLED time precision (1 day, 2 week, 3 month).

Relative expressions are anchored on the publication time. Conventions (ours, stated):
- a bare or "this" weekday ("el martes", "este domingo", "on Tuesday") is the most recent
  such day on or before publication; "last"/"pasado" makes it strictly before;
- a week ("last week", "la semana pasada") is coded as its Monday, precision 2;
- a month ("in July", "en julio") as its first day, precision 3;
- a day and month without a year take the most recent such date not after publication;
- with no anchor only absolute dates (with a year) get a value; others keep `value=None`.
English uses spaCy's DATE entities; the Spanish model has no DATE label, so patterns find
them. dateparser normalises what the patterns do not cover.
"""

from __future__ import annotations

import re
import warnings
from datetime import date, datetime, timedelta

from spacy.tokens import Doc

from corrobora.extract._data import fold, load_yaml
from corrobora.extract.nlp import model_lang
from corrobora.model import DateMention

_LEX = load_yaml("lexicon.yaml")["dates"]
WEEKDAYS = {lang: [fold(w) for w in v["weekdays"]] for lang, v in _LEX.items()}
MONTHS = {lang: [fold(m) for m in v["months"]] for lang, v in _LEX.items()}
_MONTH_ABBR = {m[:3]: i + 1 for i, m in enumerate(MONTHS["en"])} | {"sept": 9}


def _wd(lang: str) -> str:
    return "|".join(WEEKDAYS[lang])


def _mo(lang: str) -> str:
    return "|".join(MONTHS[lang])


# Patterns run on the accent-folded, lower-cased text (same length as the original).
def _patterns(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    wd, mo = _wd(lang), _mo(lang)
    if lang == "es":
        raw = [
            ("dmy", rf"\b(?:el\s+)?(?:(?:{wd})\s+)?(\d{{1,2}})\s+de\s+({mo})"
                    rf"(?:\s+(?:de|del)\s+(\d{{4}}))?"),
            ("my", rf"\b(?:en\s+|durante\s+)?({mo})\s+(?:de|del)\s+(\d{{4}})"),
            ("m", rf"\b(?:en|durante|desde|a finales de|a principios de|a mediados de)\s+({mo})\b"),
            ("wd_last", rf"\b(?:el\s+)?pasado\s+({wd})\b|\b(?:el\s+)?({wd})\s+pasado\b"),
            ("wd_this", rf"\b(?:este|esta)\s+({wd})\b|\bel\s+(?:dia\s+)?({wd})\b"),
            ("yesterday_night", r"\banoche\b|\bla noche de ayer\b|\bayer por la noche\b"),
            ("day_before", r"\b(?:antier|anteayer|antes de ayer)\b"),
            ("yesterday", r"\bayer\b"),
            ("today", r"\b(?:hoy|este dia|esta manana|esta madrugada|esta tarde|esta noche)\b"),
            ("last_week", r"\bla semana pasada\b|\bla pasada semana\b"),
            ("this_week", r"\besta semana\b"),
            ("weekend", r"\b(?:el|este|el pasado)\s+fin de semana\b"),
            ("last_month", r"\bel mes pasado\b|\bel pasado mes\b"),
            ("this_month", r"\beste mes\b"),
        ]
    else:
        raw = [
            ("mdy", rf"\b({mo}|(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?)"
                    rf"\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?"),
            ("dmy", rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({mo})(?:,?\s+(\d{{4}}))?"),
            ("my", rf"\b({mo})\s+(?:of\s+)?(\d{{4}})"),
            ("m", rf"\b(?:in|during|since|early|late|mid-?)\s+({mo})\b"),
            ("wd_last", rf"\blast\s+({wd})\b"),
            ("wd_this", rf"\b(?:this\s+|on\s+|early\s+|late\s+)?({wd})\b"),
            ("yesterday_night", r"\blast night\b"),
            ("yesterday", r"\byesterday\b"),
            ("today", r"\b(?:today|this morning|this afternoon|tonight|this evening)\b"),
            ("last_week", r"\blast week\b"),
            ("this_week", r"\bthis week\b"),
            ("weekend", r"\b(?:last|this|over the) weekend\b"),
            ("last_month", r"\blast month\b"),
            ("this_month", r"\bthis month\b"),
        ]
    return [(k, re.compile(p)) for k, p in raw]


_PATTERNS = {lang: _patterns(lang) for lang in ("en", "es")}


def _month(tok: str, lang: str) -> int:
    tok = tok.rstrip(".")
    if tok in MONTHS[lang]:
        return MONTHS[lang].index(tok) + 1
    return _MONTH_ABBR.get(tok[:4] if tok.startswith("sept") else tok[:3], 0)


def _weekday_before(anchor: date, weekday: int, strict: bool) -> date:
    delta = (anchor.weekday() - weekday) % 7
    if strict and delta == 0:
        delta = 7
    return anchor - timedelta(days=delta)


def _day_month(day: int, month: int, year: int | None, anchor: date | None) -> date | None:
    try:
        if year:
            return date(year, month, day)
        if anchor is None:
            return None
        d = date(anchor.year, month, day)
        # A date a little after publication is usually a typo for the past year's date;
        # allow one day of slack for time zones.
        return d if d <= anchor + timedelta(days=1) else date(anchor.year - 1, month, day)
    except ValueError:
        return None


def _resolve(kind: str, groups: tuple[str | None, ...], lang: str,
             anchor: date | None) -> tuple[date | None, int]:
    g = [x for x in groups if x]
    if kind == "dmy" or kind == "mdy":
        day_s, mon_s = (g[0], g[1]) if kind == "dmy" else (g[1], g[0])
        year = int(g[2]) if len(g) > 2 else None
        return _day_month(int(day_s), _month(mon_s, lang), year, anchor), 1
    if kind == "my":
        return date(int(g[1]), _month(g[0], lang), 1), 3
    if anchor is None:
        return None, 1
    if kind == "m":
        m = _month(g[0], lang)
        y = anchor.year if m <= anchor.month else anchor.year - 1
        return date(y, m, 1), 3
    if kind in ("wd_last", "wd_this"):
        wd = WEEKDAYS[lang].index(g[0])
        return _weekday_before(anchor, wd, strict=kind == "wd_last"), 1
    simple = {"yesterday": (1, 1), "yesterday_night": (1, 1), "day_before": (2, 1),
              "today": (0, 1)}
    if kind in simple:
        days, prec = simple[kind]
        return anchor - timedelta(days=days), prec
    monday = anchor - timedelta(days=anchor.weekday())
    if kind == "last_week":
        return monday - timedelta(days=7), 2
    if kind == "this_week":
        return monday, 2
    if kind == "weekend":
        return _weekday_before(anchor, 5, strict=False), 2
    if kind == "last_month":
        first = anchor.replace(day=1) - timedelta(days=1)
        return first.replace(day=1), 3
    if kind == "this_month":
        return anchor.replace(day=1), 3
    return None, 1


def _resolved(kind: str, groups: tuple[str | None, ...], lang: str,
              anchor: date | None) -> tuple[date | None, int]:
    """_resolve, with no value where the date would fall outside years 1 to 9999 ("last
    week" of a story dated 0001-01-01, "tomorrow" of 9999-12-31)."""
    try:
        return _resolve(kind, groups, lang, anchor)
    except (OverflowError, ValueError):
        return None, 1


def _dateparser(text: str, lang: str, published_at: datetime | None) -> tuple[date | None, int]:
    try:
        return _parsed(text, lang, published_at)
    except (OverflowError, ValueError):  # an anchor or a date at the calendar's ends
        return None, 1


def _parsed(text: str, lang: str, published_at: datetime | None) -> tuple[date | None, int]:
    import dateparser

    settings: dict[str, object] = {"PREFER_DATES_FROM": "past",
                                   "RETURN_TIME_AS_PERIOD": False,
                                   "REQUIRE_PARTS": ["month"]}
    if published_at is not None:
        settings["RELATIVE_BASE"] = published_at.replace(tzinfo=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = dateparser.parse(text, languages=[lang], settings=settings)  # type: ignore[arg-type]
    if got is None:
        return None, 1
    has_day = bool(re.search(r"\d{1,2}(?!\d)", re.sub(r"\d{4}", "", text)))
    return (got.date(), 1) if has_day else (got.date().replace(day=1), 3)


def dates(doc: Doc, lang: str, published_at: datetime | None) -> list[DateMention]:
    """Date expressions of the document, each with its ISO value (or None) and precision."""
    lang = model_lang(lang)
    anchor = published_at.date() if published_at else None
    text = doc.text
    low = fold(text)
    if len(low) != len(text):  # unidecode changed lengths: fall back to plain lower-casing
        low = text.lower()
    found: list[DateMention] = []

    def free(s: int, e: int) -> bool:
        return all(e <= m.start or s >= m.end for m in found)

    for kind, pat in _PATTERNS[lang]:
        for m in pat.finditer(low):
            s, e = m.span()
            if not free(s, e):
                continue
            # "may" is also a modal verb: only as a month with a day or year beside it.
            if kind == "m" and m.group(1) == "may" and lang == "en":
                continue
            if kind == "wd_this" and lang == "en" and low[s:e].strip() in ("sunday",) and \
                    text[s:e][:1].islower():
                continue
            value, prec = _resolved(kind, m.groups(), lang, anchor)
            found.append(DateMention(s, e, text[s:e], value.isoformat() if value else None, prec))
    if lang == "en":
        for ent in doc.ents:
            if ent.label_ != "DATE" or not free(ent.start_char, ent.end_char):
                continue
            value, prec = _dateparser(ent.text, lang, published_at)
            if value is not None and anchor is None and not re.search(r"\d{4}", ent.text):
                value = None
            found.append(DateMention(ent.start_char, ent.end_char, ent.text,
                                     value.isoformat() if value else None, prec))
    found.sort(key=lambda d: d.start)
    return found
