"""Archives: members streamed as `archive!member`, one level of nesting, damage reported."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from corrobora.sources import read_path, read_paths

from .conftest import split

MEMBERS = ["brief.md", "docs.jsonl", "feed.rss", "article.html", "latin1.txt"]


def _tar_gz(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def _zip(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def _fixture_files(inputs: Path, prefix: str = "") -> dict[str, bytes]:
    files = {f"{prefix}{name}": (inputs / name).read_bytes() for name in MEMBERS}
    files[f"{prefix}.hidden.txt"] = b"A hidden file is not a document."
    files["__MACOSX/._brief.md"] = b"\x00\x05\x16\x07 resource fork"
    return files


def _expected_titles(docs_jsonl: int = 3) -> int:
    # brief.md 1, docs.jsonl 3, feed.rss 2, article.html 1, latin1.txt 1
    return 1 + docs_jsonl + 2 + 1 + 1


@pytest.fixture(autouse=True)
def _no_extraction_to_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("archives must be read in memory, not extracted")

    monkeypatch.setattr(tarfile.TarFile, "extract", refuse)
    monkeypatch.setattr(tarfile.TarFile, "extractall", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extract", refuse)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", refuse)


def test_tar_gz_members_are_read_with_member_origins(inputs: Path, tmp_path: Path) -> None:
    archive = _tar_gz(tmp_path / "batch.tar.gz", _fixture_files(inputs, "docs/"))
    docs, failures = split(read_path(archive))
    assert failures == []
    assert len(docs) == _expected_titles()
    origins = sorted({d.origin for d in docs})
    assert origins == sorted(f"{archive}!docs/{name}" for name in MEMBERS)
    by_origin = {d.origin: d for d in docs}
    assert by_origin[f"{archive}!docs/latin1.txt"].text.startswith("Balacera en Michoacán")
    assert by_origin[f"{archive}!docs/article.html"].source == "The Harbor Ledger"
    assert not any("hidden" in d.text or "resource fork" in d.text for d in docs)


def test_tgz_and_plain_tar(inputs: Path, tmp_path: Path) -> None:
    files = {"brief.md": (inputs / "brief.md").read_bytes()}
    tgz = _tar_gz(tmp_path / "one.tgz", files)
    plain = tmp_path / "one.tar"
    with tarfile.open(plain, "w") as archive:
        archive.add(inputs / "brief.md", arcname="brief.md")
    for path in (tgz, plain):
        (doc,) = split(read_path(path))[0]
        assert doc.origin == f"{path}!brief.md"
        assert doc.title == "Bridge inspection finds minor cracks"


def test_zip_members_are_read(inputs: Path, tmp_path: Path) -> None:
    archive = _zip(tmp_path / "batch.zip", _fixture_files(inputs))
    docs, failures = split(read_path(archive))
    assert failures == []
    assert len(docs) == _expected_titles()
    assert {d.origin for d in docs} == {f"{archive}!{name}" for name in MEMBERS}


def test_nested_archive_one_level(inputs: Path, tmp_path: Path) -> None:
    inner = _tar_gz(tmp_path / "inner.tar.gz", {"brief.md": (inputs / "brief.md").read_bytes()})
    outer = _zip(
        tmp_path / "outer.zip",
        {"inner.tar.gz": inner.read_bytes(), "feed.rss": (inputs / "feed.rss").read_bytes()},
    )
    docs, failures = split(read_path(outer))
    assert failures == []
    assert [d.origin for d in docs] == [
        f"{outer}!inner.tar.gz!brief.md",
        f"{outer}!feed.rss",
        f"{outer}!feed.rss",
    ]
    # One level more is refused, by name.
    outermost = _tar_gz(tmp_path / "outermost.tar.gz", {"outer.zip": outer.read_bytes()})
    docs, failures = split(read_path(outermost))
    assert docs == [f for f in docs if f.origin.endswith("feed.rss")]
    assert [str(f) for f in failures] == [
        f"{outermost}!outer.zip!inner.tar.gz: archive nested more than one level deep; not read"
    ]


def test_corrupt_zip_fails(inputs: Path) -> None:
    path = inputs / "bad" / "corrupt.zip"
    docs, failures = split(read_path(path))
    assert docs == []
    assert len(failures) == 1 and failures[0].origin == str(path)
    assert failures[0].problem.startswith("corrupt or truncated zip archive")


def test_truncated_tar_gz_reads_whole_members_then_fails(inputs: Path) -> None:
    path = inputs / "bad" / "truncated.tar.gz"
    docs, failures = split(read_path(path))
    assert [d.origin for d in docs] == [f"{path}!notes/note0.md"]
    assert docs[0].text.endswith(
        "Sentence 1999 of note 0, which is about nothing in particular at all."
    )
    assert failures[-1].origin == str(path)
    assert failures[-1].problem.startswith("corrupt or truncated tar archive after 1 member")


def test_gzip_single_file(inputs: Path, tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl.gz"
    path.write_bytes(gzip.compress((inputs / "docs.jsonl").read_bytes()))
    docs, failures = split(read_path(path))
    assert failures == []
    assert [d.id for d in docs] == ["doc-1", "doc-2", "doc-3"]
    assert docs[0].origin == str(path)


def test_archive_on_stdin(inputs: Path, tmp_path: Path) -> None:
    archive = _tar_gz(tmp_path / "x.tar.gz", {"a/brief.md": (inputs / "brief.md").read_bytes()})
    zipped = _zip(tmp_path / "y.zip", {"b/feed.atom": (inputs / "feed.atom").read_bytes()})
    for data, expected in ((archive, ["-!a/brief.md"]), (zipped, ["-!b/feed.atom"] * 2)):
        docs, failures = split(read_paths(["-"], stdin=io.BytesIO(data.read_bytes())))
        assert failures == []
        assert [d.origin for d in docs] == expected


def test_oversized_member_fails_alone(inputs: Path, tmp_path: Path) -> None:
    archive = _tar_gz(
        tmp_path / "mixed.tar.gz",
        {"big.txt": b"word " * 5000, "brief.md": (inputs / "brief.md").read_bytes()},
    )
    docs, failures = split(read_path(archive, max_bytes=4000))
    assert [d.origin for d in docs] == [f"{archive}!brief.md"]
    assert [str(f) for f in failures] == [
        f"{archive}!big.txt: document is 25.0 KB, over the 4 KB limit"
    ]
