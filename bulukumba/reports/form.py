"""The phone form: which partner an account belongs to, the form's fields written as a one-row
CSV with the template's headers (so the importer checks a form and a file alike), its note's
checks, the villages it offers, and its draft kept per account."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from bulukumba.language import fmt
from bulukumba.storage import reference, store
from bulukumba.importer import headers as vocab
from bulukumba.importer.places import Places
from bulukumba.importer.report import RowError
from bulukumba.importer.values import looks_like_nik


STATUS_LABEL = {"menunggu": "Menunggu verifikasi", "disetujui": "Disetujui",
                "dikembalikan": "Dikembalikan", "ditarik": "Ditarik"}
MAX_NOTE = 300
#: The form's columns, as the template names them: the importer reads the form as a file.
FORM_HEADERS = ("tanggal", "mitra", "kode_desa", "layanan", "jumlah", "cara", "rentan")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def home_regency() -> str:
    from bulukumba.regions import configured_kabupaten

    return configured_kabupaten()


# ---------------------------------------------------------------------------------------------
# Which partner an account belongs to
# ---------------------------------------------------------------------------------------------

def resolve_partner(raw: str | None, engine) -> str | None:
    """The partner code `raw` names (its code or its name, as the importer reads a Mitra cell),
    or None when the store knows no such partner."""
    if not raw or not str(raw).strip():
        return None
    with engine.connect() as conn:  # the partners and regencies only, not every village
        mitra = dict(conn.execute(sa.select(store.mitra.c.kode, store.mitra.c.nama)).all())
        kab = dict(conn.execute(sa.select(store.kabupaten.c.kode, store.kabupaten.c.nama)).all())
    return Places({}, {}, mitra, set(), kab).partner(str(raw).strip())


def partner_name(code: str, engine) -> str:
    with engine.connect() as conn:
        name = conn.execute(sa.select(store.mitra.c.nama).where(store.mitra.c.kode == code)).scalar()
    return name or dict((k, n) for k, n, _ in reference.PARTNERS).get(code, code)


# ---------------------------------------------------------------------------------------------
# The phone form, read by the importer
# ---------------------------------------------------------------------------------------------

@dataclass
class FormEntry:
    tanggal: str = ""          # as typed or picked: 2018-01-19
    desa_kode: str = ""
    layanan: str = ""
    cara: str = "jemput_bola"
    jumlah: str = ""           # residents served
    lansia: str = "0"          # of whom elderly
    disabilitas: str = "0"     # of whom disabled
    catatan: str = ""

    def as_dict(self) -> dict:
        return dict(self.__dict__)

    @classmethod
    def of(cls, values: dict | None) -> "FormEntry":
        known = cls().__dict__
        return cls(**{k: str(v) for k, v in (values or {}).items() if k in known and v is not None})


def _whole_or_none(text: str) -> int | None:
    text = str(text).strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def form_csv(entry: FormEntry, partner: str) -> tuple[bytes, list[RowError]]:
    """The form as the importer's file: one row per group (umum, lansia, disabilitas) with
    residents in it, the template's headers; and what the form itself got wrong (the share of
    elderly and disabled, which only the form asks as "of whom"). Raw values go in as typed, so
    the importer judges them."""
    problems = []
    total, lansia, disab = (_whole_or_none(v) for v in (entry.jumlah, entry.lansia or "0", entry.disabilitas or "0"))
    groups: list[tuple[str, str]] = []
    if total is not None and lansia is not None and disab is not None:
        if lansia + disab > total:
            problems.append(RowError(None, "Di antaranya", f"lansia {fmt.number(lansia)} + disabilitas "
                                                           f"{fmt.number(disab)} lebih besar dari warga "
                                                           f"dilayani {fmt.number(total)}", "rentan melebihi jumlah"))
        elif total == 0:
            problems.append(RowError(None, vocab.LABELS["jumlah"], "harus lebih dari 0", "nol"))
        for group, count in (("umum", total - lansia - disab), ("lansia", lansia), ("disabilitas", disab)):
            if count > 0:
                groups.append((group, str(count)))
    else:  # let the importer say what is wrong with each number, in its words
        groups = [("umum", entry.jumlah)]
        if lansia is None:
            groups.append(("lansia", entry.lansia))
        if disab is None:
            groups.append(("disabilitas", entry.disabilitas))
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow([vocab.LABELS[c] for c in FORM_HEADERS])
    for group, count in groups or [("umum", entry.jumlah)]:
        writer.writerow([entry.tanggal, partner, entry.desa_kode, entry.layanan, count, entry.cara, group])
    return text.getvalue().encode("utf-8"), problems


def note_problems(note: str) -> list[RowError]:
    """The importer's personal-data checks on the short note: no NIK, no names, no addresses."""
    note = note or ""
    out = []
    if len(note) > MAX_NOTE:
        out.append(RowError(None, "Catatan", f"terlalu panjang ({fmt.number(len(note))} karakter); "
                                             f"paling banyak {MAX_NOTE}", "terlalu panjang"))
    if looks_like_nik(note) or any(looks_like_nik(word) for word in note.split()):
        out.append(RowError(None, "Catatan", "berisi angka 16 digit yang tampak seperti NIK. Dasbor "
                                             "hanya menyimpan angka agregat, bukan data perorangan; "
                                             "berkas ditolak.", "tampak seperti NIK"))
    # "nama desa" names a place, not a person (the importer's header rule says the same).
    words = re.sub(r"(?i)\bnama\s+(desa|kelurahan|kecamatan|dusun|mitra|kegiatan|layanan)\b", r"\1",
                   note.replace(":", " : ")).split()
    labels = [" ".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)]
    if any(vocab.looks_personal(label) for label in labels if len(label) > 2):
        out.append(RowError(None, "Catatan", "tampak berisi data pribadi (nama, NIK, alamat, tanggal "
                                             "lahir, nomor telepon). Dasbor hanya menyimpan angka "
                                             "agregat per desa, bukan data perorangan: tulis catatan "
                                             "tanpa data perorangan.", "data pribadi"))
    return out


# ---------------------------------------------------------------------------------------------
# Drafts of the phone form, kept per account
# ---------------------------------------------------------------------------------------------

def _blank(values: dict) -> bool:
    """Nothing typed or picked: every field empty or at the form's own default."""
    defaults = FormEntry().as_dict()
    return all(v in ("", None) or str(v) == defaults.get(k) for k, v in values.items())


def save_draft(pengguna: str, values: dict, engine) -> None:
    """Keep the form's values. A form with nothing in it (a sent form's reset can report itself
    as a change) is no draft: the next visit must not say an unsent draft was restored."""
    kept = {k: v for k, v in values.items() if isinstance(v, (str, int, float)) or v is None}
    if _blank(kept):
        clear_draft(pengguna, engine)
        return
    text = json.dumps(kept)
    with engine.begin() as conn:
        done = conn.execute(store.konsep_laporan.update().where(store.konsep_laporan.c.pengguna == pengguna)
                            .values(isi=text, waktu=_now())).rowcount
        if not done:
            conn.execute(store.konsep_laporan.insert().values(pengguna=pengguna, isi=text, waktu=_now()))


def load_draft(pengguna: str, engine) -> dict:
    with engine.connect() as conn:
        text = conn.execute(sa.select(store.konsep_laporan.c.isi)
                            .where(store.konsep_laporan.c.pengguna == pengguna)).scalar()
    try:
        draft = json.loads(text) if text else {}
    except ValueError:
        return {}
    return {} if not isinstance(draft, dict) or _blank(draft) else draft


def clear_draft(pengguna: str, engine) -> None:
    with engine.begin() as conn:
        conn.execute(store.konsep_laporan.delete().where(store.konsep_laporan.c.pengguna == pengguna))


def villages(engine) -> pd.DataFrame:
    """kode, nama, jenis, kecamatan of the store's regency, by name: the form's village list."""
    d, kc = store.desa, store.kecamatan
    query = (sa.select(d.c.kode, d.c.nama, d.c.jenis, kc.c.nama.label("kecamatan"))
             .join(kc, kc.c.kode == d.c.kecamatan_kode)
             .where(d.c.kode.like(home_regency() + ".%")).order_by(d.c.nama, kc.c.nama))
    with engine.connect() as conn:
        return pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=["kode", "nama", "jenis", "kecamatan"])


def describe(error: RowError) -> str:
    """A problem as the form shows it: its column, then the importer's own words."""
    return f"{error.kolom}: {error.pesan}" if error.kolom else error.pesan


