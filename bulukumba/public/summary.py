"""Which public view an address asks for, and that view's published figures as plain values.

`summary_for(engine, params)` answers for the public addresses: `/` (the regency), `?kab=KODE`
(a regency of a store of several; an unknown code gets the first, as the page does),
`?desa=KODE` (a village's card; an unknown code gets the regency's view, as the page shows no
card then) and `?mode=proyektor`. Everything it holds is read from the published set
(disclosure.public_view), the same the page shows: the regency's texts, the village frame's
texts, the verdict sentence of `PublicView.vonis`. Nothing is recomputed, so "<5",
"disamarkan" and "ditahan" stay what they are.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from bulukumba.presentation import charts, citizen, contact
from bulukumba import figures, disclosure
from bulukumba.language import fmt, texts

REGENCY, VILLAGE, PROJECTOR = "kabupaten", "desa", "proyektor"


@dataclass(frozen=True)
class Figure:
    label: str
    text: str
    note: str = ""


@dataclass(frozen=True)
class Summary:
    kind: str                      # REGENCY, VILLAGE or PROJECTOR
    wilayah: str                   # "Kabupaten Bulukumba"
    kab_kode: str                  # the regency's code (for file names and links)
    kab_param: str | None          # `?kab=` of the view (None: the store holds one regency)
    desa: str | None               # the village's code (VILLAGE)
    nama: str                      # "Perekaman e-KTP Kabupaten Bulukumba" / "Desa Tanah Towa, Kec. Kajang"
    tanggal: dt.date | None        # the data date the view shows
    angka: tuple[Figure, ...]      # the four regency figures as the page shows them
    desa_angka: tuple[Figure, ...]  # the village card's figures (VILLAGE)
    cakupan: str                   # the view's headline coverage text ("97,2%", "≥ 99,6%", "disamarkan")
    vonis: str | None              # the GERTAK verdict sentence (plain text), None where not shown
    lencana: str | None            # the verdict's badge ("tepat waktu", "terlambat 43 hari")
    contoh: bool
    versi: int

    @property
    def title(self) -> str:
        """'Desa Tanah Towa, Kec. Kajang: 97,2% sudah rekam e-KTP, per 30 Juni 2018'."""
        head = self.nama if self.kind == VILLAGE else self.wilayah
        if self.cakupan in (fmt.KOSONG, ""):
            text = f"{head}: belum ada data perekaman e-KTP"
        elif self.cakupan[:1].isdigit() or self.cakupan.startswith("≥"):
            text = f"{head}: {self.cakupan} sudah rekam e-KTP"
        else:  # "disamarkan", "ditahan": said as it is
            text = f"{head}: cakupan perekaman e-KTP {self.cakupan}"
        if self.tanggal is not None:
            text += f", per {fmt.date(self.tanggal)}"
        if self.kind == PROJECTOR:
            text = f"Mode proyektor · {text}"
        return f"{texts.DEMO_LABEL} · {text}" if self.contoh else text

    @property
    def description(self) -> str:
        """The figures in one or two sentences (what a link preview shows under the title)."""
        if self.kind == VILLAGE:
            parts = [f"{f.label}: {f.text}" + (f" ({f.note})" if f.note and f.label == "Belum rekam" else "")
                     for f in self.desa_angka]
            text = ". ".join(parts) + f". Rekam e-KTP di {texts.OFFICE_SHORT}; angka agregat, tanpa data perorangan."
        else:
            text = " · ".join(f"{f.label} {f.text}" for f in self.angka) + "."
            if self.lencana:
                text += f" GERTAK 2018: {self.lencana}."
            text += f" {texts.OFFICE_SHORT}; angka agregat, tanpa data perorangan."
        return f"{texts.DEMO_LABEL}: {text}" if self.contoh else text

    @property
    def card_name(self) -> str:
        """The share card's file name (without .png): 'kab-73.02' or 'desa-73.02.01.2001'."""
        return f"desa-{self.desa}" if self.kind == VILLAGE else f"kab-{self.kab_kode}"

    def query(self) -> dict[str, str]:
        """The address's query as the page keeps it (canonical: unknown codes dropped)."""
        q = {"kab": self.kab_param} if self.kab_param else {}
        if self.kind == VILLAGE:
            q["desa"] = self.desa
        if self.kind == PROJECTOR:
            q["mode"] = "proyektor"
        return q


def plain(markdown: str) -> str:
    """The verdict sentence without its markdown emphasis."""
    return re.sub(r"\*\*|__", "", markdown or "").strip()


def regencies(engine: sa.Engine) -> dict[str, str]:
    found = figures.regencies(engine)
    return dict(zip(found["kode"].astype(str), found["nama"].astype(str)))


def chosen_regency(engine: sa.Engine, wanted: str | None) -> tuple[str | None, str]:
    """(the regency the page publishes: None for a store of one, else `wanted` if known, else
    the first; its code). As web.public_regency decides it."""
    names = regencies(engine)
    if len(names) <= 1:
        return None, next(iter(names), "")
    chosen = wanted if wanted in names else next(iter(names))
    return chosen, chosen


def office() -> contact.Office:
    try:
        return contact.load()
    except contact.ContactError:  # the page keeps serving without the address; so does this
        return contact.Office(nama=texts.OFFICE)


def summary_for(engine: sa.Engine, params: dict[str, str], version: int | None = None) -> Summary | None:
    """The summary of the public address with query `params`, or None (no data yet)."""
    if figures.latest_date(engine) is None:
        return None
    version = figures.data_version(engine) if version is None else version
    kab, kab_kode = chosen_regency(engine, params.get("kab"))
    view = disclosure.public_view(engine=engine, kabupaten=kab)
    if view is None:
        return None
    return summarise(view, engine, kab, kab_kode, params, version)


def summarise(view, engine, kab: str | None, kab_kode: str, params: dict[str, str], version: int) -> Summary:
    wilayah = figures.region_label(None, kab, engine)
    demo = figures.freshness(engine).contoh
    day = figures.latest_date(engine, kabupaten=kab)  # as the page's "Data per …" line says it
    total = view.kabupaten
    headline = regency_figures(total)
    verdict = view.vonis
    kind = PROJECTOR if params.get("mode") == "proyektor" else REGENCY
    village = params.get("desa") if kind == REGENCY else None
    found = (view.desa["kode"] == village).to_numpy().nonzero()[0] if village else ()
    common = dict(wilayah=wilayah, kab_kode=kab_kode, kab_param=kab, angka=headline,
                  vonis=plain(verdict.kalimat) if verdict is not None else None,
                  lencana=verdict.badge if verdict is not None else None, contoh=demo, versi=version)
    if len(found):
        row = view.desa.iloc[found[0]]
        return Summary(kind=VILLAGE, desa=village, nama=f"{citizen.village_title(row)}, Kec. {row['kecamatan_nama']}",
                       tanggal=view.tanggal, desa_angka=village_figures(view.desa, row),
                       cakupan=citizen.coverage_band(row)[0], **common)
    return Summary(kind=kind, desa=None, nama=texts.public_title(wilayah), tanggal=day, desa_angka=(),
                   cakupan=total.teks_cakupan, **common)


def regency_figures(total) -> tuple[Figure, ...]:
    """The four figures of the page's first screen, as it shows them (disclosure.Regency)."""
    return (Figure("Wajib KTP", fmt.number(total.wajib_ktp)),
            Figure("Sudah rekam", total.teks_sudah_rekam),
            Figure("Belum rekam", total.teks_belum_rekam),
            Figure("Cakupan", total.teks_cakupan, f"target nasional {fmt.percent(charts.NATIONAL_TARGET, 0)}"))


def village_figures(villages: pd.DataFrame, row) -> tuple[Figure, ...]:
    """The village card's figures (citizen.village_card_html shows the same)."""
    band, band_note = citizen.coverage_band(row)
    rank, rank_note = citizen.kecamatan_rank(villages, row)
    wajib = row["wajib_ktp"]
    unrecorded_note = f"dari {fmt.number(wajib)} wajib KTP" if pd.notna(wajib) else "belum ada data"
    return (Figure("Cakupan perekaman", band, band_note),
            Figure("Belum rekam", row["teks_belum_rekam"], unrecorded_note),
            Figure(f"Peringkat di Kec. {row['kecamatan_nama']}", rank, rank_note))
