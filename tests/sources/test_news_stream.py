"""The whole July 2024 news stream (≈3,000 articles in one tar.gz), read end to end."""

from __future__ import annotations

import tarfile
import time
from pathlib import Path

from corrobora.sources import Document, read_paths

NEWS = "data/news-stream/news_2024-07-16_to_2024-08-01.tar.gz"


def test_reads_whole_news_stream_archive(shared: Path) -> None:
    archive = shared / NEWS
    with tarfile.open(archive) as tar:
        md_members = [m.name for m in tar.getmembers() if m.isfile() and m.name.endswith(".md")]
    assert len(md_members) > 2900

    start = time.perf_counter()
    items = list(read_paths([str(archive)]))
    elapsed = time.perf_counter() - start
    docs = [i for i in items if isinstance(i, Document)]
    failures = [i for i in items if not isinstance(i, Document)]
    print(
        f"\nnews stream: {len(docs)} documents, {len(failures)} failures in {elapsed:.2f} s "
        f"({len(docs) / elapsed:.0f} docs/s)"
    )

    # One item per member: a document, or a failure naming it.
    assert [i.origin for i in items] == [f"{archive}!{name}" for name in md_members]
    # The stream's failures are its empty pages (a title and nothing else); the rest are read.
    assert all(f.problem == "no body text (only a title)" for f in failures)
    assert len(failures) <= 5
    articles = [d for d in docs if not d.origin.endswith("/readme.md")]
    assert len(articles) >= len(md_members) - 6
    for doc in articles:
        assert doc.title, doc.origin
        assert doc.published_at is not None and doc.published_at.utcoffset() is not None, doc.origin
        assert not doc.text.startswith(("#", "Published")), doc.origin
    assert elapsed < 20
