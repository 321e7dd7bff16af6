"""Import of CSV and XLSX files written by Dukcapil operators, one file kind at a time.

Kinds (`KINDS`):
- `registri`: registry snapshots, one row per village and date (wajib KTP, recorded, optionally
  by sex; "belum rekam" and "cakupan" columns are checked, not stored);
- `kegiatan`: partner activity (date, partner, village, service, count, delivery, vulnerable group);
- `target`: programme targets (programme, service, kecamatan or empty for the regency, value,
  start, end, basis).

How a file goes in, module by module:
- `reading`  bytes into a table: what the file is, its encoding and delimiter, the header row,
             then the rows as a stream (`xlsx` reads a sheet without expanding a zip bomb);
- `headers`  the vocabulary of headers: what each column means, by its words;
- `column_plan` what each column of this file means: the operator's answer, a remembered one,
             or recognition; unknown or ambiguous columns go back to the operator;
- `values`   the vocabulary of values: Indonesian numbers and dates, codes, labels;
- `places`   villages, kecamatan and partners from the store, found by code or by name;
- `row_checks` row checks: one row converted and checked, derived columns compared;
- `checks`   the whole file: columns, every row, a JUMLAH row against the sum, the same village
             and date twice or already in the store;
- `records`  the clean rows, kept compactly until written;
- `report`   what the operator is told: first hundred problems, every problem counted by kind;
- `changes`  what a registry file changes (dates, villages, regency totals now and after), and a
             file whose villages and dates an import already holds;
- `batch`    writing a batch: one transaction with its audit row, or nothing;
- `mapping`  the operator's answers for unrecognised columns, remembered per header spelling;
- `templates` the templates and the explanation of every column.

Nothing is written until every column is understood and every row is clean. The same content
(sha256 of the bytes) is never imported twice while its batch is active. A registry file whose
villages and dates an active batch holds is nothing to do (the same figures), replaces that batch
in one transaction when asked (`changes`), or is refused in one sentence. Import files
hold aggregates only: a header that looks like personal data, or a value that looks like a NIK,
refuses the whole file.
"""
from __future__ import annotations

from bulukumba.importer.batch import import_bytes, import_file, save, undo_import, validate
from bulukumba.importer.headers import COLUMNS, DERIVED, IGNORE, KINDS, LABELS, REQUIRED
from bulukumba.importer.mapping import parse_choices
from bulukumba.importer.reading import ImportFileError, Limits, read_table
from bulukumba.importer.report import (MAX_LISTED, ImportResult, RowError, ValidationReport, format_report,
                                       nothing_to_do, replacement)
from bulukumba.importer.templates import column_help, template_bytes, write_template
from bulukumba.importer.values import parse_date, parse_whole, show

__all__ = [
    "COLUMNS", "DERIVED", "IGNORE", "KINDS", "LABELS", "MAX_LISTED", "REQUIRED", "ImportFileError",
    "ImportResult", "Limits", "RowError", "ValidationReport", "column_help", "format_report",
    "import_bytes", "import_file", "parse_choices", "parse_date", "parse_whole", "read_table",
    "nothing_to_do", "replacement", "save", "show", "template_bytes", "undo_import", "validate",
    "write_template",
]
