"""Live intake: poll RSS/Atom feeds and web pages, fetch the new articles, ingest what is new.

    targets = load_targets(["feeds.yaml", "https://example.org/rss.xml"])
    with SafeFetcher(NetPolicy()) as fetcher:
        watcher = Watcher("corrobora.duckdb", fetcher, every=900)
        for result in watcher.poll(targets):
            print(result.line())        # one line per feed: new items, 304, error, back-off

A feed's new entries (by guid, else link) have their article page fetched (through the same
guarded fetcher, sources/net.py) and read with trafilatura; when the page cannot be used the
entry's own text is stored instead, with a note. Everything new goes through the normal
ingest (corrobora.ingest), so an item is stored once however often it is seen. What each poll
found is kept in the store (migration 008): ETag and Last-Modified for conditional GETs, the
items taken, errors, and when to poll next (the schedule, exponential back-off after errors,
a server's Retry-After).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml

from corrobora.model.document import Document, ReadFailure
from corrobora.sources import feed as feed_reader
from corrobora.sources import html as html_reader
from corrobora.sources.base import ReadError, decode, one_line
from corrobora.sources.net import Fetched, FetchError, SafeFetcher
from corrobora.sources.sniff import detect
from corrobora.store import Store

if TYPE_CHECKING:
    from corrobora.extractor import Extractor

log = logging.getLogger(__name__)

DEFAULT_EVERY = 15 * 60.0
MAX_BACKOFF = 24 * 3600.0
"""Back-off doubles the interval after each failed poll in a row, up to a day."""
Kind = Literal["feed", "page"]
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_NOT_A_FEED = {"html": "an HTML page", "json": "JSON", "jsonl": "JSON Lines",
               "text": "plain text", "markdown": "plain text", "binary": "binary data"}


def parse_duration(text: str) -> float:
    """Seconds from `90`, `30s`, `15m`, `2h` or `1d`; ValueError otherwise."""
    value = text.strip().lower()
    unit = value[-1:] if value[-1:] in _UNITS else "s"
    number = value[:-1] if value[-1:] in _UNITS else value
    try:
        seconds = float(number) * _UNITS[unit]
    except ValueError:
        raise ValueError(f"{text!r} is not a duration (e.g. 90s, 15m, 2h, 1d)") from None
    if not seconds > 0:
        raise ValueError(f"{text!r}: a duration must be more than 0")
    return seconds


@dataclass(slots=True, frozen=True)
class Target:
    """A URL to poll: an RSS/Atom `feed` (each new entry an item) or a `page` (stored again
    whenever its text changes)."""

    url: str
    kind: Kind = "feed"
    pages: bool = True
    """Fetch each new entry's article page (else store the entry's own text)."""
    every: float | None = None
    """This target's interval; the watcher's when None."""


def load_targets(args: Iterable[str], *, pages: bool = True) -> list[Target]:
    """Targets from URLs and YAML files (docs/watch.md); ValueError names a bad one."""
    targets: list[Target] = []
    for arg in args:
        if "://" in arg:
            targets.append(Target(_url(arg, arg), pages=pages))
        else:
            targets += _read_yaml(Path(arg), pages)
    seen: set[str] = set()
    unique = [t for t in targets if not (t.url in seen or seen.add(t.url))]  # type: ignore[func-returns-value]
    if not unique:
        raise ValueError("no feeds to watch: give URLs or a FEEDS.yaml listing them")
    return unique


def _url(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: a feed needs a URL")
    url = value.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"{where}: {url!r} is not an http or https URL")
    return url


def _read_yaml(path: Path, pages: bool) -> list[Target]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid YAML ({one_line(str(exc), 120)})") from None
    entries = data.get("feeds") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of feeds (or `feeds:` with one)")
    targets = []
    for n, entry in enumerate(entries, start=1):
        where = f"{path}: feed {n}"
        if isinstance(entry, str):
            targets.append(Target(_url(entry, where), pages=pages))
            continue
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: expected a URL or a mapping with `url:`")
        unknown = set(entry) - {"url", "kind", "pages", "every"}
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(map(str, unknown)))}"
                             " (url, kind, pages, every)")
        kind = entry.get("kind", "feed")
        if kind not in ("feed", "page"):
            raise ValueError(f"{where}: kind must be feed or page, not {kind!r}")
        fetch_pages = entry.get("pages", pages)
        if not isinstance(fetch_pages, bool):
            raise ValueError(f"{where}: pages must be true or false")
        try:
            every = parse_duration(str(entry["every"])) if "every" in entry else None
        except ValueError as exc:
            raise ValueError(f"{where}: every: {exc}") from None
        targets.append(Target(_url(entry.get("url"), where), kind, fetch_pages, every))
    return targets


@dataclass(slots=True)
class PollResult:
    url: str
    outcome: Literal["new", "unchanged", "not_modified", "error", "waiting"]
    new_items: int = 0
    stored: int = 0
    """New documents among the new items (the rest were stored already, or failed)."""
    problem: str | None = None
    notes: list[str] = field(default_factory=list)
    """One line each for an item that was stored in part, or not at all."""
    next_poll: datetime | None = None

    def line(self) -> str:
        when = _clock_time(self.next_poll)
        if self.outcome == "new":
            items = "item" if self.new_items == 1 else "items"
            return (f"{self.url}: {self.new_items} new {items}, {self.stored} new "
                    f"document{'' if self.stored == 1 else 's'} stored")
        if self.outcome == "unchanged":
            return f"{self.url}: nothing new"
        if self.outcome == "not_modified":
            return f"{self.url}: not modified (HTTP 304)"
        if self.outcome == "waiting":
            return f"{self.url}: {self.problem}; next poll after {when}"
        return f"{self.url}: error: {self.problem}; next poll after {when}"


def _clock_time(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if value else "now"


def backoff(errors: int, every: float) -> float:
    """Seconds to wait after the `errors`-th failed poll in a row."""
    return min(every * 2.0 ** errors, MAX_BACKOFF)


@dataclass(slots=True)
class _Item:
    key: str
    document: Document


class Watcher:
    def __init__(self, db: str | Path, fetcher: SafeFetcher, *, every: float = DEFAULT_EVERY,
                 extractor: Extractor | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.db = Path(db)
        self.fetcher = fetcher
        self.every = every
        self.clock = clock
        self.sleep = sleep
        self._extractor = extractor

    @property
    def extractor(self) -> Extractor:
        # Made at the first new item: a poll that finds nothing new loads no NLP models.
        if self._extractor is None:
            from corrobora.extractor import Extractor

            self._extractor = Extractor()
        return self._extractor

    def poll(self, targets: Iterable[Target], *, scheduled: bool = False) -> list[PollResult]:
        """Poll each target once; `scheduled` skips those whose next poll is not due yet. A
        target backing off after errors, or told to wait by Retry-After, is always skipped
        until then. The store is open only for the pass (StoreError when it cannot be)."""
        with Store(self.db) as store:
            return [self._poll(store, target, scheduled) for target in targets]

    def run(self, targets: list[Target], report: Callable[[PollResult], None], *,
            passes: int | None = None,
            store_busy: Callable[[Exception], None] | None = None) -> None:
        """Poll on schedule until interrupted (or for `passes` passes), sleeping until the
        next target is due. `store_busy` is told when a pass cannot open the store (another
        process holds it); the pass is tried again after the interval."""
        done = 0
        while passes is None or done < passes:
            try:
                results = self.poll(targets, scheduled=True)
            except Exception as exc:
                from corrobora.store import StoreError

                if store_busy is None or not isinstance(exc, StoreError):
                    raise
                store_busy(exc)
                results = []
            for result in results:
                if result.outcome != "waiting":  # said when it failed; not a poll
                    report(result)
            done += 1
            if passes is not None and done >= passes:
                break
            due = [r.next_poll for r in results if r.next_poll is not None]
            wake = min(due) if due else self.clock() + timedelta(seconds=self.every)
            self.sleep(max((wake - self.clock()).total_seconds(), 1.0))

    # -- one target -------------------------------------------------------------------------

    def _poll(self, store: Store, target: Target, scheduled: bool) -> PollResult:
        state = store.intake_feed(target.url) or {}
        now = self.clock()
        every = target.every or self.every
        if state.get("errors"):  # backing off, or told to wait by Retry-After
            due = state.get("next_poll")
            problem = (f"backing off after {state['errors']} failed poll"
                       f"{'' if state['errors'] == 1 else 's'} (last: {state['last_error']})")
        else:  # on schedule, at the interval asked now (not the one of the last run)
            last = state.get("last_polled")
            due = last + timedelta(seconds=every) if last is not None and scheduled else None
            problem = "not due yet"
        if due is not None and due > now:
            return PollResult(target.url, "waiting", problem=problem, next_poll=due)
        try:
            answer = self.fetcher.get(target.url, etag=state.get("etag"),
                                      last_modified=state.get("last_modified"))
            if answer.not_modified:
                result = PollResult(target.url, "not_modified")
                items: list[_Item] = []
            else:
                result, items = self._items(store, target, answer)
        except (FetchError, ReadError) as exc:
            return self._failed(store, target, state, now, exc, every)
        except Exception as exc:  # a library's surprise must not stop the other feeds
            log.debug("polling %s failed", target.url, exc_info=True)
            return self._failed(store, target, state, now, ReadError(
                f"unexpected {type(exc).__name__}: {one_line(str(exc), 160)}"), every)
        result.next_poll = now + timedelta(seconds=every)
        if items:
            self._ingest(store, items, result)
        feed_row = {
            "url": target.url, "kind": target.kind, "last_polled": now,
            "last_outcome": result.outcome, "last_ok": now, "errors": 0, "last_error": None,
            "next_poll": result.next_poll, "items": (state.get("items") or 0) + len(items),
            # A 304 may omit them: keep what the 200 said.
            "etag": answer.etag or (state.get("etag") if answer.not_modified else None),
            "last_modified": answer.last_modified
            or (state.get("last_modified") if answer.not_modified else None),
        }
        rows = [{"feed_url": target.url, "item_key": item.key, "url": item.document.url,
                 "document_id": item.document.document_id,
                 "title": item.document.title, "first_seen": now} for item in items]
        store.record_poll(feed_row, rows, {
            "feed_url": target.url, "polled_at": now, "outcome": result.outcome,
            "http_status": answer.status, "new_items": len(items),
            "problem": "; ".join(result.notes)[:2000] or None})
        return result

    def _failed(self, store: Store, target: Target, state: dict[str, Any], now: datetime,
                exc: Exception, every: float) -> PollResult:
        errors = state.get("errors") or 0
        if getattr(exc, "refused", False):
            # Our address and scheme rules refused it: no fault of the server's to
            # back off from, and a changed --allow must take effect at the next run.
            wait = every
        else:
            errors += 1
            wait = backoff(errors, every)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            wait = max(wait, retry_after)  # never before the server asked
        problem = one_line(str(exc).removeprefix(f"{target.url}: "), 300)
        result = PollResult(target.url, "error", problem=problem,
                            next_poll=now + timedelta(seconds=wait))
        store.record_poll({
            "url": target.url, "kind": target.kind, "etag": state.get("etag"),
            "last_modified": state.get("last_modified"), "last_polled": now,
            "last_outcome": "error", "last_ok": state.get("last_ok"), "errors": errors,
            "last_error": problem, "next_poll": result.next_poll,
            "items": state.get("items") or 0,
        }, [], {"feed_url": target.url, "polled_at": now, "outcome": "error",
                "http_status": getattr(exc, "status", None), "new_items": 0,
                "problem": problem})
        return result

    def _items(self, store: Store, target: Target,
               answer: Fetched) -> tuple[PollResult, list[_Item]]:
        """The new items of a 200 answer; ReadError when the body is not what the target is."""
        fmt = detect("", answer.body[:8192]) if answer.body.strip() else "empty"
        if fmt == "empty":
            raise ReadError("the answer is empty")
        if target.kind == "page":
            document = self._page(answer, fmt)
            item = _Item("sha256:" + document.content_hash, document)
            items = [item] if not store.intake_seen(target.url, [item.key]) else []
            return PollResult(target.url, "new" if items else "unchanged",
                              new_items=len(items)), items
        if fmt != "feed":
            raise ReadError(f"not an RSS/Atom feed (the body is {_NOT_A_FEED.get(fmt, fmt)})")
        result = PollResult(target.url, "unchanged")
        entries: list[_Item] = []
        for entry in feed_reader.read_feed(answer.body, answer.url):
            if isinstance(entry, ReadFailure):
                result.notes.append(str(entry))
                continue
            key = str(entry.extra.get("guid") or entry.url or "sha256:" + entry.content_hash)
            entries.append(_Item(key, entry))
        seen = store.intake_seen(target.url, [e.key for e in entries])
        fresh = list({e.key: e for e in entries if e.key not in seen}.values())
        if target.pages:
            fresh = [_Item(e.key, self._article(e.document, result.notes)) for e in fresh]
        result.new_items = len(fresh)
        result.outcome = "new" if fresh else "unchanged"
        return result, fresh

    def _page(self, answer: Fetched, fmt: str) -> Document:
        if fmt != "html":
            raise ReadError(f"not a web page (the body is {_NOT_A_FEED.get(fmt, fmt)})")
        text, encoding = decode(answer.body, _charset(answer.content_type))
        document = html_reader.read_html(text, answer.url)
        document.url = document.url or answer.url
        document.extra.update(format="html", encoding=encoding)
        return document

    def _article(self, entry: Document, notes: list[str]) -> Document:
        """The entry's article page as the document, with the entry's metadata where the page
        has none; the entry itself (and a note) when the page cannot be used."""
        if not entry.url:
            return entry
        try:
            answer = self.fetcher.get(entry.url)
            fmt = detect("", answer.body[:8192]) if answer.body.strip() else "empty"
            page = self._page(answer, fmt)
        except Exception as exc:  # FetchError, ReadError, or a library's surprise
            log.debug("article page %s not used", entry.url, exc_info=True)
            problem = one_line(str(exc).removeprefix(f"{entry.url}: "), 300)
            notes.append(f"{entry.url}: article page not used ({problem}); "
                         "the feed entry's text was stored")
            return entry
        return replace(page, url=entry.url, title=page.title or entry.title,
                       lang=page.lang or entry.lang,
                       published_at=page.published_at or entry.published_at,
                       source=page.source or entry.source,
                       extra={**page.extra, "feed_entry": entry.extra.get("entry"),
                              "guid": entry.extra.get("guid")})

    def _ingest(self, store: Store, items: list[_Item], result: PollResult) -> None:
        from corrobora.ingest import Ingestor

        summary = Ingestor(store, self.extractor).ingest(item.document for item in items)
        result.stored = summary.new
        result.notes += summary.failures + summary.notes


def _charset(content_type: str | None) -> str | None:
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset" and value:
            return value.strip("\"' ")
    return None
