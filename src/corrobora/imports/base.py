"""What every structured import shares: the record a dataset row becomes, the problems a row
can have, and tolerant readers (CSV/TSV with or without a header, xlsx sheets).

A row becomes an `ImportedRow`: an EventReport typed on our ontology, plus the rendering of
the row that stands in for a document's text (so `corrobora show` prints what the dataset
said), the dataset's own row id (stable ids: re-importing is idempotent) and where it came
from (file and line). A row that cannot be read becomes a `RowProblem` naming file, line and
problem; the rest of the file is still imported. A row outside what Corrobora models (a
GDELT statement, a country filtered out) becomes a `Skipped` with its reason, counted.
"""

from __future__ import annotations

import csv
import math
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from corrobora.model import EventReport


class ImportFileError(ValueError):
    """A file that cannot be imported at all (unreadable, wrong columns), with where and why."""


@dataclass(slots=True)
class ImportedRow:
    dataset: str
    """The source name as in data/sources.yaml ("ACLED", "UCDP GED", "GDELT", "OCVED")."""
    row_id: str
    """The dataset's own id of the row (ACLED event_id_cnty, UCDP id, GDELT GlobalEventID);
    for datasets without one, a hash of the fields that identify the row."""
    line: int
    text: str
    report: EventReport
    published_at: datetime | None = None
    url: str | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def document_id(self) -> str:
        return f"{self.dataset.lower().replace(' ', '-')}:{self.row_id}"


@dataclass(slots=True, frozen=True)
class RowProblem:
    path: str
    line: int
    problem: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.problem}"


@dataclass(slots=True, frozen=True)
class Skipped:
    line: int
    reason: str


Item = ImportedRow | RowProblem | Skipped


class RowError(ValueError):
    """Raised by a row parser; the importer turns it into a RowProblem with file and line."""


# -- readers --------------------------------------------------------------------------------

def parsed_rows(path: Path, rows: Iterable[tuple[int, dict[str, str]]],
                parse_row: Callable[[dict[str, str], int, Any, Any], ImportedRow],
                actors: Any, places: Any) -> Iterator[Item]:
    """Each (line, row) parsed into an ImportedRow, or a RowProblem naming the file and the
    line when the row is short or its parser refuses it; the other rows go on."""
    for line, row in rows:
        try:
            if "__short__" in row:
                raise RowError(row["__short__"])
            yield parse_row(row, line, actors, places)
        except RowError as exc:
            yield RowProblem(str(path), line, str(exc))


def open_text(path: Path):  # -> TextIO
    try:
        return path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ImportFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def read_csv(path: Path, required: tuple[str, ...], *,
             delimiter: str | None = None) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) for each data row of a CSV/TSV file with a header; column names are
    matched case-insensitively. Missing required columns fail the whole file."""
    handle = open_text(path)
    with handle:
        try:
            sample = handle.read(65536)
            handle.seek(0)
            if delimiter is None:
                delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
            reader = csv.reader(handle, delimiter=delimiter)
            header = next(reader, None)
            if not header:
                raise ImportFileError(f"{path}: empty file (expected a header line)")
            names = [h.strip().lower() for h in header]
            missing = [c for c in required if c not in names]
            if missing:
                raise ImportFileError(f"{path}:1: missing column{'s' if len(missing) > 1 else ''} "
                                   f"{', '.join(missing)}")
            for record in reader:
                if not any(cell.strip() for cell in record):
                    continue
                row = dict(zip(names, (c.strip() for c in record), strict=False))
                if len(record) < len(names):
                    row["__short__"] = f"{len(record)} fields, expected {len(names)}"
                yield reader.line_num, row
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"{path}: not UTF-8 text ({exc.reason})") from exc
        except csv.Error as exc:
            raise ImportFileError(f"{path}: not CSV: {exc}") from exc


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")


def _column(ref: str) -> int:
    n = 0
    for ch in ref:
        n = n * 26 + ord(ch) - 64
    return n - 1


def read_xlsx(path: Path, sheet: int = 1) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells as strings) of one sheet, with the standard library: xlsx is a zip
    of XML. Cells are placed by their reference (empty cells are absent from the XML), and
    the sheet is streamed (iterparse) so a large one does not sit in memory as a tree."""
    m = f"{{{_MAIN_NS}}}"
    try:
        z = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ImportFileError(f"{path}: not an xlsx file: {exc}") from exc
    with z:
        strings: list[str] = []
        if "xl/sharedStrings.xml" in z.namelist():
            with z.open("xl/sharedStrings.xml") as fh:
                for _, el in ET.iterparse(fh):
                    if el.tag == m + "si":
                        strings.append("".join(t.text or "" for t in el.iter(m + "t")))
                        el.clear()
        name = f"xl/worksheets/sheet{sheet}.xml"
        if name not in z.namelist():
            raise ImportFileError(f"{path}: no sheet {sheet}")
        with z.open(name) as fh:
            for _, el in ET.iterparse(fh):
                if el.tag != m + "row":
                    continue
                cells: dict[int, str] = {}
                for i, c in enumerate(el.findall(m + "c")):
                    ref = _CELL_REF.match(c.get("r") or "")
                    col = _column(ref.group(1)) if ref else i
                    v = c.find(m + "v")
                    if c.get("t") == "s" and v is not None:
                        cells[col] = strings[int(v.text or 0)]
                    elif v is not None:
                        cells[col] = v.text or ""
                    else:
                        cells[col] = "".join(t.text or "" for t in c.iter(m + "t"))
                width = max(cells) + 1 if cells else 0
                yield int(el.get("r") or 0), [cells.get(k, "") for k in range(width)]
                el.clear()


# -- field parsers (raise RowError with the field's name) -----------------------------------

def parse_int(value: str | None, name: str, *, required: bool = False) -> int | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise RowError(f"empty {name}")
        return None
    try:
        f = float(value)
    except ValueError:
        raise RowError(f"{name} {value!r} is not a number") from None
    if not math.isfinite(f) or f != int(f):
        raise RowError(f"{name} {value!r} is not a whole number")
    if f < 0:
        raise RowError(f"negative {name} {value}")
    return int(f)


def parse_float(value: str | None, name: str) -> float | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        f = float(value)
    except ValueError:
        raise RowError(f"{name} {value!r} is not a number") from None
    if not math.isfinite(f):
        raise RowError(f"{name} {value!r} is not finite")
    return f


def parse_coords(lat: str | None, lon: str | None) -> tuple[float, float] | None:
    la, lo = parse_float(lat, "latitude"), parse_float(lon, "longitude")
    if la is None or lo is None:
        return None
    if not (-90 <= la <= 90 and -180 <= lo <= 180):
        raise RowError(f"coordinates ({la}, {lo}) out of range")
    return la, lo


_DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y", "%Y%m%d", "%m/%d/%Y",
                 "%d %b %Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def parse_date(value: str | None, name: str = "date") -> date:
    value = (value or "").strip()
    if not value:
        raise RowError(f"empty {name}")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise RowError(f"bad {name} {value!r} (expected YYYY-MM-DD)")


def clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
