"""Structured imports: dataset rows (ACLED, UCDP GED, GDELT, OCVED) as event reports with
their provenance, fused with the text-derived ones; official series (SESNSP) as series.
See docs/imports.md."""

from corrobora.imports.base import ImportedRow, ImportFileError, RowProblem, Skipped
from corrobora.imports.run import KINDS, ImportSummary, import_file

__all__ = ["KINDS", "ImportFileError", "ImportSummary", "ImportedRow", "RowProblem", "Skipped",
           "import_file"]
