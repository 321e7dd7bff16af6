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
# Public tables: built from privacy.py's safe frames, "<5" where a count is hidden
# ---------------------------------------------------------------------------------------------

def public_village_table(safe: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Kode": safe["kode"], "Desa/kelurahan": safe["nama"], "Kecamatan": safe["kecamatan_nama"],
        "Wajib KTP": safe["wajib_ktp"], "Sudah rekam": safe["tampil_sudah_rekam"],
        "Belum rekam": safe["tampil_belum_rekam"], "Cakupan": safe["tampil_cakupan"],
    }).reset_index(drop=True)


def public_leaderboard_table(safe: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Mitra": safe["nama"], "Jumlah layanan": safe["jumlah"], "Desa dijangkau": safe["desa"],
        "Warga rentan dilayani": safe["tampil_rentan"]}).reset_index(drop=True)


def public_vulnerable_table(safe: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Kecamatan": safe["nama"], "Penyandang disabilitas": safe["tampil_disabilitas"],
        "Lanjut usia": safe["tampil_lansia"]}).reset_index(drop=True)
