"""The plan for a file's columns: what every column of this file means, and who said so.

The operator's choice for this file comes first (the page's select boxes, `--kolom`), then the
answer remembered for the same header spelling (`mapping`), then recognition by meaning
(`headers`). Running numbers are ignored silently, notes columns with a warning; an unknown or
ambiguous column, or two columns meaning the same, stops the import until the operator says
what it is (or "abaikan"). Required columns that are missing are named with examples.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from bulukumba.importer.headers import (EXAMPLES, IGNORE, KINDS, LABELS, NEEDS_VILLAGE, REQUIRED, SPLIT, meanings,
                      spelling_key, targets)
from bulukumba.importer.report import RowError
from bulukumba.importer.values import show


#: How a column's meaning was decided.
CHOSEN, REMEMBERED, RECOGNISED = "dipilih", "diingat", "dikenali"
REST = "diabaikan bersama kolom lain"  # "abaikan kolom lain": for this file only, not remembered
UNKNOWN, AMBIGUOUS, TWICE = "tidak dikenal", "lebih dari satu arti", "arti sama dengan kolom lain"


@dataclass
class Column:
    index: int
    header: str                       # as written, on one line
    target: str | None                # a column, a derived column, 'nomor', 'catatan', 'abaikan'
    how: str                          # CHOSEN, REMEMBERED, RECOGNISED, or why it is unresolved
    candidates: tuple[str, ...] = ()  # for an unresolved column: what it could be

    @property
    def key(self) -> str:
        return spelling_key(self.header)

    @property
    def resolved(self) -> bool:
        return self.target is not None


@dataclass
class ColumnPlan:
    kind: str
    columns: list[Column] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def used(self) -> dict[str, int]:
        """Column or derived column -> position in the row."""
        return {c.target: c.index for c in self.columns
                if c.target in targets(self.kind)}

    @property
    def unresolved(self) -> list[Column]:
        return [c for c in self.columns if not c.resolved]

    def label(self, target: str) -> str:
        """The file's own header for a column, else its usual name."""
        for c in self.columns:
            if c.target == target:
                return c.header
        return LABELS.get(target, target)


def plan_columns(headers: list[str], kind: str, chosen: dict[str, str] | None = None,
                 remembered: dict[str, str] | None = None, ignore_rest: bool = False) -> ColumnPlan:
    """Decide what every column of a file of `kind` means.

    `chosen` (spelling key -> target) is what the operator said for this file, `remembered`
    what was said before for the same spellings; both may say 'abaikan'. A choice that does not
    fit this kind is left out (it may fit the kind of another file). `ignore_rest` ignores the
    columns that are still unknown after all that (not the ambiguous ones).
    """
    chosen, remembered = chosen or {}, remembered or {}
    allowed = set(targets(kind)) | {IGNORE, "nomor", "catatan"}
    plan = ColumnPlan(kind)
    for index, header in enumerate(headers):
        if not header:
            continue
        k = spelling_key(header)
        if chosen.get(k) in allowed:
            plan.columns.append(Column(index, header, chosen[k], CHOSEN))
        elif remembered.get(k) in allowed:
            plan.columns.append(Column(index, header, remembered[k], REMEMBERED))
        else:
            found = meanings(header, kind)
            if len(found) == 1:
                plan.columns.append(Column(index, header, found[0], RECOGNISED))
            elif not found and ignore_rest:
                plan.columns.append(Column(index, header, IGNORE, REST))
            else:
                plan.columns.append(Column(index, header, None, AMBIGUOUS if found else UNKNOWN,
                                           found))
    _settle_twins(plan)
    _notes(plan)
    plan.errors.extend(_missing_columns(plan))
    return plan


def _settle_twins(plan: ColumnPlan) -> None:
    """Two columns meaning the same: recognition gives way to a choice; two choices are an
    error, two recognitions go back to the operator."""
    by_target: dict[str, list[Column]] = {}
    for c in plan.columns:
        if c.target in targets(plan.kind):
            by_target.setdefault(c.target, []).append(c)
    for target, same in by_target.items():
        if len(same) < 2:
            continue
        decided = [c for c in same if c.how in (CHOSEN, REMEMBERED)]
        if len(decided) > 1:
            names = " dan ".join(show(c.header) for c in decided)
            plan.errors.append(RowError(None, decided[1].header, f"kolom {names} sama-sama "
                                        f"dipetakan ke {LABELS[target]}; ubah salah satunya",
                                        "pemetaan ganda"))
        for c in same:
            if c.how == RECOGNISED and (decided or len(same) > 1):
                c.target, c.how, c.candidates = None, TWICE, (target,)


def _notes(plan: ColumnPlan) -> None:
    notes = [c.header for c in plan.columns if c.target == "catatan"]
    if notes:
        plan.warnings.append(RowError(None, None, f"Kolom keterangan diabaikan: "
                                      f"{list_headers(notes)}.", "kolom keterangan"))
    ignored = [c.header for c in plan.columns if c.target == IGNORE]
    if ignored:
        plan.warnings.append(RowError(None, None, f"{_angka(len(ignored))} kolom diabaikan atas "
                                      f"pilihan operator: {list_headers(ignored)}.",
                                      "kolom diabaikan"))
    unresolved = plan.unresolved
    if unresolved:
        what = "kolom" if len(unresolved) == 1 else f"{_angka(len(unresolved))} kolom"
        plan.errors.append(RowError(
            None, unresolved[0].header if len(unresolved) == 1 else None,
            f"{what} belum jelas artinya: {list_headers([c.header for c in unresolved])}. Pilih "
            f"artinya (atau 'abaikan') di halaman Kelola data, atau di baris perintah dengan "
            f"--kolom \"JUDUL=kolom\" (mis. --kolom \"{unresolved[0].header[:40]}=abaikan\").",
            "kolom belum dipetakan"))


def list_headers(headers: list[str], limit: int = 10) -> str:
    shown = ", ".join(show(h) for h in headers[:limit])
    if len(headers) > limit:
        shown += f", … dan {_angka(len(headers) - limit)} lainnya"
    return shown


def _angka(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _examples(column: str) -> str:
    return ", ".join(f"'{n}'" for n in EXAMPLES.get(column, (LABELS[column],)))


def _missing_columns(plan: ColumnPlan) -> list[RowError]:
    kind, used = plan.kind, plan.used
    errors = []
    for column in REQUIRED[kind]:
        if column in used or all(half in used for half in SPLIT.get(column, ("",))):
            continue
        errors.append(RowError(None, LABELS[column], f"kolom wajib tidak ada; judul yang diterima, "
                                                     f"mis.: {_examples(column)}",
                               "kolom wajib tidak ada"))
    if kind in NEEDS_VILLAGE and "kode_desa" not in used and "nama_desa" not in used:
        errors.append(RowError(None, LABELS["kode_desa"], f"kolom desa tidak ada; isi kode desa "
                               f"(judul mis.: {_examples('kode_desa')}), atau nama desa "
                               f"({_examples('nama_desa')}) bersama kecamatan",
                               "kolom wajib tidak ada"))
    return errors


def detect_kind(headers: list[str], chosen: dict[str, str] | None = None,
                remembered: dict[str, dict[str, str]] | None = None) -> str | None:
    """The kind whose required columns the headers hold (else the kind they resemble most)."""
    remembered = remembered or {}
    best, best_score = None, (0, 0)
    for kind in KINDS:
        plan = plan_columns(headers, kind, chosen, remembered.get(kind))
        used = plan.used
        complete = not any(e.jenis == "kolom wajib tidak ada" for e in plan.errors)
        distinctive = {"registri": "wajib_ktp", "kegiatan": "mitra", "target": "program"}[kind]
        has_distinctive = distinctive in used or (kind == "registri" and "wajib_l" in used)
        score = (int(complete) * 2 + int(has_distinctive), len(used))
        if score > best_score:
            best, best_score = kind, score
    return best if best_score[0] > 0 else None
