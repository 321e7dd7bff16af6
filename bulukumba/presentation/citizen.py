"""What a resident looks up: their village's card, and how to get recorded (HTML, no Streamlit).

The card says, from the published set only (disclosure.PublicView.desa): how far the village
has come (its published coverage, which for a village with fewer than five unrecorded is the
band "≥ 99,6%"), how many are still unrecorded ("<5" and "disamarkan" as everywhere else), its
place in the kecamatan by published coverage, and where and how to get recorded (the office and
the pick-up services, from contact.py). The same card opens from the search box and from a tap
on the map. Every text is escaped; nothing needs a script or a hover.
"""
from __future__ import annotations

import html

import pandas as pd

from bulukumba.presentation import charts, contact
from bulukumba.language import fmt, texts

CSS = """
.kartu { border: 1px solid #b9b9b9; border-radius: .5rem; padding: .7rem .9rem; background: #fff;
  color: #111; max-width: 40rem; }
.kartu .judul { font-size: 1.2rem !important; font-weight: 700; margin: 0 0 .1rem !important;
  padding: 0 !important; line-height: 1.3 !important; }
.kartu .bagian { font-size: 1rem !important; font-weight: 700; margin: .6rem 0 .2rem !important;
  padding: 0 !important; line-height: 1.3 !important; }
.kartu .bagian:first-child { margin-top: 0 !important; }
.kartu .sub { margin: 0 0 .5rem; font-size: .9rem; color: #333; }
.kartu .contoh { background: #ffd54f; color: #000; font-weight: 700; padding: 0 .3em; }
.kartu dl.angka { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(9rem, 100%), 1fr));
  gap: .4rem 1rem; margin: 0 0 .4rem !important; padding: 0 !important; }
.kartu dl.angka div, .kartu dl.angka dd { margin: 0 !important; padding: 0 !important; }
.kartu dl.angka dt { font-size: .85rem; color: #333; margin: 0; }
.kartu dl.angka dd { font-size: 1.3rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.kartu dl.angka dd small { display: block; font-size: .8rem; font-weight: 400; color: #333; }
.kartu p, .kartu li { font-size: .95rem; margin: .15rem 0; }
.kartu ul, .kartu ol { margin: .1rem 0 .2rem 1.2rem !important; padding: 0 !important; }
.kartu details { margin-top: .4rem; }
.kartu summary { cursor: pointer; font-size: .95rem; }
.kartu a { color: #0b4f9c; text-decoration: underline; }
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def village_title(row) -> str:
    """'Desa Tanah Towa' / 'Kelurahan Caile'."""
    kind = str(row.get("jenis") or "desa").capitalize()
    return f"{kind} {row['nama']}"


def coverage_band(row, target: float = charts.NATIONAL_TARGET) -> tuple[str, str]:
    """(what the card shows as coverage, what that means against the national target).

    Uses the published coverage only: exact where shown, the band's floor for "<5", nothing
    where hidden."""
    shown = row["teks_cakupan"]
    status = row["status"]
    if status == "kosong":
        return fmt.KOSONG, "belum ada data registri untuk desa ini"
    floor = row["cakupan_terbit"]
    if pd.isna(floor):
        return shown, "angka desa ini disamarkan agar angka kecil di desa lain tidak dapat dihitung kembali"
    if floor >= target:
        return shown, f"sudah mencapai target nasional {fmt.percent(target, 0)}"
    gap = (target - floor) * 100
    return shown, f"{fmt.number(gap, 1)} poin di bawah target nasional {fmt.percent(target, 0)}"


def kecamatan_rank(villages: pd.DataFrame, row) -> tuple[str, str]:
    """(the village's place in its kecamatan, the note under it), by published coverage."""
    peers = villages.loc[villages["kecamatan_kode"] == row["kecamatan_kode"], "peringkat_kecamatan"]
    ranked = int(peers.notna().sum())
    rank = row["peringkat_kecamatan"]
    if pd.isna(rank):
        return fmt.KOSONG, f"tidak diperingkat (angkanya {'belum ada' if row['status'] == 'kosong' else 'disamarkan'})"
    ties = int((peers == rank).sum())
    note = "menurut cakupan; 1 = tertinggi"
    if ranked < len(peers):
        note += f"; {fmt.number(len(peers) - ranked)} desa/kelurahan tanpa angka terbit tidak dihitung"
    if ties > 1:
        note += f"; sama dengan {fmt.number(ties - 1)} desa/kelurahan lain"
    return f"ke-{fmt.number(int(rank))} dari {fmt.number(ranked)}", note


def _office_lines(office: contact.Office) -> list[str]:
    lines = [f"<b>{_e(office.nama)}</b>" + (f", {_e(office.alamat)}" if office.alamat else "")]
    if office.jam_buka:
        lines.append("Buka: " + "; ".join(_e(h) for h in office.jam_buka))
    reach = []
    if office.telepon:
        reach.append(f"Telepon <a href='{_e(office.telepon_uri)}'>{_e(office.telepon)}</a>")
    if office.whatsapp:
        reach.append(f"WhatsApp <a href='{_e(office.whatsapp_uri)}'>{_e(office.whatsapp)}</a>")
    if reach:
        lines.append(" · ".join(reach))
    else:  # never a blank where a resident looks for how to reach the office
        lines.append(_e(texts.KANTOR_TANYA))
    if office.biaya:
        lines.append(_e(office.biaya))
    return lines


def _service(s: contact.Service) -> str:
    return f"<b>{_e(s.judul)}</b>" + (f" ({_e(s.untuk)})" if s.untuk else "") + f": {_e(s.cara)}"


def _services(office: contact.Office) -> str:
    items = "".join(f"<li>{_service(s)}</li>" for s in office.layanan)
    return f"<ul>{items}</ul>" if items else ""


def _services_short(office: contact.Office) -> str:
    """The first service in full (the pick-up at home), the others by name: the card stays short."""
    if not office.layanan:
        return ""
    first, *others = office.layanan
    also = f"<p>Juga: {_e(', '.join(s.judul for s in others))}.</p>" if others else ""
    return f"<p>{_service(first)}</p>{also}"


def village_card_html(villages: pd.DataFrame, kode: str, office: contact.Office, day=None,
                      demo: bool = False, level: int = 3) -> str:
    """The card of village `kode` from a published village frame (PublicView.desa); its title
    is a heading of `level` (3 under the page's h2 sections, 2 in a dialog), its parts one below."""
    found = villages[villages["kode"] == kode]
    if found.empty:
        return ""
    row = found.iloc[0]
    band, band_note = coverage_band(row)
    rank, rank_note = kecamatan_rank(villages, row)
    wajib = row["wajib_ktp"]
    unrecorded_note = f"dari {fmt.number(wajib)} wajib KTP" if pd.notna(wajib) else "belum ada data"
    if row["teks_belum_rekam"] in texts.LABEL_ARTI:
        unrecorded_note += "; " + texts.LABEL_ARTI[row["teks_belum_rekam"]]
    when = f" · data per {fmt.date(day)}" if day else ""
    badge = f" <span class='contoh'>{_e(texts.DEMO_LABEL)}</span>" if demo else ""
    figures = "".join(
        f"<div><dt>{_e(label)}</dt><dd>{_e(value)}<small>{_e(note)}</small></dd></div>"
        for label, value, note in (
            ("Cakupan perekaman", band, band_note),
            ("Belum rekam", row["teks_belum_rekam"], unrecorded_note),
            (f"Peringkat di Kec. {row['kecamatan_nama']}", rank, rank_note)))
    office_html = "".join(f"<p>{line}</p>" for line in _office_lines(office))
    return (
        f"<style>{CSS}</style><section class='kartu' data-desa='{_e(kode)}' "
        f"aria-label='Kartu {_e(village_title(row))}'>"
        f"<h{level} class='judul'>{_e(village_title(row))}</h{level}>"
        f"<p class='sub'>Kecamatan {_e(row['kecamatan_nama'])}{_e(when)}{badge}</p>"
        f"<dl class='angka'>{figures}</dl>"
        f"<h{level + 1} class='bagian'>Belum rekam? Datang ke kantor</h{level + 1}>{office_html}"
        + (f"<h{level + 1} class='bagian'>Tidak bisa datang? Layanan jemput</h{level + 1}>{_services_short(office)}"
           if office.layanan else "")
        + "</section>")


def how_to_html(office: contact.Office, level: int = 3) -> str:
    """The "Cara merekam e-KTP" box: the office, its hours and numbers, the pick-up services,
    and (folded) who must record and what happens there; its parts are headings of `level`."""
    office_html = "".join(f"<p>{line}</p>" for line in _office_lines(office))
    steps = "".join(f"<li>{_e(step)}</li>" for step in texts.LANGKAH_REKAM)
    return (
        f"<style>{CSS}</style><section class='kartu cara' aria-label='Cara merekam e-KTP'>"
        f"<h{level} class='bagian'>Datang ke kantor</h{level}>{office_html}"
        + (f"<h{level} class='bagian'>Tidak bisa datang? Layanan jemput</h{level}>{_services(office)}"
           if office.layanan else "")
        + f"<details><summary>Siapa yang wajib merekam dan apa yang terjadi di sana</summary>"
          f"<ol>{steps}</ol></details></section>")
