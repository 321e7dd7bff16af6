"""Streamlit's page shell (its index.html) rewritten for one address: what a link preview, a
search engine and a browser without JavaScript read.

- `lang="id"`, a `<title>` and meta description naming the view with its published figures and
  data date, Open Graph and Twitter card tags (the share card as an absolute `og:image`), the
  canonical address, and the office's icon;
- the first screen as plain semantic HTML (`FIRST_SCREEN_ID`): the title, the four figures, the
  GERTAK verdict sentence, the data date and source, how to get recorded, and for `?desa=` the
  village card, with links to the village table and the open data. It covers the page (fixed,
  scrollable, opaque) while Streamlit's bundle loads and the page runs underneath; `SWAP_SCRIPT`
  removes it once the live page has drawn the same figures. Removing a fixed layer moves
  nothing else, so the swap neither blanks nor shifts the page. Without JavaScript it stays.

An internal address (any page but "/", a copied internal link, a signed-in user's "/") gets
the neutral shell: Indonesian, the dashboard's name, no figure and no name of a place.
Everything here is escaped text from summary.Summary; nothing reads the store.
"""
from __future__ import annotations

import html
import re

from bulukumba.presentation import citizen, contact
from bulukumba.language import fmt, texts
from bulukumba.public.summary import VILLAGE, Summary

FIRST_SCREEN_ID = "layar-pertama"
#: Removes the first screen once the live page shows what it showed (its CSP hash is added to
#: the page's policy, server/headers.py). After 20 s with the live page drawn but not those
#: figures (a page that shows something else), it steps aside anyway.
SWAP_SCRIPT = (
    "(function(){var f=document.getElementById('" + FIRST_SCREEN_ID + "');if(!f)return;"
    "var q=f.getAttribute('data-ganti'),n=+f.getAttribute('data-jumlah')||1,t=Date.now(),o,i;"
    "function drawn(){var m=document.querySelectorAll(q),k=0;for(var j=0;j<m.length;j++)"
    "if(m[j].textContent.trim())k++;return k>=n}"
    "function check(){if(drawn()||(Date.now()-t>20000&&document.querySelector("
    "'#root [data-testid=stMainBlockContainer] [data-testid=stElementContainer]'))){"
    "f.remove();o.disconnect();clearInterval(i)}}"
    "o=new MutationObserver(check);o.observe(document.getElementById('root')||document.body,"
    "{childList:true,subtree:true,characterData:true});i=setInterval(check,500)})();")
#: How an open public tab learns of new data: every few seconds (while visible) it asks `/versi`
#: (a cached number, no page run) and reloads (within one interval, spread so that a thousand tabs do not
#: come back at once) when the version differs from the one its shell was built for; the reload shows the new first screen at once. The public page runs no
#: server-side refresh tick (dashboard.py), so an open public tab costs the server nothing
#: between these look-ups.
POLL_SCRIPT = (
    "(function(){var m=document.querySelector('meta[name=versi-data]');if(!m)return;"
    "var v=m.getAttribute('content'),u=m.getAttribute('data-alamat'),s=(+m.getAttribute('data-detik')||5)*1000,b=0;"
    "function look(){if(document.hidden||b)return;b=1;fetch(u,{cache:'no-store'}).then(function(r){return r.json()})"
    ".then(function(j){if(String(j.versi_data)!==v)setTimeout(function(){location.reload()},Math.random()*s);"
    "else b=0}).catch(function(){b=0})}"
    "setInterval(look,s);document.addEventListener('visibilitychange',look)})();")
#: What the live page draws for the same figures (inside #root, not the first screen's own).
LIVE_FIGURES = "#root .st-key-angka-kunci [data-testid=stMetricValue]"
LIVE_PROJECTOR = "#root .st-key-proyektor-isi"

#: While the first screen is there, the live page draws hidden beneath it (its own shifts as it
#: fills in count for nobody); the style goes with the first screen. Transparent as well as
#: hidden: some of Streamlit's elements set `visibility: visible` on themselves, which undoes a
#: parent's `hidden`, and their shifts under the first screen counted as the page's.
CSS = """
#root{visibility:hidden;opacity:0}
#layar-pertama{position:fixed;inset:0;overflow-y:auto;background:#fff;color:#111;z-index:1000100;
 font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;line-height:1.5}
#layar-pertama main{max-width:46rem;margin:0 auto;padding:3.6rem 1rem 2rem}
#layar-pertama h1{font-size:1.55rem;line-height:1.25;margin:0 0 .3rem}
#layar-pertama h2{font-size:1.3rem;margin:1.2rem 0 .4rem}
#layar-pertama .tanggal{font-size:.9rem;color:#444;margin:0 0 .8rem}
#layar-pertama dl.empat{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:.5rem .8rem;margin:0 0 .8rem}
#layar-pertama dl.empat div{margin:0}#layar-pertama dl.empat dt{font-size:.9rem;color:#333}
#layar-pertama dl.empat dd{margin:0;font-size:1.7rem;font-weight:700;font-variant-numeric:tabular-nums}
#layar-pertama dl.empat dd small{display:block;font-size:.8rem;font-weight:400;color:#333}
#layar-pertama .vonis{border-left:4px solid #1f5fa8;padding:.3rem .7rem;background:#f3f6fb;margin:.2rem 0 .8rem}
#layar-pertama .contoh{background:#ffd54f;font-weight:700;padding:0 .3em}
#layar-pertama .sumber{font-size:.85rem;color:#444}
#layar-pertama a{color:#0b4f9c}
@media (min-width:641px){#layar-pertama dl.empat{grid-template-columns:repeat(4,minmax(0,1fr))}}
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def version_tag(version: int, url: str, seconds: float) -> str:
    """The data version the shell was built for, where to ask for the current one, how often."""
    return (f'<meta name="versi-data" content="{int(version)}" data-alamat="{_e(url)}" '
            f'data-detik="{max(float(seconds), 1):g}" />')


def head_tags(s: Summary | None, *, page_url: str, image_url: str | None, icon_url: str) -> str:
    """<title>, description, canonical, Open Graph and Twitter tags, icon (None: neutral)."""
    if s is None:
        title, description = texts.APP_TITLE, f"{texts.APP_TITLE}: {texts.OFFICE}."
    else:
        title, description = s.title, s.description
    tags = [f"<title>{_e(title)}</title>",
            f'<meta name="description" content="{_e(description)}" />',
            f'<link rel="icon" type="image/png" href="{_e(icon_url)}" />',
            f'<link rel="apple-touch-icon" href="{_e(icon_url)}" />']
    if s is None:
        return "\n    ".join(tags + ['<meta name="robots" content="noindex" />'])
    og = {"og:type": "website", "og:site_name": texts.APP_TITLE, "og:locale": "id_ID", "og:title": title,
          "og:description": description, "og:url": page_url}
    if image_url:
        og |= {"og:image": image_url, "og:image:type": "image/png", "og:image:width": "1200",
               "og:image:height": "630", "og:image:alt": title}
    tags.append(f'<link rel="canonical" href="{_e(page_url)}" />')
    tags += [f'<meta property="{k}" content="{_e(v)}" />' for k, v in og.items()]
    twitter = {"twitter:card": "summary_large_image" if image_url else "summary", "twitter:title": title,
               "twitter:description": description}
    if image_url:
        twitter |= {"twitter:image": image_url, "twitter:image:alt": title}
    tags += [f'<meta name="{k}" content="{_e(v)}" />' for k, v in twitter.items()]
    return "\n    ".join(tags)


def first_screen(s: Summary, villages, office: contact.Office, *, table_url: str, data_url: str) -> str:
    """The first screen as plain HTML (see the module's note). `villages`: the published village
    frame (PublicView.desa), for the village card."""
    demo = f" · <span class='contoh'>{_e(texts.DEMO_LABEL)}</span>" if s.contoh else ""
    figures = "".join(f"<div><dt>{_e(f.label)}</dt><dd>{_e(f.text)}"
                      + (f"<small>{_e(f.note)}</small>" if f.note else "") + "</dd></div>" for f in s.angka)
    parts = [f"<h1>{_e(texts.public_title(s.wilayah))}</h1>",
             f"<p class='tanggal'>Data per {_e(fmt.date(s.tanggal))}{demo}</p>",
             f"<dl class='empat' aria-label='Angka utama {_e(s.wilayah)}'>{figures}</dl>"]
    if s.vonis:
        parts.append(f"<p class='vonis'><b>GERTAK 2018: {_e(s.lencana)}.</b> {_e(s.vonis)}</p>")
    if s.contoh:
        parts.append(f"<p><span class='contoh'>{_e(texts.DEMO_LABEL)}</span> {_e(texts.DEMO_NOTE)}</p>")
    parts.append(f"<p class='sumber'>{_e(texts.PRIVASI_SINGKAT)} {_e(texts.SOURCE_DATA)}</p>")
    if s.kind == VILLAGE and villages is not None:
        parts.append("<h2>Desa/kelurahan Anda</h2>")
        parts.append(citizen.village_card_html(villages, s.desa, office, s.tanggal, s.contoh, level=3))
    parts.append("<h2>Cara merekam e-KTP</h2>")
    parts.append(citizen.how_to_html(office))
    parts.append(f"<h2>Angka lengkap</h2><ul><li><a href='{_e(table_url)}'>Tabel per desa/kelurahan (CSV)</a></li>"
                 f"<li><a href='{_e(data_url)}'>Data terbuka: desa, kecamatan, mitra, GERTAK 2018 (CSV, JSON)</a>"
                 "</li></ul>")
    if s.kind == VILLAGE:
        selector, count = f"#root .kartu[data-desa='{s.desa}']", 1
    elif s.kind == "proyektor":
        selector, count = LIVE_PROJECTOR, 1
    else:
        selector, count = LIVE_FIGURES, 4
    return (f"<div id='{FIRST_SCREEN_ID}' data-ganti=\"{_e(selector)}\" data-jumlah='{count}'>"
            f"<style>{CSS}</style><main>{''.join(parts)}</main></div>")


NOSCRIPT = ("<noscript><p style='position:relative;z-index:1000200;margin:0;padding:.4rem 1rem;background:#fff4c2'>"
            "Halaman interaktif memerlukan JavaScript; angka utama dan cara merekam e-KTP ada di bawah.</p>"
            "</noscript>")


def rewrite(index_html: str, head: str, body_first: str = "", poll: bool = False) -> str:
    """Streamlit's index.html with `lang="id"`, `head` in place of its title and icon, its
    English note for browsers without JavaScript replaced, and `body_first` (the first screen)
    before the app's root, followed by the swap script when there is one; `poll`: the script
    that asks for new data (the head then holds `version_tag`)."""
    page = re.sub(r"<!--.*?-->\s*", "", index_html, count=1, flags=re.S)  # its licence comment
    page = page.replace('<html lang="en">', '<html lang="id">', 1)
    page = re.sub(r'<link rel="shortcut icon"[^>]*>\s*', "", page, count=1)
    page = re.sub(r"<title>.*?</title>", lambda _m: head, page, count=1, flags=re.S)
    page = re.sub(r"<noscript>.*?</noscript>", lambda _m: NOSCRIPT if body_first else "", page, count=1, flags=re.S)
    scripts = (f"\n    <script>{SWAP_SCRIPT}</script>" if body_first else "") + \
        (f"\n    <script>{POLL_SCRIPT}</script>" if poll else "")
    if body_first:
        # Streamlit's style sheet after the first screen: in the head it holds back the first
        # paint until it has arrived (on a slow phone, a round trip and 30 KB more).
        sheets = re.findall(r'\s*<link rel="stylesheet"[^>]*>', page)
        for sheet in sheets:
            page = page.replace(sheet, "", 1)
        body_first += "".join(sheets)
    if body_first or poll:
        page = page.replace('<div id="root"></div>', f'{body_first}\n    <div id="root"></div>{scripts}', 1)
    return page
