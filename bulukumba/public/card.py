"""The share card: the picture a link preview shows (PNG, 1200×630, well under 100 KB).

Drawn with Pillow from a summary.Summary (the published set): the view's name, its headline
coverage, the other figures, the GERTAK verdict's badge, the data date, the office, and
"DATA CONTOH" on demo data. The font is DejaVu Sans, bundled in bulukumba/assets/fonts (its
licence beside it): no font from the internet. Flat colours and a small palette keep the file
small (about 30-40 KB).
"""
from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bulukumba.presentation import contact
from bulukumba.language import fmt, texts
from bulukumba.public.summary import VILLAGE, Summary

WIDTH, HEIGHT = 1200, 630
FONTS = Path(__file__).resolve().parent.parent / "assets" / "fonts"
ICON = Path(__file__).resolve().parent.parent / "assets" / "icon.png"
BLUE, INK, GREY, LIGHT, YELLOW = (31, 95, 168), (17, 17, 17), (68, 68, 68), (243, 246, 251), (255, 213, 79)
MARGIN = 56


@lru_cache(maxsize=32)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def _fit(draw: ImageDraw.ImageDraw, text: str, width: int, size: int, bold: bool = False, smallest: int = 18):
    """The largest font up to `size` in which `text` fits `width` (else the text shortened)."""
    while size > smallest and draw.textlength(text, font=font(size, bold)) > width:
        size -= 2
    f = font(size, bold)
    while draw.textlength(text, font=f) > width and len(text) > 4:
        text = text[:-2] + "…"
    return text, f


def draw(s: Summary, office: contact.Office | None = None) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    d = ImageDraw.Draw(image)
    inner = WIDTH - 2 * MARGIN

    # The office's band
    d.rectangle((0, 0, WIDTH, 96), fill=BLUE)
    try:
        icon = Image.open(ICON).convert("RGBA").resize((56, 56))
        image.paste(icon, (MARGIN, 20), icon)
        left = MARGIN + 72
    except OSError:
        left = MARGIN
    name = texts.OFFICE
    badge_w = 0
    if s.contoh:
        label = f" {texts.DEMO_LABEL} "
        badge_w = int(d.textlength(label, font=font(30, True))) + 16
        d.rectangle((WIDTH - MARGIN - badge_w, 24, WIDTH - MARGIN, 72), fill=YELLOW)
        d.text((WIDTH - MARGIN - badge_w + 8, 30), label, font=font(30, True), fill=INK)
    text, f = _fit(d, name, WIDTH - left - MARGIN - badge_w - 16, 28, True)
    d.text((left, 32), text, font=f, fill="white")

    # The view's name and where it is
    y = 124
    if s.kind == VILLAGE:
        head, _, kec = s.nama.partition(", ")
        sub = f"{kec} · {s.wilayah}"
    else:
        head, sub = s.wilayah, "Perekaman e-KTP"
    text, f = _fit(d, head, inner, 56, True)
    d.text((MARGIN, y), text, font=f, fill=INK)
    y += 70
    text, f = _fit(d, sub, inner, 30)
    d.text((MARGIN, y), text, font=f, fill=GREY)

    # The headline: coverage
    y += 62
    headline = s.cakupan if s.cakupan not in ("", fmt.KOSONG) else "belum ada data"
    text, f = _fit(d, headline, 560, 112, True)
    d.text((MARGIN, y), text, font=f, fill=BLUE)
    d.text((MARGIN + d.textlength(text, font=f) + 24, y + 62), "sudah rekam e-KTP", font=font(32), fill=INK)

    # The other figures
    y += 150
    if s.kind == VILLAGE:
        figures = [(x.label, x.text) for x in s.desa_angka[1:]]
    else:
        figures = [(x.label, x.text) for x in s.angka[:3]]
    column = inner // max(len(figures), 1)
    for i, (label, value) in enumerate(figures):
        x = MARGIN + i * column
        text, f = _fit(d, label, column - 24, 26)
        d.text((x, y), text, font=f, fill=GREY)
        text, f = _fit(d, value, column - 24, 46, True)
        d.text((x, y + 34), text, font=f, fill=INK)

    # The verdict and the date
    y = HEIGHT - 96
    d.rectangle((0, y, WIDTH, HEIGHT), fill=LIGHT)
    line = f"Data per {fmt.date(s.tanggal)}"
    if s.lencana:
        line = f"GERTAK 2018 {s.wilayah}: {s.lencana} · " + line
    text, f = _fit(d, line, inner, 30, True)
    d.text((MARGIN, y + 28), text, font=f, fill=INK)

    out = io.BytesIO()
    image.quantize(colors=48, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, format="PNG", optimize=True)
    return out.getvalue()
