"""The verdict strip drawn as plain HTML with its own small style sheet (no Plotly, no table):
what bulukumba/figures/verdict.py judged, in the same words on Ringkasan, GERTAK, the public page
and the projector."""
from __future__ import annotations

import html

from bulukumba.figures.verdict import Verdict
from bulukumba.language import fmt, texts


CSS = """
.vonis { border: 1px solid #c8c8c8; border-left: 6px solid #666; border-radius: .5rem;
  padding: .6rem .9rem; margin: .2rem 0 .8rem; background: #fff; color: #1a1a1a; }
.vonis.baik { border-left-color: #1b7f3b; } .vonis.buruk { border-left-color: #b3261e; }
.vonis-kepala { display: flex; flex-wrap: wrap; align-items: center; gap: .3rem .7rem;
  margin-bottom: .45rem; }
.vonis-judul { font-weight: 700; font-size: 1.05em; }
.vonis-lencana { display: inline-block; padding: .1em .6em; border-radius: 1em; font-weight: 700;
  white-space: nowrap; }
.vonis-lencana.baik { background: #d7f0dd; color: #0d4f22; }
.vonis-lencana.buruk { background: #fbdcd9; color: #7a1510; }
.vonis-lencana.netral { background: #e8e8e8; color: #222; }
.vonis-contoh { background: #ffd54f; color: #000; padding: 0 .35em; font-weight: 700; font-size: .85em; }
.vonis-isi { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(8.5rem, 100%), 1fr));
  gap: .45rem 1rem; margin: 0 !important; padding: 0 !important; }
.vonis-isi > div { min-width: 0; margin: 0; padding: 0; }
.vonis-isi dt { font-size: .8em; color: #444; margin: 0; }
.vonis-isi dd { margin: 0; font-size: 1.25em; font-weight: 600; font-variant-numeric: tabular-nums;
  overflow-wrap: anywhere; }
.vonis-isi dd small { display: block; font-size: .62em; font-weight: 400; color: #444; }
.vonis-catatan { margin: .45rem 0 0; font-size: .85em; color: #333; }
.vonis.besar { font-size: 1.1rem; border-width: 2px; border-left-width: 10px; }
"""


def _item(label: str, value: str, note: str | None = None, name: str = "") -> str:
    small = f"<small>{html.escape(note)}</small>" if note else ""
    attr = f" data-vonis='{name}'" if name else ""
    return (f"<div{attr}><dt>{html.escape(label)}</dt><dd>{html.escape(value)}{small}</dd></div>")


def verdict_items(v: Verdict) -> list[tuple[str, str, str | None, str]]:
    """(label, value, note, name) of each figure in the strip, in reading order."""
    items = []
    if v.target is not None:
        items.append(("Sisa", fmt.number(v.sisa), f"dari target {fmt.number(v.target)}", "sisa"))
        items.append(("Perlu per hari",
                      fmt.number(v.perlu_per_hari, 1) if v.perlu_per_hari is not None else fmt.KOSONG,
                      f"sampai {fmt.date_short(v.selesai)}", "perlu"))
        if v.laju is None:
            items.append(("Laju saat ini", fmt.KOSONG, texts.VONIS_TANPA_LAJU_SINGKAT, "laju"))
        else:
            items.append(("Laju saat ini", f"{fmt.number(v.laju, 1)} per hari",
                          f"{fmt.number(v.laju_hari)} hari terakhir", "laju"))
        items.append(("Proyeksi selesai",
                      fmt.date_short(v.proyeksi_selesai) if v.proyeksi_selesai else fmt.KOSONG,
                      None if v.proyeksi_selesai else texts.VONIS_TANPA_PROYEKSI[v.keadaan]
                      if v.keadaan in texts.VONIS_TANPA_PROYEKSI else None, "proyeksi"))
    if v.mitra is not None:
        items.append(("Mitra teratas", v.mitra.nama,
                      f"{fmt.number(v.mitra.jumlah)} perekaman e-KTP ({fmt.percent(v.mitra.porsi, 0)})", "mitra"))
    else:
        items.append(("Mitra teratas", fmt.KOSONG, texts.VONIS_TANPA_MITRA_SINGKAT, "mitra"))
    return items


def verdict_html(v: Verdict, size: str = "normal") -> str:
    """The strip as a self-contained HTML fragment (its style sheet included).

    `size="besar"` is the projector's: the same content, larger. Everything is escaped text;
    the strip's figures are also in `data-vonis` attributes so tests can read them back.
    """
    title = f"GERTAK 2018 · {v.wilayah}"
    demo = f"<span class='vonis-contoh'>{texts.DEMO_LABEL}</span>" if v.contoh else ""
    items = "".join(_item(*item) for item in verdict_items(v))
    note = texts.verdict_note(v)
    classes = f"vonis {v.tone}" + (" besar" if size == "besar" else "")
    return (f"<style>{CSS}</style><section class='{classes}' role='region' aria-label='Ringkasan GERTAK 2018'>"
            f"<div class='vonis-kepala'><span class='vonis-judul'>{html.escape(title)}</span>"
            f"<span class='vonis-lencana {v.tone}' data-vonis='lencana'>{html.escape(v.badge)}</span>{demo}</div>"
            f"<dl class='vonis-isi'>{items}</dl>"
            + (f"<p class='vonis-catatan'>{html.escape(note)}</p>" if note else "")
            + "</section>")
