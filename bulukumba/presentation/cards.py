"""Charts made citable: a takeaway title, what is measured in which unit, and a footer with the
source, the data date and the demo label — the frame Our World in Data puts around a chart, so
a screenshot pasted into a report still says what it shows and where it comes from.

Each builder takes the data module's frames and returns a `Card` (no Streamlit): a figure when
there is something to draw, a sentence when a chart would mislead (one point is not a trend),
and a message that says how to add the data when there is none. `web.card` shows it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from bulukumba.presentation import charts, mapview
from bulukumba.language import fmt, texts


@dataclass(frozen=True)
class Card:
    title: str                       # the takeaway, one sentence
    subtitle: str                    # what is measured, in which unit, where and when
    footer: str                      # source · data date · DATA CONTOH
    figure: go.Figure | None = None
    sentence: str | None = None      # instead of a chart (markdown)
    kosong: bool = False             # no data at all: `sentence` says how to add it
    legend_html: str | None = None   # the map's legend


def footer(source: str, day: dt.date | None, demo: bool, extra: str | None = None) -> str:
    parts = [f"Sumber: {texts.SUMBER[source]}", f"Data per {fmt.date(day)}"]
    if extra:
        parts.append(extra)
    if demo:
        parts.append(texts.DEMO_LABEL)
    return " · ".join(parts)


def _empty(title: str, subtitle: str, foot: str, kind: str, what: str) -> Card:
    return Card(title, subtitle, foot, sentence=f"{what} {texts.CARA_TAMBAH[kind]}", kosong=True)


# ---------------------------------------------------------------------------------------------
# Coverage
# ---------------------------------------------------------------------------------------------

def kecamatan_coverage(kec: pd.DataFrame, day: dt.date | None, demo: bool,
                       target: float = charts.NATIONAL_TARGET) -> Card:
    reported = kec.dropna(subset=["cakupan"])
    silent = [n for n, c in zip(kec["nama"], kec["cakupan"]) if pd.isna(c)]
    subtitle = (f"Cakupan perekaman e-KTP: % wajib KTP yang sudah rekam, per kecamatan. "
                f"Garis putus-putus: target nasional {fmt.percent(target, 0)}.")
    if len(silent) > 10:
        subtitle += " " + texts.TANPA_DATA_BANYAK.format(n=fmt.number(len(silent)))
    elif silent:
        subtitle += f" Belum ada data registri: {', '.join(silent)}."
    if len(reported) > charts.MAX_BARS:
        subtitle += " " + texts.BATANG_TERENDAH.format(n=charts.MAX_BARS, semua=fmt.number(len(reported)))
    foot = footer("registri", day, demo)
    if reported.empty:
        return _empty("Belum ada data cakupan per kecamatan", subtitle, foot, "registri",
                      "Belum ada data registri.")
    low = reported.loc[reported["cakupan"].idxmin()]
    below = int((reported["cakupan"] < target).sum())
    if below == len(reported):
        title = (f"Semua {fmt.number(below)} kecamatan di bawah target {fmt.percent(target, 0)}; "
                 f"terendah {low['nama']} ({fmt.percent(low['cakupan'])})")
    elif below:
        title = (f"{fmt.number(below)} dari {fmt.number(len(reported))} kecamatan di bawah target "
                 f"{fmt.percent(target, 0)}; terendah {low['nama']} ({fmt.percent(low['cakupan'])})")
    else:
        title = (f"Semua {fmt.number(len(reported))} kecamatan mencapai target {fmt.percent(target, 0)}; "
                 f"terendah {low['nama']} ({fmt.percent(low['cakupan'])})")
    return Card(title, subtitle, foot, figure=charts.kecamatan_coverage(kec, target))


def top_unrecorded(villages: pd.DataFrame, area: str, day: dt.date | None, demo: bool, n: int = 5) -> Card:
    rows = villages.dropna(subset=["belum_rekam"])
    subtitle = f"Warga wajib KTP yang belum rekam (orang): {n} desa/kelurahan terbanyak di {area}."
    foot = footer("registri", day, demo)
    if rows.empty:
        return _empty(f"Belum ada data registri untuk {area}", subtitle, foot, "registri",
                      f"Belum ada desa/kelurahan di {area} yang datanya masuk.")
    top = rows.nlargest(n, "belum_rekam", keep="all")  # a tie at the n-th place: both are drawn
    if len(top) > n:
        subtitle += f" Ditampilkan {len(top)}: yang di urutan ke-{n} sama banyak."
    total = rows["belum_rekam"].sum()
    most = top["belum_rekam"].max()
    leaders = top[top["belum_rekam"] == most]
    share = top["belum_rekam"].sum() / total if total else 0
    named = texts.list_and([f"{r.nama} ({r.kecamatan_nama})" for r in leaders.itertuples()])
    each = " masing-masing" if len(leaders) > 1 else ""
    title = (f"{named} paling banyak belum rekam: {fmt.number(most)} orang{each}; {len(top)} desa ini "
             f"{fmt.percent(share, 0)} dari yang belum rekam di {area}")
    return Card(title, subtitle, foot, figure=charts.top_unrecorded(villages, n))


def recorded_trend(trend: pd.DataFrame, area: str, demo: bool) -> Card:
    subtitle = (f"Warga wajib KTP yang sudah rekam (orang) di {area} pada setiap tanggal data "
                "registri; garis putus-putus: jumlah wajib KTP.")
    last_day = trend["tanggal"].max().date() if len(trend) else None
    foot = footer("registri", last_day, demo)
    if trend.empty:
        return _empty(f"Belum ada data registri untuk {area}", subtitle, foot, "registri",
                      "Belum ada data untuk digambar.")
    last = trend.iloc[-1]
    if len(trend) == 1:
        sentence = (f"Baru satu tanggal data registri: per {fmt.date(last_day)}, "
                    f"{fmt.number(last['sudah_rekam'])} dari {fmt.number(last['wajib_ktp'])} wajib KTP sudah "
                    f"rekam ({fmt.percent(last['cakupan'])}). Satu titik belum membentuk tren; grafik tampil "
                    "setelah data registri tanggal berikutnya diimpor.")
        return Card(f"Tren belum ada: baru satu tanggal data ({fmt.date(last_day)})", subtitle, foot,
                    sentence=sentence)
    first = trend.iloc[0]
    rise = int(last["sudah_rekam"] - first["sudah_rekam"])
    title = (f"Sudah rekam {fmt.signed(rise)} sejak {fmt.date(first['tanggal'].date())}: "
             f"cakupan {fmt.percent(first['cakupan'])} → {fmt.percent(last['cakupan'])}")
    return Card(title, subtitle, foot, figure=charts.recorded_trend(trend))


def village_map(villages: pd.DataFrame, layers, quantity: str, view: mapview.View, labels, area: str,
                day: dt.date | None, demo: bool, selected: str | None = None) -> Card:
    """The village map, its legend above it, fitted to `view`."""
    values = villages[quantity].astype("float64")
    classes = mapview.classes(values, quantity)
    subtitle = (f"{'Warga wajib KTP yang belum rekam (orang)' if quantity == 'belum_rekam' else 'Cakupan: % wajib KTP yang sudah rekam'}"
                f" per desa/kelurahan di {area}. Garis tebal: batas kecamatan. Klik desa untuk rinciannya.")
    foot = footer("registri", day, demo, texts.SOURCE_WILAYAH.removesuffix("."))
    if classes is None:
        return _empty(f"Belum ada data registri untuk {area}", subtitle, foot, "registri",
                      "Peta belum bisa diwarnai.")
    missing = int(values.isna().sum())
    if quantity == "belum_rekam":
        worst = villages.loc[values.idxmax()]
        title = (f"Belum rekam terbanyak di {worst['nama']} ({worst['kecamatan_nama']}): "
                 f"{fmt.number(worst['belum_rekam'])} orang")
    else:
        worst = villages.loc[values.idxmin()]
        title = (f"Cakupan terendah di {worst['nama']} ({worst['kecamatan_nama']}): "
                 f"{fmt.percent(worst['cakupan'])}")
    if missing:
        subtitle += f" Putih: {fmt.number(missing)} desa/kelurahan belum ada datanya."
    figure = charts.village_map(villages, layers.villages, quantity, outlines=layers.outlines,
                                view=view, labels=labels, classes=classes, selected=selected)
    return Card(title, subtitle, foot, figure=figure, legend_html=charts.map_legend_html(classes, quantity))


# ---------------------------------------------------------------------------------------------
# Partners
# ---------------------------------------------------------------------------------------------

def leaderboard(board: pd.DataFrame, layanan: str | None, period: str, area: str, day: dt.date | None,
                demo: bool) -> Card:
    title_unit, unit = texts.service_unit(layanan)
    subtitle = (f"{title_unit}: jumlah per mitra ({unit}), {period}, {area}; dalam kurung porsi "
                "dari semua mitra.")
    foot = footer("kegiatan", day, demo)
    total = int(board["jumlah"].sum())
    if total == 0:
        return _empty(f"Belum ada kegiatan mitra tercatat: {title_unit.lower()}", subtitle, foot, "kegiatan",
                      f"Tidak ada kegiatan mitra ({title_unit.lower()}) pada {period} di {area}.")
    top = board.iloc[0]
    title = (f"{top['nama']} terbanyak: {fmt.number(top['jumlah'])} dari {fmt.number(total)} {unit} "
             f"({fmt.percent(top['porsi'], 0)})")
    return Card(title, subtitle, foot, figure=charts.leaderboard(board, unit))


def partner_months(monthly: pd.DataFrame, partner: str, layanan: str | None, period: str, area: str,
                   day: dt.date | None, demo: bool) -> Card:
    title_unit, unit = texts.service_unit(layanan)
    subtitle = f"{title_unit}: {partner}, jumlah per bulan ({unit}), {period}, {area}."
    foot = footer("kegiatan", day, demo)
    per_month = monthly.groupby("bulan")["jumlah"].sum() if len(monthly) else pd.Series(dtype="int64")
    if per_month.sum() == 0:
        return Card(f"{partner}: tidak ada kegiatan tercatat pada periode ini", subtitle, foot,
                    sentence=f"Tidak ada kegiatan {partner} ({title_unit.lower()}) pada {period} di {area}.")
    best = per_month.idxmax()
    title = (f"{partner}: {fmt.number(per_month.sum())} {unit} dalam {fmt.number(len(per_month))} bulan; "
             f"terbanyak {fmt.month(best)} ({fmt.number(per_month.max())})")
    return Card(title, subtitle, foot, figure=charts.partner_months(monthly))


def partnership(status, day: dt.date | None, demo: bool, area: str) -> Card:
    """The 2017 partnership programme against its target (always a regency, e-KTP recording);
    `area` names the regency ("Kabupaten Bulukumba")."""
    subtitle = (f"Perekaman e-KTP oleh mitra selama program, {fmt.date(status.mulai)} – "
                f"{fmt.date(status.selesai)}, {area} (orang); garis putus-putus: target.")
    title = (f"Kemitraan 2017: {fmt.number(status.capaian)} dari target {fmt.number(status.target)} "
             f"perekaman ({fmt.percent(status.persen)})")
    return Card(title, subtitle, footer("program_mitra", day, demo),
                figure=charts.target_gauge(status.capaian, status.target, "Perekaman e-KTP"))


# ---------------------------------------------------------------------------------------------
# Programmes
# ---------------------------------------------------------------------------------------------

def programme_progress(progress: pd.DataFrame, v, demo: bool) -> Card:
    """GERTAK's achievement against the straight target path (v: verdict.Verdict)."""
    basis = texts.DASAR.get(v.dasar, v.dasar)
    subtitle = (f"Capaian perekaman e-KTP GERTAK 2018 di {v.wilayah} (orang), dihitung dari {basis}. "
                f"Garis putus-putus: jalur target ke {fmt.number(v.target)} pada {fmt.date(v.selesai)}; "
                "titik-titik: proyeksi dengan laju saat ini.")
    if v.capaian_sejak and v.capaian_sejak > v.mulai:
        subtitle += " " + texts.late_start_note(v)
    foot = footer("program" if v.dasar == "registri" else "program_mitra", v.tanggal, demo)
    span = max((v.selesai - v.mulai).days, 1)
    should = round(v.target * min(max((v.tanggal - v.mulai).days / span, 0), 1))
    title = (f"{fmt.number(v.capaian)} dari {fmt.number(v.target)} perekaman ({fmt.percent(v.capaian / v.target)}) "
             f"per {fmt.date(v.tanggal)}; menurut jalur target seharusnya {fmt.number(should)}")
    if v.laju is None:
        return Card(title, subtitle, foot, sentence=texts.verdict_sentence(v)
                    + " Grafik capaian tampil setelah ada dua tanggal data.")
    projection = (v.proyeksi_selesai, v.target) if v.proyeksi_selesai and v.sisa else None
    return Card(title, subtitle, foot,
                figure=charts.programme_progress(progress, v.target, v.mulai, v.selesai, projection))


def kecamatan_progress(rows: pd.DataFrame, day: dt.date | None, demo: bool, chosen: str | None = None) -> Card:
    """Each kecamatan's share of its target against where it should be by now."""
    subtitle = ("Capaian perekaman e-KTP sebagai % target tiap kecamatan (batang, dari 0); garis tegak "
                f"hitam: posisi jalur target per {fmt.date(day)}. Semua kecamatan"
                + (", yang dipilih berwarna abu-abu." if chosen else "."))
    foot = footer("program", day, demo)
    if rows.empty:
        return _empty("Belum ada target GERTAK 2018 per kecamatan", subtitle, foot, "target",
                      "Belum ada target per kecamatan.")
    behind = rows[rows["persen"] < rows["seharusnya"]]
    if behind.empty:
        title = f"Semua {fmt.number(len(rows))} kecamatan sesuai atau di depan jalur target"
    else:
        worst = behind.loc[(behind["persen"] - behind["seharusnya"]).idxmin()]
        title = (f"{fmt.number(len(behind))} dari {fmt.number(len(rows))} kecamatan di belakang jalur target; "
                 f"paling jauh {worst['nama']} ({fmt.percent(worst['persen'], 0)}, seharusnya "
                 f"{fmt.percent(worst['seharusnya'], 0)})")
    drawable = int(rows["persen"].notna().sum())
    if drawable > charts.MAX_BARS:
        subtitle += " " + texts.BATANG_CAPAIAN_TERENDAH.format(n=charts.MAX_BARS, semua=fmt.number(drawable))
    return Card(title, subtitle, foot, figure=charts.kecamatan_progress(rows, chosen))
