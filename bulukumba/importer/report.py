"""What the operator is told: problems with their row, column and reason, counted by kind.

A file of three million wrong rows must not print three million lines: `Problems` keeps the
first `MAX_LISTED` (by row) and counts every problem by kind (column and reason), so the report
says "Kode Desa – kode desa tidak dikenal: 3.030.304 baris" once. Warnings arrive already
grouped (one warning per kind, with its rows).
"""
from __future__ import annotations

import heapq
from collections import Counter
from dataclasses import dataclass, field

from bulukumba.language import fmt

#: Problems listed one by one; the rest are counted.
MAX_LISTED = 100


@dataclass(frozen=True)
class RowError:
    """One problem: `baris` is the spreadsheet row (header = row 1 of the sheet), None for the
    whole file. `jenis` names the kind of problem for counting ('bukan angka', …)."""
    baris: int | None
    kolom: str | None
    pesan: str
    jenis: str = ""
    semua_baris: tuple[int, ...] = ()   # a warning about several rows: the first ten of them
    jumlah_baris: int = 0               # and how many rows in all

    @property
    def rows_label(self) -> str:
        """The row(s) as the report's "Baris" column shows them: '7', '3, 6', '3, 5, … (+120)'."""
        if self.baris is not None:
            return str(self.baris)
        if not self.semua_baris:
            return ""
        more = self.jumlah_baris - len(self.semua_baris)
        return ", ".join(map(str, self.semua_baris)) + (f" (+{fmt.number(more)})" if more > 0 else "")

    def __str__(self) -> str:
        if self.semua_baris:
            return f"{rows_text(list(self.semua_baris), self.jumlah_baris).capitalize()}: {self.pesan}"
        if self.baris is not None and self.kolom:
            return f"Baris {self.baris}, kolom '{self.kolom}': {self.pesan}"
        if self.baris is not None:
            return f"Baris {self.baris}: {self.pesan}"
        if self.kolom:
            return f"Kolom '{self.kolom}': {self.pesan}"
        return self.pesan


class Problems:
    """Every problem counted by kind; the first MAX_LISTED (by row) kept to show."""

    def __init__(self, keep: int = MAX_LISTED):
        self.keep = keep
        self.total = 0
        self.by_kind: Counter[tuple[str | None, str]] = Counter()
        self._heap: list[tuple[int, int, RowError]] = []  # max-heap on (row, order)

    def add(self, error: RowError) -> None:
        self.total += 1
        self.by_kind[(error.kolom if error.baris is not None else None,
                      error.jenis or error.pesan)] += 1
        entry = (-(error.baris if error.baris is not None else -1), -self.total, error)
        if len(self._heap) < self.keep:
            heapq.heappush(self._heap, entry)
        elif entry > self._heap[0]:
            heapq.heapreplace(self._heap, entry)

    def extend(self, errors) -> None:
        for error in errors:
            self.add(error)

    def listed(self) -> list[RowError]:
        """The first problems, file-wide ones first, then by row."""
        return [e for _, _, e in sorted(self._heap, key=lambda x: (-x[0], -x[1]))]

    def kinds(self) -> list[tuple[str | None, str, int]]:
        """(column, kind, how many), most frequent first."""
        return [(kolom, jenis, n) for (kolom, jenis), n in self.by_kind.most_common()]

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0


def rows_text(rows: list[int], total: int | None = None, limit: int = 10) -> str:
    """'baris 3, 5, 9' or 'baris 3, 5, … (dan 120 lainnya)'."""
    total = len(rows) if total is None else total
    shown = ", ".join(str(r) for r in rows[:limit])
    more = total - min(len(rows), limit)
    return f"baris {shown}" + (f" (dan {fmt.number(more)} lainnya)" if more > 0 else "")


class Notes:
    """Warnings grouped by what they say: one line per group, with its rows."""

    def __init__(self):
        self._groups: dict[str, tuple[str | None, str, list[int], list[int]]] = {}

    def add(self, group: str, baris: int | None, text: str, kolom: str | None = None) -> None:
        found = self._groups.get(group)
        if found is None:
            found = self._groups[group] = (kolom, text, [], [0])
        if baris is not None:
            if len(found[2]) < 10:
                found[2].append(baris)
            found[3][0] += 1

    def warnings(self) -> list[RowError]:
        out = []
        for kolom, text, rows, count in self._groups.values():
            if not rows:
                out.append(RowError(None, kolom, text))
            elif count[0] == 1:
                out.append(RowError(rows[0], kolom, text))
            else:
                out.append(RowError(None, kolom, text, semua_baris=tuple(rows), jumlah_baris=count[0]))
        return out


@dataclass
class ValidationReport:
    """The whole file checked against the store; nothing written."""
    jenis: str | None
    nama_file: str
    sha256: str
    baris: int = 0                                       # data rows read
    records: object = None                               # records.Records, when clean
    problems: Problems = field(default_factory=Problems)
    warnings: list[RowError] = field(default_factory=list)
    plan: object = None                                  # headers.ColumnPlan, once headers read
    samples: dict[int, list[str]] = field(default_factory=dict)  # column -> first values seen
    format: str | None = None
    total_row: int | None = None                         # a JUMLAH row checked, not imported
    preview: object = None                               # changes.Preview: what saving changes
    same_as: object = None                               # changes.Overlap: figures already in an import
    replaces: object = None                              # changes.Overlap: the import it would replace

    @property
    def errors(self) -> list[RowError]:
        """The first MAX_LISTED problems (file-wide ones first, then by row)."""
        return self.problems.listed()

    @property
    def error_count(self) -> int:
        return self.problems.total

    @property
    def ok(self) -> bool:
        return not self.problems and self.jenis is not None and self.records is not None \
            and len(self.records) > 0 and self.same_as is None

    @property
    def rows(self) -> list[dict]:
        """The clean records as dicts (small files; big ones are written in chunks)."""
        return [] if self.records is None or self.problems else list(self.records.dicts())

    @property
    def row_numbers(self) -> list[int]:
        return [] if self.records is None or self.problems else list(self.records.row_numbers)

    @property
    def unresolved(self) -> list:
        """Columns whose meaning the operator still has to give (headers.Column)."""
        return [] if self.plan is None else self.plan.unresolved


@dataclass
class ImportResult:
    ok: bool
    jenis: str | None
    nama_file: str
    baris: int
    ditulis: int
    impor_id: int | None
    errors: list[RowError]
    pesan: str
    warnings: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    error_count: int = 0
    error_kinds: list[tuple[str | None, str, int]] = field(default_factory=list)
    report: ValidationReport | None = None
    diganti: int | None = None           # the import this one replaced


def summary(report: ValidationReport, ok: bool, ditulis: int, impor_id: int | None,
            dry_run: bool, diganti: int | None = None) -> str:
    what = report.jenis or "data"
    name = _quoted(report.nama_file)
    if report.same_as is not None and not report.problems:
        return nothing_to_do(report)
    if not ok:
        return (f"Impor {what} dari {name} DITOLAK: {fmt.number(report.error_count)} kesalahan; "
                f"tidak ada yang ditulis.")
    if dry_run:
        return (f"Pemeriksaan {what} dari {name}: {fmt.number(len(report.records))} baris siap "
                f"diimpor; tidak ada yang ditulis (uji saja).")
    replaced = f"; impor #{diganti} dibatalkan dan digantinya" if diganti is not None else ""
    return (f"Impor {what} dari {name} BERHASIL: {fmt.number(ditulis)} baris ditulis sebagai "
            f"impor #{impor_id}{replaced}.")


def nothing_to_do(report: ValidationReport) -> str:
    same = report.same_as
    return (f"Berkas {_quoted(report.nama_file)} berisi angka yang persis sama dengan impor "
            f"#{same.impor} ({_quoted(same.nama_file)}): {fmt.number(same.baris_sama)} baris desa "
            f"dan tanggal, tidak ada yang berbeda. Tidak ada yang perlu disimpan; tidak ada yang ditulis.")


def replacement(report: ValidationReport) -> str:
    """One sentence: which import the file replaces and how many villages change."""
    over = report.replaces
    parts = [f"{fmt.number(over.berubah)} baris desa dan tanggal berubah"]
    if over.baris_sama:
        parts.append(f"{fmt.number(over.baris_sama)} sama")
    if over.baru:
        parts.append(f"{fmt.number(over.baru)} baru")
    return (f"Berkas ini memuat desa dan tanggal yang sama dengan impor #{over.impor} "
            f"({_quoted(over.nama_file)}): {', '.join(parts)}. Menyimpannya mengganti impor "
            f"#{over.impor} sekaligus: impor itu dibatalkan dan berkas ini ditulis dalam satu "
            f"transaksi.")


def _quoted(name: str) -> str:
    from bulukumba.importer.values import show

    return show(name)


def result_of(report: ValidationReport, *, ok: bool, ditulis: int = 0, impor_id: int | None = None,
              dry_run: bool = False, diganti: int | None = None) -> ImportResult:
    return ImportResult(ok=ok, jenis=report.jenis, nama_file=report.nama_file, baris=report.baris,
                        ditulis=ditulis, impor_id=impor_id, errors=report.errors,
                        pesan=summary(report, ok, ditulis, impor_id, dry_run, diganti),
                        warnings=list(report.warnings), dry_run=dry_run,
                        error_count=report.error_count, error_kinds=report.problems.kinds(),
                        report=report, diganti=diganti)


def format_report(result) -> str:
    """Multi-line Indonesian text for the terminal: the summary, the first MAX_LISTED problems,
    the count of every kind of problem, then the warnings.

    Accepts an ImportResult or a ValidationReport.
    """
    if isinstance(result, ValidationReport):
        summary_line = summary(result, result.ok, 0, None, True) if result.ok else \
            summary(result, False, 0, None, False).replace("DITOLAK", "tidak lolos pemeriksaan")
        kinds = result.problems.kinds()
    else:
        summary_line = result.pesan
        kinds = result.error_kinds
    total = result.error_count
    lines = [summary_line, f"Baris data dibaca: {fmt.number(result.baris)}."]
    if result.errors:
        listed = len(result.errors)
        head = f"Kesalahan ({fmt.number(total)})" + (f", {listed} pertama:" if total > listed else ":")
        lines.append(head)
        lines.extend(f"  {e}" for e in result.errors)
    if total > len(result.errors) or len(kinds) > 1:
        lines.append("Kesalahan menurut jenis:")
        lines.extend(f"  {kind_text(kolom, jenis)}: {fmt.number(n)}" for kolom, jenis, n in kinds)
    warnings = getattr(result, "warnings", [])
    if warnings:
        lines.append(f"Peringatan ({fmt.number(len(warnings))}):")
        lines.extend(f"  {w}" for w in warnings)
    return "\n".join(lines)


def kind_text(kolom: str | None, jenis: str) -> str:
    return f"kolom '{kolom}' – {jenis}" if kolom else jenis
