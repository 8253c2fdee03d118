"""Hostile input to the readers (issue 18): each costs only itself, with one line naming it."""

from __future__ import annotations

import codecs
import io
import json
import os
import tarfile
import zipfile
from pathlib import Path

import pytest

from corrobora.sources import read_path, read_paths
from corrobora.sources.base import parse_datetime

from .conftest import split

GOOD = {"id": "good", "text": "Heavy rain flooded the low streets of Valdoro on Tuesday."}


def _jsonl(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _after(path: Path) -> str:
    return json.dumps({**GOOD, "id": "after"})


def test_lone_surrogate_costs_only_its_line(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "s.jsonl", json.dumps(GOOD), '{"id": "s", "text": "bad \\ud800"}',
                  _after(tmp_path))
    docs, failures = split(read_path(path))
    assert [d.id for d in docs] == ["good", "after"]
    (failure,) = failures
    assert failure.origin == f"{path}:2"
    assert "lone surrogate" in failure.problem and "'text'" in failure.problem


def test_lone_surrogate_in_the_id_is_refused(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "s.jsonl", '{"id": "x\\udc00", "text": "some text"}')
    _, (failure,) = split(read_path(path))
    assert "'id' has a lone surrogate" in failure.problem


def test_escaped_surrogate_pair_is_text(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "p.jsonl", '{"id": "p", "text": "smile \\ud83d\\ude00"}')
    (doc,), failures = split(read_path(path))
    assert failures == [] and doc.text == "smile \U0001f600"


def test_integer_over_the_digit_limit_costs_only_its_line(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "n.jsonl", '{"id": "n", "text": "x", "n": ' + "1" * 5000 + "}",
                  _after(tmp_path))
    docs, (failure,) = split(read_path(path))
    assert [d.id for d in docs] == ["after"]
    assert failure.origin == f"{path}:1"
    assert "more than 4,300 digits" in failure.problem


def test_deeply_nested_json_costs_only_its_line(tmp_path: Path) -> None:
    deep = '{"id": "d", "text": "x", "n": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = _jsonl(tmp_path / "d.jsonl", deep, _after(tmp_path))
    docs, (failure,) = split(read_path(path))
    assert [d.id for d in docs] == ["after"]
    assert failure.problem == "invalid JSON: nested too deeply to read"


def test_deeply_nested_json_file_fails_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "d.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    _, (failure,) = split(read_path(path))
    assert failure.origin == str(path) and "nested too deeply" in failure.problem


def test_jsonl_starting_with_a_utf8_bom_reads_line_one(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(codecs.BOM_UTF8 + (json.dumps(GOOD) + "\n" + _after(tmp_path)).encode())
    docs, failures = split(read_path(path))
    assert failures == [] and [d.id for d in docs] == ["good", "after"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_jsonl_in_utf16_or_utf32_with_a_bom_is_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "wide.jsonl"
    path.write_bytes((json.dumps(GOOD) + "\n" + _after(tmp_path) + "\n").encode(encoding))
    docs, failures = split(read_path(path))
    assert failures == [] and [d.id for d in docs] == ["good", "after"]


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                                   "9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00"])
def test_placeholder_dates_at_the_calendar_ends_are_dropped(value: str) -> None:
    assert parse_datetime(value) is None


def test_jsonl_placeholder_date_is_dropped_with_a_warning(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "y.jsonl", json.dumps({**GOOD, "published_at": "9999-12-31"}))
    (doc,), failures = split(read_path(path))
    assert failures == [] and doc.published_at is None
    assert doc.extra["warnings"] == ["'published_at' ignored: not a usable date ('9999-12-31')"]


def test_front_matter_placeholder_date_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "y.md"
    path.write_text("---\ntitle: T\ndate: 0001-01-01\n---\n\nGunmen attacked a bar.\n")
    (doc,), failures = split(read_path(path))
    assert failures == [] and doc.published_at is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_fifo_argument_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # no writer: opening it for reading would block forever
    _, (failure,) = split(read_path(fifo))
    assert failure.origin == str(fifo)
    assert failure.problem.startswith("not a regular file or directory (a FIFO")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_fifo_inside_a_folder_is_named_and_the_rest_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Gunmen attacked a bar in Celaya.")
    os.mkfifo(tmp_path / "b.txt")
    (tmp_path / "c.txt").write_text("Soldiers detained two men in Culiacán.")
    docs, (failure,) = split(read_path(tmp_path))
    assert len(docs) == 2 and failure.origin == str(tmp_path / "b.txt")
    assert "FIFO" in failure.problem


def test_symlink_out_of_the_folder_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("root:x:0:0:root:/root:/bin/bash")
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_text("Gunmen attacked a bar in Celaya.")
    (folder / "passwd.txt").symlink_to(outside)
    docs, (failure,) = split(read_path(folder))
    assert [d.origin for d in docs] == [str(folder / "a.txt")]
    assert failure.origin == str(folder / "passwd.txt")
    assert failure.problem == f"symbolic link to {outside}, outside {folder}; not followed"


def test_symlink_within_the_folder_is_followed(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("Gunmen attacked a bar in Celaya.")
    (tmp_path / "link.txt").symlink_to(tmp_path / "sub" / "a.txt")
    docs, failures = split(read_path(tmp_path))
    assert failures == [] and len(docs) == 2


def test_symlink_named_on_the_command_line_is_followed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Gunmen attacked a bar in Celaya.")
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    (_doc,), failures = split(read_path(tmp_path / "link.txt"))
    assert failures == []


def test_linked_directory_and_broken_link_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "loop").symlink_to(folder)
    (folder / "gone.txt").symlink_to(tmp_path / "missing.txt")
    _, failures = split(read_path(folder))
    problems = {f.origin: f.problem for f in failures}
    assert problems[str(folder / "gone.txt")] == "broken symbolic link"
    assert problems[str(folder / "loop")].startswith("symbolic link to a directory; not followed")


def test_file_name_that_is_not_utf8_is_read_under_an_escaped_name(tmp_path: Path) -> None:
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt")
    with open(raw, "wb") as f:
        f.write(b"Gunmen attacked a bar in Celaya.")
    (doc,), failures = split(read_paths([str(tmp_path)]))
    assert failures == []
    assert doc.origin == f"{tmp_path}/caf\\xe9.txt"
    doc.origin.encode("utf-8")  # storable and printable


def test_unreadable_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("Gunmen attacked a bar in Celaya.")
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: permissions are not enforced")
        _, (failure,) = split(read_path(tmp_path))
        assert failure.origin == str(path) and failure.problem.startswith("cannot open")
    finally:
        path.chmod(0o644)


def test_tar_members_skipped_for_dotdot_or_links_are_named(tmp_path: Path) -> None:
    text = b"Gunmen attacked a bar in Celaya."
    path = tmp_path / "a.tar"
    with tarfile.open(path, "w") as tar:
        for name, kind, target in [("ok.txt", tarfile.REGTYPE, ""),
                                   ("../evil.txt", tarfile.REGTYPE, ""),
                                   ("link.txt", tarfile.SYMTYPE, "/etc/passwd"),
                                   ("hard.txt", tarfile.LNKTYPE, "ok.txt"),
                                   ("/abs.txt", tarfile.REGTYPE, ""),
                                   (".hidden.txt", tarfile.REGTYPE, "")]:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, target
            info.size = len(text) if kind == tarfile.REGTYPE else 0
            tar.addfile(info, io.BytesIO(text) if kind == tarfile.REGTYPE else None)
    docs, failures = split(read_path(path))
    assert [d.origin for d in docs] == [f"{path}!ok.txt"]
    problems = {f.origin: f.problem for f in failures}
    assert problems == {
        f"{path}!../evil.txt": "member path leaves the archive ('..'); not read",
        f"{path}!link.txt": "symbolic link member (to '/etc/passwd'); links in archives are "
                            "not followed",
        f"{path}!hard.txt": "hard link member (to 'ok.txt'); links in archives are not "
                            "followed",
        f"{path}!/abs.txt": "member path is absolute; not read",
    }


def test_zip_members_skipped_for_dotdot_or_links_are_named(tmp_path: Path) -> None:
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("ok.txt", "Gunmen attacked a bar in Celaya.")
        z.writestr("../evil.txt", "Gunmen attacked a bar in Celaya.")
        link = zipfile.ZipInfo("link.txt")
        link.external_attr = (0o120777 << 16)
        z.writestr(link, "/etc/passwd")
    docs, failures = split(read_path(path))
    assert [d.origin for d in docs] == [f"{path}!ok.txt"]
    assert {f.origin: f.problem for f in failures} == {
        f"{path}!../evil.txt": "member path leaves the archive ('..'); not read",
        f"{path}!link.txt": "symbolic link member; links in archives are not followed",
    }


def test_jsonl_whose_only_line_is_too_large_fails_once(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "big.jsonl", json.dumps({"id": "big", "text": "x" * 5000}))
    _, failures = split(read_path(path, max_bytes=2000))
    assert [f.origin for f in failures] == [f"{path}:1"]
