"""The tables the pages show and the Unduh page exports: one builder per table.

Each takes the data module's frame and returns the table with Indonesian column names and raw
values (counts as integers, shares as percentages with one decimal), so a download holds exactly
what the page shows; only the on-screen number format differs.
"""
from __future__ import annotations

import pandas as pd

from bulukumba.language import fmt, texts

PCT = "Cakupan (%)"


def _pct(share: pd.Series) -> pd.Series:
    return fmt.percent_value(share.astype("float64"), 1)


def kecamatan_table(kec: pd.DataFrame, reported: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per kecamatan; with the villages that have reported (data.villages_reported), also how
    many, and no figures at all (not zeros) for a kecamatan none of whose villages has."""
    table = pd.DataFrame({
        "Kode": kec["kode"], "Kecamatan": kec["nama"], "Desa/kelurahan": kec["desa"],
        "Wajib KTP": kec["wajib_ktp"], "Sudah rekam": kec["sudah_rekam"],
        "Belum rekam": kec["belum_rekam"], PCT: _pct(kec["cakupan"]),
    }).reset_index(drop=True)
    if reported is not None:
        per_kecamatan = reported.set_index("kecamatan_kode")["desa"]
        count = kec["kode"].map(per_kecamatan).fillna(0).astype("int64").reset_index(drop=True)
        table.insert(3, "Desa melapor", count)
        for column in ("Wajib KTP", "Sudah rekam", "Belum rekam"):
            table[column] = table[column].astype("Int64").mask(count == 0)
    return table


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


def programme_table(verdicts: list, names: dict[str | None, str]) -> pd.DataFrame:
    """One row per programme target (verdict.Verdict): the same figures as the verdict strip."""
    return pd.DataFrame([{
        "Wilayah": names.get(v.kecamatan, v.kecamatan or "Kabupaten"),
        "Layanan": texts.LAYANAN.get(v.layanan, v.layanan), "Target": v.target,
        "Capaian": v.capaian, "Capaian (%)": round(v.capaian / v.target * 100, 1) if v.target else None,
        "Sisa": v.sisa,
        "Perlu per hari": None if v.perlu_per_hari is None else round(v.perlu_per_hari, 1),
        "Laju per hari": None if v.laju is None else round(v.laju, 1),
        "Laju diukur (hari)": v.laju_hari,
        "Proyeksi selesai": v.proyeksi_selesai,
        "Keadaan": v.badge,
        "Dihitung dari": texts.DASAR.get(v.dasar, v.dasar),
    } for v in verdicts], columns=["Wilayah", "Layanan", "Target", "Capaian", "Capaian (%)", "Sisa",
                                   "Perlu per hari", "Laju per hari", "Laju diukur (hari)",
                                   "Proyeksi selesai", "Keadaan", "Dihitung dari"])


def progress_by_region(statuses: list, names: dict[str, str]) -> pd.DataFrame:
    """nama, persen, capaian, target, seharusnya (share of the target the straight path reaches
    by the status's date) per kecamatan status (verdict.statuses_with_figures), for
    charts.kecamatan_progress."""
    def expected(s) -> float:
        span = max((s.selesai - s.mulai).days, 1)
        return min(max((s.tanggal - s.mulai).days / span, 0.0), 1.0)

    rows = [s for s in statuses if s.target]
    return pd.DataFrame({"nama": [names.get(s.kecamatan_kode, s.kecamatan_kode) for s in rows],
                         "persen": [s.capaian / s.target for s in rows],
                         "capaian": [s.capaian for s in rows], "target": [s.target for s in rows],
                         "seharusnya": [expected(s) for s in rows],
                         "kode": [s.kecamatan_kode for s in rows]},
                        columns=["nama", "persen", "capaian", "target", "seharusnya", "kode"])


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


def has_partner_figures(board) -> bool:
    """Whether a partner leaderboard (a published one: hidden figures are NaN with a label) has
    any activity to show: a count above 0, or a hidden one."""
    counts = board["jumlah"]
    return bool((counts.fillna(0) > 0).any() or counts.isna().any())


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


def village_history_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Every snapshot of every village (data.village_histories)."""
    return pd.DataFrame({
        "Kode": rows["kode"], "Desa/kelurahan": rows["nama"], "Kecamatan": rows["kecamatan_nama"],
        "Tanggal": pd.to_datetime(rows["tanggal"]).dt.date, "Wajib KTP": rows["wajib_ktp"],
        "Sudah rekam": rows["sudah_rekam"], "Belum rekam": rows["belum_rekam"], PCT: _pct(rows["cakupan"]),
    }).reset_index(drop=True)


def partner_activity_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Partner x village x month x service (data.partner_activity)."""
    return pd.DataFrame({
        "Bulan": pd.to_datetime(rows["bulan"]).dt.date, "Mitra": rows["mitra_nama"], "Kode": rows["kode"],
        "Desa/kelurahan": rows["nama"], "Kecamatan": rows["kecamatan_nama"],
        "Layanan": rows["layanan"].map(texts.LAYANAN), "Jumlah": rows["jumlah"].astype("int64"),
        "Warga rentan": rows["rentan"].astype("int64"),
    }, columns=["Bulan", "Mitra", "Kode", "Desa/kelurahan", "Kecamatan", "Layanan", "Jumlah",
                "Warga rentan"]).reset_index(drop=True)


def first_rows(table: pd.DataFrame, limit: int, totals_last: bool = False) -> pd.DataFrame:
    """At most `limit` rows for the screen, in the table's own order (never chosen by a figure,
    so a hidden figure's place says nothing); `totals_last`: the last row (totals) stays."""
    if len(table) <= limit + totals_last:
        return table
    return pd.concat([table.head(limit), table.tail(1)]) if totals_last else table.head(limit)


def without_zero_columns(table: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """`table` without those of `columns` whose every cell is 0 (a hidden "<5" is not 0), and
    their names: a column of zeros says nothing and invites questions; the page says it left
    it out (texts.KOLOM_NOL). Zero is public, so leaving it out hides nothing either."""
    empty = [c for c in columns if c in table.columns and len(table)
             and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v == 0 for v in table[c])]
    return table.drop(columns=empty), empty
