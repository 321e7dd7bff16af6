"""Open data: the published set of each regency as CSV and JSON, described by a Frictionless
`datapackage.json`, and an Indonesian index page (served at /data/ by server/public.py).

Per regency, under `/data/<kode>/`: villages (`desa`), kecamatan (`kecamatan`), partners
(`mitra`) and GERTAK 2018 progress (`gertak`), each as `.csv` and `.json`, and
`datapackage.json`. Figures are numbers (coverage in percent with one decimal, as published);
a hidden figure is empty (CSV) or null (JSON) and its row's status says why ("<5",
"disamarkan", "ditahan", "kosong"), exactly as the public page shows it: every value is read
from the published set (disclosure.public_view), nothing is recomputed. Every row carries the
data date; the JSON and the data package carry the source, the licence (CC BY 4.0), the notes
and the data dictionary. Demo data says so in the file (a column, the title) and in its name
(`desa-data-contoh.csv`).
"""
from __future__ import annotations

import csv
import html
import io
import json
import math
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from bulukumba import figures, disclosure
from bulukumba.language import fmt, texts
from bulukumba.public import summary as sm

LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0 International",
           "path": "https://creativecommons.org/licenses/by/4.0/"}
NOTE = ("Angka agregat dari himpunan terbit halaman Transparansi; tidak ada data perorangan. Jumlah 1 sampai 4 "
        "tidak diterbitkan (status \"<5\"); angka yang dapat membukanya kembali dikosongkan (status "
        "\"disamarkan\" atau \"ditahan\"). Sel kosong berarti angka tidak diterbitkan, bukan nol.")
DEMO_SUFFIX = "-data-contoh"


@dataclass(frozen=True)
class Field:
    name: str
    type: str          # Frictionless: string, integer, number, date, boolean
    description: str


#: In every row, so a file read on its own (the public page's download, a copy passed on) still
#: says what date its figures are for, where they come from and under what licence.
COMMON = [Field("tanggal_data", "date", "tanggal data registri yang diterbitkan (per)"),
          Field("data_contoh", "boolean", "true: data contoh, bukan data SIAK"),
          Field("sumber", "string", "sumber data dan penerbitnya"),
          Field("lisensi", "string", "lisensi data (CC-BY-4.0: boleh dipakai ulang dengan menyebut sumbernya)")]
STATUS = ("status angka: tampil (diterbitkan), <5 (1 sampai 4, tidak diterbitkan), disamarkan (dapat membuka "
          "angka kecil), ditahan (seluruh tabel terlalu kecil untuk dilindungi), kosong (belum ada data)")
RESOURCES: dict[str, tuple[str, list[Field]]] = {
    "desa": ("Cakupan perekaman e-KTP per desa/kelurahan", [
        Field("kode", "string", "kode desa/kelurahan (Kepmendagri)"),
        Field("nama", "string", "nama desa/kelurahan"),
        Field("jenis", "string", "desa atau kelurahan"),
        Field("kecamatan_kode", "string", "kode kecamatan"),
        Field("kecamatan_nama", "string", "nama kecamatan"),
        Field("wajib_ktp", "integer", "penduduk wajib KTP"),
        Field("sudah_rekam", "integer", "wajib KTP yang sudah merekam e-KTP (kosong bila tidak diterbitkan)"),
        Field("belum_rekam", "integer", "wajib KTP yang belum merekam e-KTP (kosong bila tidak diterbitkan)"),
        Field("cakupan_persen", "number", "sudah rekam / wajib KTP, persen, satu desimal (kosong bila tidak diterbitkan)"),
        Field("cakupan_paling_sedikit_persen", "number",
              "untuk status <5: cakupan paling sedikit yang diterbitkan (pita \"≥\"), persen"),
        Field("status", "string", STATUS)]),
    "kecamatan": ("Cakupan perekaman e-KTP per kecamatan", [
        Field("kode", "string", "kode kecamatan"),
        Field("nama", "string", "nama kecamatan"),
        Field("desa", "integer", "jumlah desa/kelurahan"),
        Field("wajib_ktp", "integer", "penduduk wajib KTP"),
        Field("sudah_rekam", "integer", "sudah merekam e-KTP (kosong bila tidak diterbitkan)"),
        Field("belum_rekam", "integer", "belum merekam e-KTP (kosong bila tidak diterbitkan)"),
        Field("cakupan_persen", "number", "sudah rekam / wajib KTP, persen, satu desimal"),
        Field("status", "string", STATUS)]),
    "mitra": ("Layanan mitra selama GERTAK 2018", [
        Field("kode", "string", "kode mitra"),
        Field("nama", "string", "nama mitra"),
        Field("jumlah_layanan", "integer", "layanan yang dicatat mitra (kosong bila <5 atau ditahan)"),
        Field("jumlah_layanan_status", "string", "tampil, <5 atau ditahan"),
        Field("desa", "integer", "desa/kelurahan yang dilayani"),
        Field("warga_rentan_dilayani", "integer", "penyandang disabilitas dan lanjut usia yang dilayani "
                                                   "(kosong bila tidak diterbitkan)"),
        Field("warga_rentan_status", "string", STATUS)]),
    "gertak": ("Kemajuan GERTAK 2018 (perekaman e-KTP)", [
        Field("tanggal", "date", "tanggal data registri yang diterbitkan"),
        Field("capaian", "integer", "perekaman sejak awal GERTAK 2018, dari angka terbit"),
        Field("target_jalur", "integer", "capaian yang seharusnya pada tanggal ini bila target dicapai merata"),
        Field("target", "integer", "target GERTAK 2018"),
        Field("mulai", "date", "awal GERTAK 2018"),
        Field("selesai", "date", "tenggat GERTAK 2018")]),
}


def file_names(kab_kode: str, demo: bool) -> dict[str, str]:
    """Each resource's path under /data/ without extension: {'desa': '73.02/desa', …}."""
    suffix = DEMO_SUFFIX if demo else ""
    return {name: f"{kab_kode}/{name}{suffix}" for name in RESOURCES}


def _num(value, digits: int | None = None):
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if digits is None:
        return int(value)
    return round(float(value) * 100, digits)


def rows(view, name: str, day, demo: bool) -> list[dict]:
    """The resource's rows, from the published view only."""
    common = {"tanggal_data": day.isoformat() if day else None, "data_contoh": demo,
              "sumber": f"{texts.SOURCE_DATA} Penerbit: {texts.OFFICE}.", "lisensi": LICENCE["name"]}
    out = []
    if name == "desa":
        for r in view.desa.to_dict("records"):
            small = r["status"] == disclosure.SMALL
            out.append({"kode": r["kode"], "nama": r["nama"], "jenis": r["jenis"], "kecamatan_kode": r["kecamatan_kode"],
                        "kecamatan_nama": r["kecamatan_nama"], "wajib_ktp": _num(r["wajib_ktp"]),
                        "sudah_rekam": _num(r["sudah_rekam"]), "belum_rekam": _num(r["belum_rekam"]),
                        "cakupan_persen": _num(r["cakupan"], 1) if r["status"] == disclosure.SHOWN else None,
                        "cakupan_paling_sedikit_persen": _num(r["cakupan_terbit"], 1) if small else None,
                        "status": r["status"], **common})
    elif name == "kecamatan":
        for r in view.kecamatan.to_dict("records"):
            out.append({"kode": r["kode"], "nama": r["nama"], "desa": _num(r["desa"]), "wajib_ktp": _num(r["wajib_ktp"]),
                        "sudah_rekam": _num(r["sudah_rekam"]), "belum_rekam": _num(r["belum_rekam"]),
                        "cakupan_persen": _num(r["cakupan"], 1) if r["status"] == disclosure.SHOWN else None,
                        "status": r["status"], **common})
    elif name == "mitra":
        for r in view.mitra.to_dict("records"):
            shown = r["teks_rentan"] not in (disclosure.SMALL, disclosure.MASKED, disclosure.WITHHELD)
            services = r["teks_jumlah"]
            out.append({"kode": r["kode"], "nama": r["nama"], "jumlah_layanan": _num(r["jumlah"]),
                        "jumlah_layanan_status": services if services in (disclosure.SMALL, disclosure.WITHHELD)
                        else disclosure.SHOWN, "desa": _num(r["desa"]),
                        "warga_rentan_dilayani": _num(r["rentan"]),
                        "warga_rentan_status": disclosure.SHOWN if shown else r["teks_rentan"], **common})
    elif name == "gertak":
        status, progress = view.gertak, view.gertak_progres
        if status is not None and progress is not None:
            for r in progress.to_dict("records"):
                out.append({"tanggal": pd.Timestamp(r["tanggal"]).date().isoformat(), "capaian": _num(r["capaian"]),
                            "target_jalur": _num(r["target_jalur"]), "target": _num(status.target),
                            "mulai": status.mulai.isoformat(), "selesai": status.selesai.isoformat(), **common})
    return out


def resource_csv(view, name: str, day, demo: bool) -> bytes:
    """One resource as its open data CSV: what /data/ serves, and the public page's own download."""
    return to_csv(rows(view, name, day, demo), _fields(name))


def _fields(name: str) -> list[Field]:
    return RESOURCES[name][1] + COMMON


def to_csv(records: list[dict], fields: list[Field]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.name for f in fields])
    for r in records:
        writer.writerow(["" if r.get(f.name) is None else
                         ("true" if r[f.name] is True else "false" if r[f.name] is False else r[f.name])
                         for f in fields])
    return out.getvalue().encode("utf-8")


@dataclass(frozen=True)
class Regency:
    kode: str
    param: str | None        # ?kab= of the view (None: the store holds one regency)
    wilayah: str
    tanggal: object
    contoh: bool


def _regencies(engine: sa.Engine) -> list[Regency]:
    names = sm.regencies(engine)
    demo = figures.freshness(engine).contoh
    several = len(names) > 1
    return [Regency(kode, kode if several else None, figures.region_label(None, kode if several else None, engine),
                    figures.latest_date(engine, kabupaten=kode if several else None), demo) for kode in names]


def _title(r: Regency, name: str) -> str:
    return f"{RESOURCES[name][0]}, {r.wilayah}" + (f" ({texts.DEMO_LABEL})" if r.contoh else "")


def datapackage(r: Regency, version: int) -> dict:
    names = file_names(r.kode, r.contoh)
    description = NOTE + (f" {texts.DEMO_LABEL}: {texts.DEMO_NOTE}" if r.contoh else "")
    return {
        "name": f"perekaman-ektp-{r.kode.replace('.', '-')}" + ("-data-contoh" if r.contoh else ""),
        "title": f"Perekaman e-KTP {r.wilayah}" + (f" ({texts.DEMO_LABEL})" if r.contoh else ""),
        "description": description, "version": str(version), "licenses": [LICENCE],
        "sources": [{"title": texts.SOURCE_DATA}], "keywords": ["e-KTP", "Disdukcapil", r.wilayah],
        "tanggal_data": r.tanggal.isoformat() if r.tanggal else None, "data_contoh": r.contoh,
        "resources": [{
            "name": name, "title": _title(r, name), "path": names[name].split("/", 1)[1] + ".csv",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8", "licenses": [LICENCE],
            "sources": [{"title": texts.SOURCE_DATA}],
            "schema": {"fields": [{"name": f.name, "type": f.type, "description": f.description}
                                  for f in _fields(name)],
                       "missingValues": [""]}} for name in RESOURCES]}


def serve(engine: sa.Engine, name: str, version: int, prefix: str) -> tuple[bytes, str, tuple] | None:
    """(body, content type, extra headers) of the open data file `name` (relative to /data/), or
    None when there is no such file. "" is the index page."""
    if figures.latest_date(engine) is None:
        return (_index([], prefix).encode(), "text/html; charset=utf-8", ((b"content-language", b"id"),)) \
            if name == "" else None
    regencies = _regencies(engine)
    if name in ("", "index.html"):
        return _index(regencies, prefix, engine).encode(), "text/html; charset=utf-8", ((b"content-language", b"id"),)
    folder, _, file = name.partition("/")
    regency = next((r for r in regencies if r.kode == folder), None)
    if regency is None:
        return None
    described = ((b"link", f'<{prefix}{regency.kode}/datapackage.json>; rel="describedby"'.encode()),)
    if file == "datapackage.json":
        return (json.dumps(datapackage(regency, version), ensure_ascii=False, indent=1).encode(),
                "application/json", ())
    for resource, path in file_names(regency.kode, regency.contoh).items():
        stem = path.split("/", 1)[1]
        if file in (stem + ".csv", stem + ".json"):
            view = disclosure.public_view(engine=engine, kabupaten=regency.param)
            records = rows(view, resource, regency.tanggal, regency.contoh)
            disposition = (b"content-disposition", f'inline; filename="{regency.kode}-{file}"'.encode())
            if file.endswith(".csv"):
                return to_csv(records, _fields(resource)), "text/csv; charset=utf-8", (*described, disposition)
            document = {
                "judul": _title(regency, resource), "wilayah": regency.wilayah, "kode_kabupaten": regency.kode,
                "tanggal_data": regency.tanggal.isoformat() if regency.tanggal else None,
                "data_contoh": regency.contoh, "sumber": texts.SOURCE_DATA, "penerbit": texts.OFFICE,
                "lisensi": LICENCE, "catatan": NOTE + (f" {texts.DEMO_NOTE}" if regency.contoh else ""),
                "kamus_data": [{"nama": f.name, "jenis": f.type, "arti": f.description} for f in _fields(resource)],
                "baris": records}
            return (json.dumps(document, ensure_ascii=False, indent=1).encode(), "application/json; charset=utf-8",
                    (*described, disposition))
    return None


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _index(regencies: list[Regency], prefix: str, engine=None) -> str:
    parts = []
    for r in regencies:
        names = file_names(r.kode, r.contoh)
        demo = f" <b class='contoh'>{_e(texts.DEMO_LABEL)}</b>" if r.contoh else ""
        items = "".join(
            f"<li>{_e(RESOURCES[n][0])}: <a href='{_e(prefix + p)}.csv'>CSV</a> · <a href='{_e(prefix + p)}.json'>JSON</a></li>"
            for n, p in names.items())
        dictionary = "".join(
            f"<details><summary>Kamus data: {_e(n)}</summary><table><thead><tr><th>kolom</th><th>jenis</th>"
            f"<th>arti</th></tr></thead><tbody>"
            + "".join(f"<tr><td><code>{_e(f.name)}</code></td><td>{_e(f.type)}</td><td>{_e(f.description)}</td></tr>"
                      for f in _fields(n)) + "</tbody></table></details>" for n in RESOURCES)
        parts.append(f"<section><h2>{_e(r.wilayah)}{demo}</h2><p>Data per {_e(fmt.date(r.tanggal))}. "
                     f"Paket data: <a href='{_e(prefix + r.kode)}/datapackage.json'>datapackage.json</a> "
                     f"(Frictionless Data).</p><ul>{items}</ul>{dictionary}</section>")
    body = "".join(parts) or f"<p>{_e(texts.BELUM_ADA_DATA)}</p>"
    demo_note = (f"<p class='catatan'><b class='contoh'>{_e(texts.DEMO_LABEL)}</b> {_e(texts.DEMO_NOTE)}</p>"
                 if any(r.contoh for r in regencies) else "")
    return (
        "<!doctype html><html lang='id'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Data terbuka · {_e(texts.APP_TITLE)}</title>"
        f"<meta name='description' content='Angka perekaman e-KTP yang diterbitkan, sebagai CSV dan JSON, lisensi CC BY 4.0.'>"
        "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#111;"
        "line-height:1.5}a{color:#0b4f9c}.contoh{background:#ffd54f;padding:0 .3em}table{border-collapse:collapse}"
        "td,th{border:1px solid #bbb;padding:.2rem .4rem;text-align:left;vertical-align:top;font-size:.9rem}</style>"
        f"</head><body><h1>Data terbuka perekaman e-KTP</h1>"
        f"<p>{_e(NOTE)}</p>{demo_note}"
        f"<p>{_e(texts.SOURCE_DATA)} Penerbit: {_e(texts.OFFICE)}. Lisensi: "
        f"<a href='{LICENCE['path']}' rel='license'>Creative Commons Atribusi 4.0 (CC BY 4.0)</a>: boleh dipakai "
        "dan disebarkan dengan menyebut sumbernya.</p>"
        f"{body}<p><a href='{_e(prefix.rsplit('/data/', 1)[0] + '/')}'>Kembali ke halaman Transparansi</a></p>"
        "</body></html>")
