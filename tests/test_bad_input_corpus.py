"""A corpus of bad input (issue 18), each kind run through `corrobora ingest` on a copy of one
good store: the exit status, one clear line naming the input, nothing stored before lost, and
a store that still opens with consistent counts and `corrobora stats` working.

Exit status of ingest (docs/usage.md): 0 when any document was read (stored now or before),
each bad input reported with a `skipped` line; 1 when nothing could be read at all.
Every case here ends its arguments with a file already stored, so the run must go on past the
bad input to reach it: a crash shows as a traceback, not as exit status 0.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import typer
from click.testing import CliRunner

from corrobora.cli import app as typer_app
from corrobora.store import Store

# The click command built once: typer's own runner rebuilds it on every call (0.1 s each).
app = typer.main.get_command(typer_app)
runner = CliRunner()

GOOD = [
    {"id": "good-1", "text": "Gunmen killed three police officers in Celaya, Guanajuato, on "
                             "Monday, officials said.", "published_at": "2024-07-16T10:00:00Z"},
    {"id": "good-2", "text": "Elementos del Ejército detuvieron a dos personas en Culiacán, "
                             "Sinaloa, el martes.", "lang": "es",
     "published_at": "2024-07-17T10:00:00Z"},
]
TEXT = "Soldiers seized a weapons cache near Morelia, Michoacán, state officials said."
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"


@dataclass
class Case:
    """What one kind of bad input must give: the names its `skipped` lines carry (one line
    each, as printed: escaped), a fragment of each problem, and the documents it adds."""

    lines: list[tuple[str, str]]
    stored: int = 0
    notes: int = 0
    args: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)


Build = Callable[[Path], Case]
CASES: dict[str, Build] = {}


def case(name: str) -> Callable[[Build], Build]:
    def register(build: Build) -> Build:
        CASES[name] = build
        return build
    return register


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _one(path: Path, data: bytes | str, problem: str, shown: str | None = None) -> Case:
    _write(path, data)
    return Case([(shown or str(path), problem)], args=[str(path)])


def _jsonl_case(name: str, line: str | bytes, problem: str) -> None:
    def build(d: Path) -> Case:
        raw = line if isinstance(line, bytes) else line.encode("utf-8")
        return _one(d / "in.jsonl", raw + b"\n", problem, f"{d / 'in.jsonl'}:1")
    CASES[name] = build


# --- JSON Lines: every bad line costs only that line -----------------------------------------

for _name, _line, _problem in [
    ("jsonl-truncated", '{"id": "a", "te', "invalid JSON, truncated or malformed"),
    ("jsonl-not-json", "hello world", "invalid JSON"),
    ("jsonl-array-line", "[1, 2, 3]", "expected a JSON object, got list"),
    ("jsonl-string-line", '"just a string"', "expected a JSON object, got str"),
    ("jsonl-number-line", "42", "expected a JSON object, got int"),
    ("jsonl-null-line", "null", "expected a JSON object, got NoneType"),
    ("jsonl-empty-object", "{}", "missing required field 'id'"),
    ("jsonl-missing-text", '{"id": "a"}', "missing required field 'text'"),
    ("jsonl-id-number", '{"id": 7, "text": "x"}', "'id' must be a non-empty string"),
    ("jsonl-id-empty", '{"id": "  ", "text": "x"}', "'id' must be a non-empty string"),
    ("jsonl-id-huge-int", '{"id": ' + "9" * 5000 + ', "text": "x"}',
     "an integer of more than 4,300 digits"),
    ("jsonl-text-number", '{"id": "a", "text": 3}', "'text' must be a string"),
    ("jsonl-text-empty", '{"id": "a", "text": " \\n "}', "'text' is empty"),
    ("jsonl-toponyms-not-list", '{"id": "a", "text": "Celaya", "toponyms": 5}',
     "'toponyms' must be a list"),
    ("jsonl-toponyms-outside", '{"id": "a", "text": "Celaya", "toponyms": '
     '[{"start": 0, "end": 99}]}', "is outside the text"),
    ("jsonl-toponyms-not-int", '{"id": "a", "text": "Celaya", "toponyms": '
     '[{"start": "0", "end": 6}]}', "needs integer 'start' and 'end'"),
    ("jsonl-surrogate-text", '{"id": "a", "text": "bad \\ud800 text"}', "lone surrogate"),
    ("jsonl-surrogate-id", '{"id": "\\udfff", "text": "text"}', "'id' has a lone surrogate"),
    ("jsonl-surrogate-title", '{"id": "a", "text": "t", "title": "\\ud83d"}',
     "'title' has a lone surrogate"),
    ("jsonl-surrogate-source", '{"id": "a", "text": "t", "source": "\\udc80x"}',
     "'source' has a lone surrogate"),
    ("jsonl-huge-int", '{"id": "a", "text": "t", "n": ' + "1" * 4400 + "}",
     "an integer of more than 4,300 digits"),
    ("jsonl-deep-array", '{"id": "a", "text": "t", "n": ' + "[" * 50_000 + "]" * 50_000 + "}",
     "nested too deeply"),
    ("jsonl-deep-object", '{"id": "a", "text": "t", "n": ' + '{"a": ' * 50_000
     + "1" + "}" * 50_000 + "}", "nested too deeply"),
    ("jsonl-invalid-utf8", '{"id": "a", "text": "Michoacán está cerca, café '.encode()
     + b'\xff"}', "invalid UTF-8 at byte"),
    ("jsonl-markup-id", '{"id": "[/x][bold]", "text": ""}', "'text' is empty"),
    ("jsonl-escape-id", '{"id": "\\u001b[2J\\u001b[31mred", "text": ""}', "'text' is empty"),
    ("jsonl-newline-id", '{"id": "a\\ndocuments: 999 new", "text": ""}', "'text' is empty"),
]:
    _jsonl_case(_name, _line, _problem)


@case("jsonl-line-over-the-size-limit")
def _(d: Path) -> Case:
    c = _one(d / "big.jsonl", json.dumps({"id": "big", "text": "x" * 5000}) + "\n",
             "over the 2 KB limit", f"{d / 'big.jsonl'}:1")
    c.options = ["--max-mb", "0.002"]
    return c


@case("jsonl-empty-file")
def _(d: Path) -> Case:
    return _one(d / "e.jsonl", b"", "empty file")


@case("jsonl-whitespace-only")
def _(d: Path) -> Case:
    return _one(d / "w.jsonl", b"\n  \n\t\n", "empty file (only whitespace)")


@case("jsonl-utf8-bom")
def _(d: Path) -> Case:
    doc = {"id": "bom", "text": TEXT}
    _write(d / "bom.jsonl", b"\xef\xbb\xbf" + json.dumps(doc).encode() + b"\n")
    return Case([], stored=1, args=[str(d / "bom.jsonl")])


@case("jsonl-utf16-bom")
def _(d: Path) -> Case:
    doc = {"id": "wide", "text": TEXT + " Again."}
    _write(d / "wide.jsonl", (json.dumps(doc) + "\n").encode("utf-16"))
    return Case([], stored=1, args=[str(d / "wide.jsonl")])


@case("jsonl-date-year-0001")
def _(d: Path) -> Case:
    doc = {"id": "y1", "text": TEXT + " One.", "published_at": "0001-01-01T00:00:00Z"}
    _write(d / "y.jsonl", json.dumps(doc) + "\n")
    return Case([], stored=1, notes=1, args=[str(d / "y.jsonl")])


@case("jsonl-date-year-9999-west-of-utc")
def _(d: Path) -> Case:
    doc = {"id": "y9", "text": TEXT + " Nine.", "published_at": "9999-12-31T23:00:00-05:00"}
    _write(d / "y.jsonl", json.dumps(doc) + "\n")
    return Case([], stored=1, notes=1, args=[str(d / "y.jsonl")])


# --- JSON --------------------------------------------------------------------------------


@case("json-truncated")
def _(d: Path) -> Case:
    return _one(d / "t.json", '{"id": "a", "text": "Cel', "invalid JSON")


@case("json-deep")
def _(d: Path) -> Case:
    return _one(d / "deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply")


@case("json-empty-array")
def _(d: Path) -> Case:
    return _one(d / "none.json", "[]", "empty JSON array")


@case("json-scalar")
def _(d: Path) -> Case:
    return _one(d / "n.json", "42", "expected a JSON object, got int", f"{d / 'n.json'}[0]")


@case("json-array-with-a-bad-record")
def _(d: Path) -> Case:
    return _one(d / "a.json", '[{"id": "a"}]', "missing required field 'text'",
                f"{d / 'a.json'}[0]")


# --- encodings and binary content with text extensions ------------------------------------


@case("png-as-txt")
def _(d: Path) -> Case:
    return _one(d / "photo.txt", PNG, "binary file (PNG image), not text")


@case("pdf-as-md")
def _(d: Path) -> Case:
    return _one(d / "report.md", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary file (PDF")


@case("elf-as-html")
def _(d: Path) -> Case:
    return _one(d / "page.html", b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "binary file")


@case("random-bytes-as-txt")
def _(d: Path) -> Case:
    return _one(d / "noise.txt", bytes(range(256)) * 8, "binary file")


@case("nul-bytes-as-jsonl")
def _(d: Path) -> Case:
    return _one(d / "nul.jsonl", b"\x00" * 64 + b"\n", "binary")


@case("sqlite-as-jsonl")
def _(d: Path) -> Case:
    return _one(d / "db.jsonl", b"SQLite format 3\x00" + b"\x00" * 100, "binary")


@case("nul-in-markdown")
def _(d: Path) -> Case:
    return _one(d / "n.md", b"# Title\n\nText\x00with a NUL byte " * 3, "binary")


@case("invalid-utf8-mixed")
def _(d: Path) -> Case:
    return _one(d / "mixed.txt", "Michoacán está ".encode() * 3 + b"\xff\xfe broken",
                "invalid UTF-8 at byte")


@case("utf16-without-bom")
def _(d: Path) -> Case:
    return _one(d / "u16.txt", TEXT.encode("utf-16-le"), "binary")


@case("utf32-bad-after-bom")
def _(d: Path) -> Case:
    return _one(d / "u32.txt", b"\xff\xfe\x00\x00" + b"\xff\xff\xff\xff" * 4, "invalid utf-32")


@case("empty-txt")
def _(d: Path) -> Case:
    return _one(d / "empty.txt", b"", "empty file")


@case("whitespace-md")
def _(d: Path) -> Case:
    return _one(d / "blank.md", "\n \n\t\u3000\n", "no body text")


@case("text-over-the-size-limit")
def _(d: Path) -> Case:
    c = _one(d / "long.txt", TEXT * 100, "over the 2 KB limit")
    c.options = ["--max-mb", "0.002"]
    return c


@case("front-matter-date-year-0001")
def _(d: Path) -> Case:
    _write(d / "fm.md", f"---\ntitle: Old\ndate: 0001-01-01\n---\n\n{TEXT} Front.\n")
    return Case([], stored=1, args=[str(d / "fm.md")])


# --- archives and compression -------------------------------------------------------------


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9)


def _tar_bytes(*members: tuple[tarfile.TarInfo, bytes | None]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def _member(name: str, data: bytes = b"", **kw: object) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for k, v in kw.items():
        setattr(info, k, v)
    return info, data


def _zip_bytes(*members: tuple[str | zipfile.ZipInfo, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return buf.getvalue()


@case("gzip-truncated")
def _(d: Path) -> Case:
    return _one(d / "t.txt.gz", _gz(TEXT.encode() * 50)[:40], "corrupt or truncated")


@case("gz-that-is-not-gzip")
def _(d: Path) -> Case:
    return _one(d / "plain.gz", TEXT, "not a .gz file")


@case("bz2-garbage-after-header")
def _(d: Path) -> Case:
    return _one(d / "b.txt.bz2", b"BZh91AY&SY" + b"\x00" * 40, "corrupt or truncated")


@case("tar-gz-truncated")
def _(d: Path) -> Case:
    data = _gz(_tar_bytes(_member("a.txt", TEXT.encode() * 40)))
    return _one(d / "t.tar.gz", data[: len(data) // 2], "corrupt or truncated")


@case("tar-header-garbage")
def _(d: Path) -> Case:
    return _one(d / "junk.tar", b"\x01" * 1024, "")


@case("zip-truncated")
def _(d: Path) -> Case:
    data = _zip_bytes(("a.txt", TEXT.encode() * 40))
    return _one(d / "t.zip", data[: len(data) // 2], "corrupt or truncated zip archive")


@case("zip-bad-crc")
def _(d: Path) -> Case:
    data = bytearray(_zip_bytes(("a.txt", TEXT.encode())))
    data[14] ^= 0xFF  # the member's CRC-32 in its local header
    data[data.rindex(b"PK\x01\x02") + 16] ^= 0xFF  # and in the central directory
    path = _write(d / "crc.zip", bytes(data))
    return Case([(f"{path}!a.txt", "")], args=[str(path)])


@case("zip-bomb-member-over-the-limit")
def _(d: Path) -> Case:
    path = _write(d / "bomb.zip", _zip_bytes(("zeros.txt", b"0" * 3_000_000)))
    c = Case([(f"{path}!zeros.txt", "over the 2 MB limit")], args=[str(path)])
    c.options = ["--max-mb", "2"]
    return c


@case("gzip-bomb-over-the-limit")
def _(d: Path) -> Case:
    c = _one(d / "bomb.txt.gz", _gz(b"a" * 3_000_000), "over the 2 MB limit")
    c.options = ["--max-mb", "2"]
    return c


@case("archive-nested-two-levels")
def _(d: Path) -> Case:
    inner = _zip_bytes(("deep.zip", _zip_bytes(("a.txt", TEXT.encode()))))
    path = _write(d / "outer.zip", _zip_bytes(("mid.zip", inner)))
    return Case([(f"{path}!mid.zip!deep.zip", "nested more than one level")], args=[str(path)])


@case("tar-member-dotdot")
def _(d: Path) -> Case:
    path = _write(d / "a.tar", _tar_bytes(_member("../../evil.txt", TEXT.encode())))
    return Case([(f"{path}!../../evil.txt", "leaves the archive")], args=[str(path)])


@case("tar-member-symlink")
def _(d: Path) -> Case:
    path = _write(d / "a.tar", _tar_bytes(_member("pw.txt", type=tarfile.SYMTYPE,
                                                  linkname="/etc/passwd")))
    return Case([(f"{path}!pw.txt", "symbolic link member")], args=[str(path)])


@case("tar-member-hardlink")
def _(d: Path) -> Case:
    path = _write(d / "a.tar", _tar_bytes(_member("h.txt", type=tarfile.LNKTYPE,
                                                  linkname="/etc/shadow")))
    return Case([(f"{path}!h.txt", "hard link member")], args=[str(path)])


@case("tar-member-fifo-and-device")
def _(d: Path) -> Case:
    path = _write(d / "a.tar", _tar_bytes(_member("p.txt", type=tarfile.FIFOTYPE),
                                          _member("null.txt", type=tarfile.CHRTYPE)))
    return Case([(f"{path}!p.txt", "not a regular file member"),
                 (f"{path}!null.txt", "not a regular file member")], args=[str(path)])


@case("tar-member-absolute")
def _(d: Path) -> Case:
    path = _write(d / "a.tar", _tar_bytes(_member("/etc/cron.d/x.txt", TEXT.encode())))
    return Case([(f"{path}!/etc/cron.d/x.txt", "absolute")], args=[str(path)])


@case("tar-member-non-utf8-name")
def _(d: Path) -> Case:
    info = tarfile.TarInfo("caf\udce9.txt")  # tar keeps the raw byte; Python decodes it so
    data = _tar_bytes((info, None))
    path = _write(d / "a.tar", data)
    return Case([(f"{path}!caf\\xe9.txt", "empty file")], args=[str(path)])


@case("tar-member-empty-and-binary")
def _(d: Path) -> Case:
    path = _write(d / "a.tar", _tar_bytes(_member("e.txt"), _member("p.txt", PNG)))
    return Case([(f"{path}!e.txt", "empty file"), (f"{path}!p.txt", "PNG")], args=[str(path)])


@case("zip-member-dotdot")
def _(d: Path) -> Case:
    path = _write(d / "a.zip", _zip_bytes(("../evil.txt", TEXT.encode())))
    return Case([(f"{path}!../evil.txt", "leaves the archive")], args=[str(path)])


@case("zip-member-symlink")
def _(d: Path) -> Case:
    link = zipfile.ZipInfo("pw.txt")
    link.external_attr = 0o120777 << 16
    path = _write(d / "a.zip", _zip_bytes((link, b"/etc/passwd")))
    return Case([(f"{path}!pw.txt", "symbolic link member")], args=[str(path)])


@case("zip-member-encrypted-flag")
def _(d: Path) -> Case:
    data = bytearray(_zip_bytes(("secret.txt", b"ciphertext")))
    data[6] |= 0x1  # "encrypted" in the general-purpose flags of the local header
    data[data.rindex(b"PK\x01\x02") + 8] |= 0x1  # and of the central directory
    path = _write(d / "a.zip", bytes(data))
    return Case([(f"{path}!secret.txt", "encrypted zip member")], args=[str(path)])


@case("zip-member-markup-name")
def _(d: Path) -> Case:
    path = _write(d / "a.zip", _zip_bytes(("[bold]x[/bold].txt", b"")))
    return Case([(f"{path}![bold]x[/bold].txt", "empty file")], args=[str(path)])


@case("zip-empty-archive")
def _(d: Path) -> Case:
    path = _write(d / "none.zip", _zip_bytes())
    return Case([], args=[str(path)])


# --- web pages and feeds ------------------------------------------------------------------


@case("html-no-text")
def _(d: Path) -> Case:
    return _one(d / "p.html", "<html><head><script>x()</script></head><body></body></html>",
                "no main text found")


@case("html-only-markup-garbage")
def _(d: Path) -> Case:
    return _one(d / "g.html", "<html>" + "<div>" * 5000, "no main text found")


@case("feed-truncated-entry")
def _(d: Path) -> Case:
    return _one(d / "f.rss", "<rss><channel><item><title>", "feed entry has neither",
                f"{d / 'f.rss'}#1")


@case("feed-without-entries")
def _(d: Path) -> Case:
    return _one(d / "f.xml", '<?xml version="1.0"?><rss><channel><title>x</title></channel>'
                "</rss>", "feed has no entries")


@case("feed-billion-laughs")
def _(d: Path) -> Case:
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'
                     for i in range(1, 10)).replace("&lol0;", "&lol;")
           + ']><rss><channel><item><title>&lol9;</title></item></channel></rss>')
    return _one(d / "lol.xml", lol, "entit")


@case("feed-external-entity")
def _(d: Path) -> Case:
    xxe = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           "<rss><channel><item><title>&x;</title></item></channel></rss>")
    return _one(d / "xxe.rss", xxe, "external entity")


@case("xml-that-is-not-a-feed")
def _(d: Path) -> Case:
    return _one(d / "note.xml", "<note><to>x</to></note>", "feed has no entries")


# --- names: markup, escapes, newlines, bytes that are not UTF-8 ----------------------------


@case("name-rich-markup")
def _(d: Path) -> Case:
    # "[bold]x[/" and "bold].txt": a path whose parts Rich would read as markup
    return _one(d / "[bold]x[/bold].txt", b"", "empty file")


@case("name-closing-tag")
def _(d: Path) -> Case:
    return _one(d / "[/x].txt", b"", "empty file")  # "[/x]": a closing tag with no opening


@case("name-terminal-escape")
def _(d: Path) -> Case:
    return _one(d / "\x1b[2J\x1b[31mred.txt", b"", "empty file", f"{d}/\\x1b[2J\\x1b[31mred.txt")


@case("name-newline-forging-a-summary")
def _(d: Path) -> Case:
    return _one(d / "a\ndocuments: 999 new.txt", b"", "empty file",
                f"{d}/a\\ndocuments: 999 new.txt")


@case("name-bidi-override")
def _(d: Path) -> Case:
    return _one(d / "report\u202etxt.exe", b"", "empty file", f"{d}/report\\u202etxt.exe")


@case("name-emoji-code")
def _(d: Path) -> Case:
    return _one(d / ":fire:.txt", b"", "empty file", f"{d}/:fire:.txt")


@case("name-not-utf8-bad-content")
def _(d: Path) -> Case:
    raw = os.path.join(os.fsencode(d), b"caf\xe9.txt")
    with open(raw, "wb") as f:
        f.write(b"")
    return Case([(f"{d}/caf\\xe9.txt", "empty file")], args=[str(d)])


@case("name-not-utf8-good-content")
def _(d: Path) -> Case:
    raw = os.path.join(os.fsencode(d), b"r\xe9sum\xe9.txt")
    with open(raw, "wb") as f:
        f.write((TEXT + " Latin-1 name.").encode())
    return Case([], stored=1, args=[str(d)])


@case("markdown-title-with-markup")
def _(d: Path) -> Case:
    return _one(d / "[red]t[/red].md", "---\ntitle: '[/x]'\n---\n", "no body text")


# --- the file system ------------------------------------------------------------------------


@case("missing-path")
def _(d: Path) -> Case:
    return Case([(str(d / "nope.txt"), "no such file or directory")], args=[str(d / "nope.txt")])


@case("fifo-argument")
def _(d: Path) -> Case:
    os.mkfifo(d / "pipe.jsonl")
    return Case([(str(d / "pipe.jsonl"), "a FIFO")], args=[str(d / "pipe.jsonl")])


@case("fifo-in-a-folder")
def _(d: Path) -> Case:
    (d / "in").mkdir()
    os.mkfifo(d / "in" / "pipe.txt")
    return Case([(str(d / "in" / "pipe.txt"), "a FIFO")], args=[str(d / "in")])


@case("device-argument")
def _(d: Path) -> Case:
    return Case([(os.devnull, "a device")], args=[os.devnull])


@case("symlink-out-of-the-folder")
def _(d: Path) -> Case:
    _write(d / "outside.txt", "root:x:0:0:root:/root:/bin/bash")
    (d / "in").mkdir()
    (d / "in" / "passwd.txt").symlink_to(d / "outside.txt")
    return Case([(str(d / "in" / "passwd.txt"), "outside")], args=[str(d / "in")])


@case("symlink-to-etc-passwd")
def _(d: Path) -> Case:
    (d / "in").mkdir()
    (d / "in" / "passwd").symlink_to("/etc/passwd")
    return Case([(str(d / "in" / "passwd"), "outside")], args=[str(d / "in")])


@case("symlink-broken")
def _(d: Path) -> Case:
    (d / "in").mkdir()
    (d / "in" / "gone.txt").symlink_to(d / "missing.txt")
    return Case([(str(d / "in" / "gone.txt"), "broken symbolic link")], args=[str(d / "in")])


@case("symlink-loop-directory")
def _(d: Path) -> Case:
    (d / "in").mkdir()
    (d / "in" / "loop").symlink_to(d / "in")
    return Case([(str(d / "in" / "loop"), "symbolic link to a directory")],
                args=[str(d / "in")])


@case("symlink-self-loop")
def _(d: Path) -> Case:
    (d / "in").mkdir()
    (d / "in" / "self.txt").symlink_to(d / "in" / "self.txt")
    return Case([(str(d / "in" / "self.txt"), "")], args=[str(d / "in")])


@case("directory-named-like-a-file")
def _(d: Path) -> Case:
    (d / "report.jsonl").mkdir()
    _write(d / "report.jsonl" / "inner.txt", b"")
    return Case([(str(d / "report.jsonl" / "inner.txt"), "empty file")],
                args=[str(d / "report.jsonl")])


@case("empty-directory")
def _(d: Path) -> Case:
    (d / "nothing").mkdir()
    return Case([(str(d / "nothing"), "no files to read")], args=[str(d / "nothing")])


@case("directory-of-hidden-files-only")
def _(d: Path) -> Case:
    _write(d / "h" / ".secret.txt", TEXT)
    return Case([(str(d / "h"), "no files to read")], args=[str(d / "h")])


@case("permission-denied-file")
def _(d: Path) -> Case:
    path = _write(d / "locked.txt", TEXT)
    path.chmod(0)
    return Case([(str(path), "cannot open")], args=[str(path)])


@case("permission-denied-directory")
def _(d: Path) -> Case:
    _write(d / "locked" / "a.txt", TEXT)
    (d / "locked").chmod(0)
    return Case([(str(d / "locked"), "cannot list")], args=[str(d / "locked")])


@case("stdin-binary")
def _(d: Path) -> Case:
    return Case([("-", "binary file")], args=["-"])


_NEEDS_PERMISSIONS = {"permission-denied-file", "permission-denied-directory"}
_STDIN = {"stdin-binary": PNG}


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, int]]:
    """A store with the good corpus, its input file (ingested again by every case, last) and
    the counts it holds."""
    d = tmp_path_factory.mktemp("good")
    src = _write(d / "good.jsonl", "".join(json.dumps(g, ensure_ascii=False) + "\n"
                                           for g in GOOD))
    db = d / "good.duckdb"
    result = runner.invoke(app, ["ingest", str(src), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    return db, src, _counts(db)


def _counts(db: Path) -> dict[str, int]:
    """What the store holds, from a fresh connection; fails when reports are orphaned."""
    with Store(db, read_only=True) as store:
        stats = store.stats()
        orphans = store.con.execute(
            "SELECT (SELECT count(*) FROM event_reports r LEFT JOIN documents d "
            "ON d.id = r.document_id WHERE d.id IS NULL) + (SELECT count(*) FROM event_reports "
            "r LEFT JOIN events e ON e.id = r.event_id WHERE e.id IS NULL)").fetchone()[0]
        ids = {r[0] for r in store.con.execute("SELECT id FROM documents").fetchall()}
    assert orphans == 0
    assert ids >= {g["id"] for g in GOOD}
    return {k: stats[k] for k in ("documents", "events", "event_reports", "failures")}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_bad_input_is_named_in_one_line_and_costs_nothing_stored(
        kind: str, tmp_path: Path, good: tuple[Path, Path, dict[str, int]]) -> None:
    if kind in _NEEDS_PERMISSIONS and os.geteuid() == 0:
        pytest.skip("running as root: file permissions are not enforced")
    if kind.startswith("fifo") and not hasattr(os, "mkfifo"):
        pytest.skip("FIFOs are POSIX")
    good_db, good_src, before = good
    db = tmp_path / "store.duckdb"
    shutil.copyfile(good_db, db)
    inputs = tmp_path / "in"
    inputs.mkdir()
    c = CASES[kind](inputs)
    try:
        result = runner.invoke(app, ["ingest", *c.args, str(good_src), "--db", str(db), "-q",
                                     *c.options], input=_STDIN.get(kind))
    finally:
        for p in inputs.rglob("*"):  # let pytest clean up what the case locked
            if not p.is_symlink():
                p.chmod(0o755)
    # The run went on past the bad input to the good file (already stored): exit status 0.
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.output
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "\x1b" not in result.output  # no raw terminal escape reaches the terminal

    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == len(c.lines), result.stderr
    for (name, problem), line in zip(c.lines, skipped, strict=True):
        assert line.startswith(f"skipped {name}: ") or line.startswith(f"skipped {name} "), \
            (line, name)
        assert problem in line, (line, problem)
    notes = [line for line in result.stderr.splitlines() if line.startswith("note ")]
    assert len(notes) == c.notes, result.stderr
    assert not [line for line in result.stderr.splitlines()
                if line.startswith("documents:")]  # -q: no summary, none forged either

    after = _counts(db)
    assert after["documents"] == before["documents"] + c.stored
    assert after["failures"] == before["failures"] + len(c.lines)
    assert after["events"] >= before["events"]
    assert after["event_reports"] >= before["event_reports"]
    stats = runner.invoke(app, ["stats", "--db", str(db)])
    assert stats.exit_code == 0, stats.output
    assert f"documents {after['documents']} " in stats.stdout


def test_the_corpus_has_at_least_eighty_kinds() -> None:
    assert len(CASES) >= 80


def test_only_bad_input_exits_1_and_stores_nothing(
        tmp_path: Path, good: tuple[Path, Path, dict[str, int]]) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copyfile(good[0], db)
    _write(tmp_path / "e.txt", b"")
    result = runner.invoke(app, ["ingest", str(tmp_path / "e.txt"), "--db", str(db), "-q"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"skipped {tmp_path / 'e.txt'}: empty file"]
    assert _counts(db)["documents"] == good[2]["documents"]


def test_a_name_with_a_newline_cannot_forge_the_summary(
        tmp_path: Path, good: tuple[Path, Path, dict[str, int]]) -> None:
    db = tmp_path / "store.duckdb"
    shutil.copyfile(good[0], db)
    _write(tmp_path / "in" / "x\ndocuments: 999 new (0 copies of others).txt", b"")
    result = runner.invoke(app, ["ingest", str(tmp_path / "in"), str(good[1]), "--db", str(db)])
    assert result.exit_code == 0, result.output
    summaries = [line for line in result.stderr.splitlines() if line.startswith("documents:")]
    assert summaries == ["documents: 0 new (0 copies of others), 2 already stored, 1 failed "
                         + summaries[0].split(" failed ", 1)[1]]


def test_a_store_path_with_markup_prints(tmp_path: Path,
                                         good: tuple[Path, Path, dict[str, int]]) -> None:
    db = tmp_path / "[bold]store[/" / "x].duckdb"
    db.parent.mkdir()
    shutil.copyfile(good[0], db)
    result = runner.invoke(app, ["ingest", str(good[1]), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert f"store: {db} (" in result.stderr


# --- extract: every good line written, one JSON error line for each bad one ---------------


def test_extract_writes_every_good_line_and_an_error_line_for_each_bad_one(
        tmp_path: Path) -> None:
    bad = ['{"id": "t", "te', '{"id": "s", "text": "bad \\ud800"}',
           '{"id": "n", "text": "x", "n": ' + "1" * 5000 + "}",
           '{"id": "d", "text": "x", "n": ' + "[" * 50_000 + "]" * 50_000 + "}",
           '{"id": "[/x]\\u001b[2J", "text": ""}', "[]"]
    lines = [json.dumps(GOOD[0]), *bad[:3], json.dumps(GOOD[1]), *bad[3:]]
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode() + b"\n")
    result = runner.invoke(app, ["extract", str(src), "-o", str(dst)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "\x1b" not in result.output
    out = [json.loads(line) for line in dst.read_text().splitlines()]
    assert [o["id"] for o in out] == ["good-1", "good-2"]
    assert {"id", "lang", "entities", "places", "event_type", "events"} <= out[0].keys()
    errors = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(e["input"], e["line"]) for e in errors] == [(str(src), n) for n in (2, 3, 4, 6, 7, 8)]
    assert all(set(e) == {"error", "input", "line", "id"} and e["error"] for e in errors)
    assert "lone surrogate" in errors[1]["error"]
    assert "4,300 digits" in errors[2]["error"]
    assert "nested too deeply" in errors[3]["error"]


@pytest.mark.parametrize("kind", ["missing", "directory", "fifo"])
def test_extract_refuses_an_input_it_cannot_read_with_one_line(tmp_path: Path,
                                                               kind: str) -> None:
    (tmp_path / "in[").mkdir()
    path = tmp_path / "in[" / "x].jsonl"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    result = runner.invoke(app, ["extract", str(path)])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: cannot read {path}: ")


# --- import: the same terminal safety ----------------------------------------------------


ACLED_HEADER = ("event_id_cnty,event_date,year,time_precision,disorder_type,event_type,"
                "sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,"
                "interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,"
                "location,latitude,longitude,geo_precision,source,source_scale,notes,"
                "fatalities,tags,timestamp")


def test_import_prints_names_and_problems_escaped(tmp_path: Path) -> None:
    path = tmp_path / "[bold]acled\x1b[31m.csv"
    path.write_text(ACLED_HEADER + "\n" + "MEX1,[/x]not-a-date" + "," * 29 + "\n")
    result = runner.invoke(app, ["import", "acled", str(path), "--db",
                                 str(tmp_path / "s.duckdb")])
    assert "Traceback" not in result.output and "\x1b" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "[bold]acled\\x1b[31m.csv" in result.stderr


@pytest.mark.parametrize("kind", ["fifo", "non-utf8-name", "missing"])
def test_import_refuses_a_file_it_cannot_import_with_one_line(tmp_path: Path,
                                                              kind: str) -> None:
    if kind == "fifo":
        path = str(tmp_path / "a.csv")
        os.mkfifo(path)
    elif kind == "non-utf8-name":
        raw = os.path.join(os.fsencode(tmp_path), b"acl\xe9d.csv")
        with open(raw, "w") as f:
            f.write(ACLED_HEADER + "\n")
        path = os.fsdecode(raw)
    else:
        path = str(tmp_path / "gone.csv")
    result = runner.invoke(app, ["import", "acled", path, "--db", str(tmp_path / "s.duckdb")])
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and "\\udc" not in line



@pytest.mark.parametrize("option", [["--batch-size", "0"], ["--max-mb", "-1"]])
def test_ingest_refuses_options_that_would_read_nothing(tmp_path: Path, option: list[str],
                                                        good: tuple[Path, Path, dict[str, int]]
                                                        ) -> None:
    # --batch-size 0 read nothing and said nothing; a negative --max-mb refused every input.
    result = runner.invoke(app, ["ingest", str(good[1]), "--db", str(tmp_path / "s.duckdb"),
                                 *option])
    assert result.exit_code == 2 and option[0] in result.stderr
