"""The tables the pages show and the Unduh page exports: one builder per table.

Each takes the data module's frame and returns the table with Indonesian column names and raw
values (counts as integers, shares as percentages with one decimal), so a download holds exactly
what the page shows; only the on-screen number format differs.
"""
from __future__ import annotations

import pandas as pd

from . import texts

PCT = "Cakupan (%)"


def _pct(share: pd.Series) -> pd.Series:
    return (share.astype("float64") * 100).round(1)


def kecamatan_table(kec: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Kode": kec["kode"], "Kecamatan": kec["nama"], "Desa/kelurahan": kec["desa"],
        "Wajib KTP": kec["wajib_ktp"], "Sudah rekam": kec["sudah_rekam"],
        "Belum rekam": kec["belum_rekam"], PCT: _pct(kec["cakupan"]),
    }).reset_index(drop=True)


def village_table(villages: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Kode": villages["kode"], "Desa/kelurahan": villages["nama"],
        "Jenis": villages["jenis"].str.capitalize(), "Kecamatan": villages["kecamatan_nama"],
        "Wajib KTP": villages["wajib_ktp"], "Sudah rekam": villages["sudah_rekam"],
        "Belum rekam": villages["belum_rekam"], PCT: _pct(villages["cakupan"]),
        "Tanggal data": villages["tanggal"].dt.date,
    }).reset_index(drop=True)


def priority_table(priority: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Peringkat": priority["peringkat"], "Kode": priority["kode"],
        "Desa/kelurahan": priority["nama"], "Kecamatan": priority["kecamatan_nama"],
        "Belum rekam": priority["belum_rekam"], PCT: _pct(priority["cakupan"]),
        "Jarak dari kantor (km)": priority["jarak_km"].round(1), "Skor": priority["skor"].round(1),
    }).reset_index(drop=True)


def leaderboard_table(board: pd.DataFrame, monthly: pd.DataFrame | None = None) -> pd.DataFrame:
    table = pd.DataFrame({
        "Peringkat": board["peringkat"], "Mitra": board["nama"], "Jumlah": board["jumlah"],
        "Porsi (%)": _pct(board["porsi"]), "Desa dijangkau": board["desa"],
        "Warga rentan dilayani": board["rentan"],
    })
    if monthly is not None:
        trend = monthly.sort_values("bulan").groupby("mitra_kode")["jumlah"].apply(list)
        table["Tren bulanan"] = [trend.get(code, []) for code in board["kode"]]
    return table.reset_index(drop=True)


def partner_villages_table(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Kode": rows["kode"], "Desa/kelurahan": rows["nama"], "Kecamatan": rows["kecamatan_nama"],
        "Jumlah": rows["jumlah"], "Warga rentan": rows["rentan"]}).reset_index(drop=True)


def village_services_table(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Mitra": rows["nama"], "Layanan": rows["layanan"].map(texts.LAYANAN),
        "Jumlah": rows["jumlah"]}).reset_index(drop=True)


def programme_table(statuses: list, names: dict[str | None, str]) -> pd.DataFrame:
    """One row per programme status (data.ProgrammeStatus)."""
    return pd.DataFrame([{
        "Wilayah": names.get(s.kecamatan_kode, s.kecamatan_kode or "Kabupaten"),
        "Layanan": texts.LAYANAN.get(s.layanan, s.layanan), "Target": s.target,
        "Capaian": s.capaian, "Capaian (%)": round(s.persen * 100, 1), "Sisa": s.sisa,
        "Perlu per hari": None if s.laju_perlu is None else round(s.laju_perlu, 1),
        "Laju 28 hari per hari": round(s.laju_28, 1),
        "Proyeksi selesai": s.proyeksi_selesai,
        "Dihitung dari": texts.DASAR.get(s.dasar, s.dasar),
    } for s in statuses])


def progress_by_region(statuses: list, names: dict[str, str]) -> pd.DataFrame:
    """nama, persen, capaian, target per kecamatan status (for charts.kecamatan_progress)."""
    return pd.DataFrame({"nama": [names.get(s.kecamatan_kode, s.kecamatan_kode) for s in statuses],
                         "persen": [s.persen for s in statuses], "capaian": [s.capaian for s in statuses],
                         "target": [s.target for s in statuses]})


def trend_table(trend: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Tanggal": trend["tanggal"].dt.date, "Wajib KTP": trend["wajib_ktp"],
        "Sudah rekam": trend["sudah_rekam"], "Belum rekam": trend["belum_rekam"],
        PCT: _pct(trend["cakupan"])}).reset_index(drop=True)


def progress_table(progress: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"Tanggal": pd.to_datetime(progress["tanggal"]).dt.date,
                         "Capaian": progress["capaian"],
                         "Jalur target": progress["target_jalur"]}).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Public tables: built from a published set (bulukumba.disclosure.PublicView), nothing else.
# A count is a whole number where shown and its label ("<5", "disamarkan") where hidden, so a
# download holds exactly what the page shows.
# ---------------------------------------------------------------------------------------------

def _shown_or_label(values: pd.Series, labels: pd.Series) -> list:
    return [label if pd.isna(value) else int(value) for value, label in zip(values, labels)]


def public_village_table(villages: pd.DataFrame) -> pd.DataFrame:
    """PublicView.desa: a row per village, its hidden figures as their labels."""
    return pd.DataFrame({
        "Kode": villages["kode"], "Desa/kelurahan": villages["nama"], "Kecamatan": villages["kecamatan_nama"],
        "Wajib KTP": villages["wajib_ktp"],
        "Sudah rekam": _shown_or_label(villages["sudah_rekam"], villages["teks_sudah_rekam"]),
        "Belum rekam": _shown_or_label(villages["belum_rekam"], villages["teks_belum_rekam"]),
        "Cakupan": villages["teks_cakupan"],
    }).reset_index(drop=True)


def public_leaderboard_table(partners: pd.DataFrame) -> pd.DataFrame:
    """PublicView.mitra."""
    return pd.DataFrame({
        "Mitra": partners["nama"], "Jumlah layanan": _shown_or_label(partners["jumlah"], partners["teks_jumlah"]),
        "Desa dijangkau": partners["desa"],
        "Warga rentan dilayani": _shown_or_label(partners["rentan"], partners["teks_rentan"]),
    }).reset_index(drop=True)


def public_vulnerable_table(vulnerable: pd.DataFrame) -> pd.DataFrame:
    """PublicView.rentan, with its last row the column totals ("Jumlah")."""
    return pd.DataFrame({
        "Kecamatan": vulnerable["nama"],
        "Penyandang disabilitas": _shown_or_label(vulnerable["disabilitas"], vulnerable["teks_disabilitas"]),
        "Lanjut usia": _shown_or_label(vulnerable["lansia"], vulnerable["teks_lansia"]),
    }).reset_index(drop=True)


def public_priority_table(priority: pd.DataFrame) -> pd.DataFrame:
    """PublicView.prioritas: shown villages only, so every figure is a number."""
    return pd.DataFrame({
        "Peringkat": priority["peringkat"], "Desa/kelurahan": priority["nama"],
        "Kecamatan": priority["kecamatan_nama"], "Belum rekam": priority["belum_rekam"].astype("int64"),
        PCT: _pct(priority["cakupan"]), "Jarak dari kantor (km)": priority["jarak_km"].astype("float64").round(1),
        "Skor": priority["skor"].astype("float64").round(1),
    }).reset_index(drop=True)


def without_zero_columns(table: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """`table` without those of `columns` whose every cell is 0 (a hidden "<5" is not 0), and
    their names: a column of zeros says nothing and invites questions; the page says it left
    it out (texts.KOLOM_NOL). Zero is public, so leaving it out hides nothing either."""
    empty = [c for c in columns if c in table.columns and len(table)
             and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v == 0 for v in table[c])]
    return table.drop(columns=empty), empty
