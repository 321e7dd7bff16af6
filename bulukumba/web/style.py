"""The page's look: the icon, readable captions and a focus ring on every page, the public page's
layout on a phone, and the projector's large black-on-white type."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

ICON = str(Path(__file__).parent.parent / "assets" / "icon.png")


# ---------------------------------------------------------------------------------------------
# Every page, and the public page on a phone
# ---------------------------------------------------------------------------------------------

#: On every page. Captions (data date, source, privacy note) in a grey that reads at 8.9:1
#: instead of Streamlit's faded text (#828180 through opacity 0.6: 3.9:1); a focus ring that shows where the keyboard is; and
#: no tab stop on the invisible "Link to heading" anchors Streamlit adds to headings; section
#: headings are h2 after the page's h1 (headings in order), sized like Streamlit's subheaders.
ACCESSIBLE_CSS = """
[data-testid="stCaptionContainer"] { opacity: 1 !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * { color: #4a4a4a !important; }
[data-testid="stHeaderActionElements"] { display: none !important; }
a:focus-visible, button:focus-visible, summary:focus-visible, [role="button"]:focus-visible,
[tabindex]:not([tabindex="-1"]):focus-visible {
  outline: 3px solid #1f5fa8 !important; outline-offset: 2px !important; }
[data-testid="stSidebarNavLink"]:focus-visible { outline-offset: -3px !important; background: #e3ecf7 !important; }
svg a:focus { outline: none !important; }
svg a:focus-visible path { stroke: #000 !important; stroke-width: 4px !important; }
[data-testid="stMainBlockContainer"] h2 { font-size: 1.6rem; padding-top: .6rem; }
/* The sidebar's Enter handler for the date (web.browser.date_enter_applies) draws nothing: no gap
   for it, so the filters below it stay on the first screen. */
.st-key-tanggal-enter { display: none !important; }
"""

#: Streamlit puts its navigation sections inside the <ul> as <div>s, which is not a list to a
#: screen reader (axe "list"/"listitem"). This gives each section the role of a list named after
#: its heading, once the sidebar is drawn and whenever it is drawn again. The content security
#: policy allows it by its hash (web.INLINE_SCRIPTS, given to the server): any change here
#: changes the hash with it.
NAV_LISTS_SCRIPT = """<script>
(() => {
  if (window.__bulukumbaNavLists) return;
  window.__bulukumbaNavLists = true;
  const fix = () => document.querySelectorAll('ul[data-testid="stSidebarNavItems"]').forEach((ul) => {
    const sections = [...ul.children].filter((child) => child.tagName === 'DIV');
    if (!sections.length) return;
    if (ul.getAttribute('role') !== 'none') ul.setAttribute('role', 'none');
    sections.forEach((section) => {
      if (section.getAttribute('role') !== 'list') section.setAttribute('role', 'list');
      const heading = section.querySelector(':scope > header');
      if (heading) {
        heading.setAttribute('aria-hidden', 'true');
        section.setAttribute('aria-label', heading.innerText.trim());
      }
    });
  });
  new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
  fix();
})();
</script>"""


#: Every inline script the app writes into its pages (the server's content security policy
#: allows exactly these).
INLINE_SCRIPTS = (NAV_LISTS_SCRIPT,)


def page_style(projector: bool = False) -> None:
    """The accessible basics for every page (the frame calls this once per run)."""
    st.html(f"<style>{ACCESSIBLE_CSS}</style>")
    if not projector:
        with st.sidebar:
            st.html(NAV_LISTS_SCRIPT, unsafe_allow_javascript=True)


#: The public page: on a phone the title in two lines, the four figures as a 2×2 grid, less
#: space above them, so the figures and the verdict fit the first screen; h2 section headings
#: sized like Streamlit's subheaders (headings in order: h1, then h2).
PUBLIC_CSS = """
/* Tap targets of at least 44x44 px on a phone: the map's colour switch (a table row's toggle: htmltables) */
.st-key-publik-ukuran [role="radiogroup"] label { min-height: 44px; min-width: 44px; align-items: center;
  padding-right: .9rem; box-sizing: border-box; }
[data-testid="stMainBlockContainer"] h2 { font-size: 1.6rem; padding-top: .6rem; }
.st-key-angka-kunci { display: grid !important; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 1rem; }
.st-key-angka-kunci > div { width: auto !important; min-width: 0; }
.catatan-contoh { background: #fff4c2; border-left: 4px solid #8a6d00; padding: .35rem .6rem; margin: 0;
  font-size: .9rem; color: #1a1a1a; border-radius: .25rem; }
.catatan-contoh b { background: #ffd54f; padding: 0 .25em; }
a.lewati { position: absolute; left: -10000px; }
a.lewati:focus { position: static; display: inline-block; padding: .2rem .5rem; background: #fff; }
@media (max-width: 640px) {
  [data-testid="stMainBlockContainer"] { padding-top: 3.6rem !important; padding-left: .9rem !important;
    padding-right: .9rem !important; }
  [data-testid="stMainBlockContainer"] h1 { font-size: 1.55rem !important; line-height: 1.25 !important;
    padding: 0 0 .2rem !important; }
  [data-testid="stMainBlockContainer"] h2 { font-size: 1.3rem; }
  .st-key-angka-kunci { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: .5rem .8rem; }
  .st-key-angka-kunci [data-testid="stMetricValue"] { font-size: 1.7rem !important; }
  .st-key-angka-kunci [data-testid="stMetric"] { padding: 0 !important; }
  .st-key-angka-kunci [data-testid="stMetricDelta"], .st-key-angka-kunci [data-testid="stMetricDelta"] p {
    white-space: normal !important; height: auto !important; }
}
"""


def public_style() -> None:
    st.html(f"<style>{PUBLIC_CSS}</style>")


# ---------------------------------------------------------------------------------------------
# Projector mode
# ---------------------------------------------------------------------------------------------

#: Large type (the page scales with the screen: 1.5% of its width, at least 20 px: 28.8 px body
#: text on 1920×1080, 20 px on 1024×768), black on white, no sidebar or toolbar.
PROJECTOR_CSS = """
html { font-size: clamp(20px, 1.5vw, 48px) !important; }
body, .stApp, .stMarkdown, p, li, td, th, label, button { color: #000 !important; }
.stApp { background: #fff !important; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
.block-container, [data-testid="stMainBlockContainer"] { max-width: 100% !important;
  padding: .8rem 2.5rem .6rem !important; }
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: .6rem; }
[data-testid="stMainBlockContainer"] h2 { font-size: 1.7rem !important; padding: 0 !important; margin: 0 !important; }
[data-testid="stMetricValue"] { font-size: 2.6rem !important; font-weight: 700; }
[data-testid="stMetricLabel"] p { font-size: 1.1rem !important; }
[data-testid="stMetricDelta"] { font-size: .9rem !important; }
.st-key-proyektor-angka { display: grid !important; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 1rem; }
.st-key-proyektor-angka > div { width: auto !important; min-width: 0; }
/* A long delta ("belum ada data pembanding") wraps instead of ending in "…" (1024x768). */
.st-key-proyektor-angka [data-testid="stMetricDelta"], .st-key-proyektor-angka [data-testid="stMetricDelta"] * {
  white-space: normal !important; height: auto !important; text-overflow: clip !important; overflow: visible !important; }
.proyektor-meta { font-size: 0.8rem; text-align: right; color: #000; }
.proyektor-meta .contoh { background: #ffd54f; padding: 0 .3em; }
.proyektor-meta .tombol { font-size: .6rem; }
.proyektor-daftar { font-size: 1rem; padding-left: 1.4rem; }
.proyektor-daftar li { margin: .2rem 0; }
[data-testid="stMainBlockContainer"] button p { font-size: .8rem !important; }
table.besar, .tabel table { border-collapse: collapse; width: 100%; font-size: 1rem !important; }
table.besar th, table.besar td, .tabel th, .tabel td { border-bottom: 2px solid #000 !important;
  padding: .25em .5em !important; text-align: left; }
table.besar td.angka, table.besar th.angka, .tabel td.angka, .tabel th.angka { text-align: right; }
@media (max-width: 640px) {  /* a phone that opens the meeting link: no sideways scroll */
  .block-container, [data-testid="stMainBlockContainer"] { padding: .8rem .9rem !important; }
  .st-key-proyektor-angka { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  [data-testid="stMetricValue"] { font-size: 1.6rem !important; }
  [data-testid="stMetricDelta"], [data-testid="stMetricDelta"] p { font-size: .7rem !important;
    white-space: normal !important; height: auto !important; }
}
"""
