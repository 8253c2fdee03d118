"""OCVED 2.0 files written in tests: a minimal xlsx as spreadsheet programs write it."""

from __future__ import annotations

import zipfile
from pathlib import Path

OCVED_HEADER = ["date", "date_elapsed", "year", "month", "day", "state", "mun", "counter",
                "actor_main", "actor_sub", "longitude", "latitude"]


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    """A minimal xlsx (inline strings, first sheet)."""
    def col(i: int) -> str:
        return chr(65 + i)

    sheet = ['<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><sheetData>']
    for r, row in enumerate(rows, 1):
        cells = "".join(f'<c r="{col(i)}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
                        for i, v in enumerate(row) if v != "")
        sheet.append(f'<row r="{r}">{cells}</row>')
    sheet.append("</sheetData></worksheet>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", "".join(sheet))
    return path


def write_ocved(path: Path) -> Path:
    """Two presence rows: two groups in Culiacán, one in Apatzingán, on two days."""
    return write_xlsx(path, [
        OCVED_HEADER,
        ["20100310", "", "2010", "3", "10", "25", "25006", "2", "Cartel de Sinaloa",
         "Gente Nueva", "-107.39", "24.80"],
        ["20100310", "", "2010", "3", "10", "25", "25006", "1", "Los Zetas", "Hitman",
         "-107.39", "24.80"],
        ["20100402", "", "2010", "4", "2", "16", "16006", "1", "Caballeros Templarios",
         "Individual", "", ""],
    ])
