"""Small inline browser components (Streamlit v2: no iframe, no request) that report to Python
what the browser knows: a village tapped on the map, a presenter's key, the column's size."""
from __future__ import annotations

import re

import streamlit as st


#: A tap, click or Enter on a village of the public map (an <a data-desa> in the SVG) reports the
#: village's code to Python instead of loading the page again, so the session (and the search)
#: stays. Without scripts the link itself still opens `?desa=KODE`, which shows the same card.
_VILLAGE_CLICKS_JS = """
export default function(component) {
  const { setTriggerValue } = component;
  const onClick = (event) => {
    const link = event.target && event.target.closest ? event.target.closest('a[data-desa]') : null;
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    setTriggerValue('desa', link.getAttribute('data-desa'));
  };
  document.addEventListener('click', onClick, true);
  return () => document.removeEventListener('click', onClick, true);
}
"""
_village_clicks = st.components.v2.component("bulukumba_klik_desa", js=_VILLAGE_CLICKS_JS, isolate_styles=False)


def village_clicks(key: str) -> str | None:
    """The code of the village just tapped on the map (this run only), or None."""
    result = _village_clicks(key=key, on_desa_change=lambda: None, height=0)
    return getattr(result, "desa", None)


#: A presenter's keys and clicker: →, PageDown and Space next; ←, PageUp previous; P pause;
#: F full screen (done here: the browser allows it only from a key press or click). Keys typed
#: into a field are left alone.
_PROJECTOR_KEYS_JS = """
export default function(component) {
  const { setTriggerValue } = component;
  const actions = { ArrowRight: 'maju', PageDown: 'maju', ' ': 'maju', ArrowLeft: 'mundur', PageUp: 'mundur',
                    p: 'jeda', P: 'jeda' };
  const onKey = (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.repeat) return;
    const target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (event.key === 'f' || event.key === 'F') {
      event.preventDefault();
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen().catch(() => {});
      return;
    }
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();  // Space on a focused button means "next" here, not "press it"
    setTriggerValue('tombol', action);
  };
  // A focused button would take the Space's key-up as a press: keep it for "next".
  const onKeyUp = (event) => {
    const target = event.target;
    if (event.key === ' ' && !(target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) event.preventDefault();
  };
  document.addEventListener('keydown', onKey, true);
  document.addEventListener('keyup', onKeyUp, true);
  // Says the keys work from now on (the slide shows before this component has mounted).
  document.documentElement.dataset.tombolProyektor = 'siap';
  return () => {
    document.removeEventListener('keydown', onKey, true); document.removeEventListener('keyup', onKeyUp, true);
    delete document.documentElement.dataset.tombolProyektor;
  };
}
"""
_projector_keys = st.components.v2.component("bulukumba_tombol_proyektor", js=_PROJECTOR_KEYS_JS,
                                             isolate_styles=False)


def projector_key(key: str) -> str | None:
    """'maju', 'mundur' or 'jeda' when the presenter just pressed a key (this run only), or None."""
    result = _projector_keys(key=key, on_tombol_change=lambda: None, height=0)
    return getattr(result, "tombol", None)


#: Reports the width of the column it sits in and the room below it on the first screen (the
#: window's height less the column's top in the page, whatever the scroll), when they change (a
#: Streamlit v2 component: inline JavaScript, no iframe, no request). The server only knows
#: the column's size this way: the map's zoom is computed for its width (mapview.fit), and its
#: height for the room, so the whole map is on the first screen whatever stands above it (a
#: title on two lines, the demo banner). It also keeps the last size in a cookie of this browser
#: (two numbers, nothing about a person), so the next session's first run draws the map at the
#: size it will have: without it, a reload drew the map at a guessed width and then again at the
#: reported one, and the map jumped.
_MEASURE_JS = """
export default function(component) {
  const { setStateValue, parentElement, data } = component;
  let last = null, timer = null;
  const report = () => {
    delete parentElement.dataset.ukuranTertunda;
    const box = parentElement.getBoundingClientRect();
    // Rounded down: a figure wider than its column (841 px in 840.8) is drawn again at the column's width.
    const width = Math.floor(box.width);
    let scrolled = window.scrollY || 0;
    for (let e = parentElement.parentElement; e; e = e.parentElement) scrolled += e.scrollTop || 0;
    const room = Math.round(window.innerHeight - (box.top + scrolled));
    if (!width) return;
    if (last && Math.abs(last.lebar - width) < 4 && Math.abs(last.ruang - room) < 8) return;
    last = { lebar: width, ruang: room };
    if (data && data.cookie) {
      document.cookie = `${data.cookie}=${width}x${Math.max(room, 100)}; path=/; max-age=31536000; SameSite=Lax`;
    }
    setStateValue('ukuran', last);
  };
  // A size about to be reported is marked on the column (data-ukuran-tertunda): until then the
  // page is about to run again, whatever it shows (the browser tests wait for the mark to go).
  const later = () => { clearTimeout(timer); parentElement.dataset.ukuranTertunda = '1'; timer = setTimeout(report, 150); };
  const observer = new ResizeObserver(later);
  observer.observe(parentElement);
  // What stands above the column can change its height (a caption wraps, a banner goes): the
  // page's block container then changes size too.
  const page = parentElement.closest('[data-testid="stMainBlockContainer"]');
  if (page) observer.observe(page);
  window.addEventListener('resize', later);
  report();
  return () => {
    observer.disconnect(); window.removeEventListener('resize', later); clearTimeout(timer);
    delete parentElement.dataset.ukuranTertunda;
  };
}
"""
_measure = st.components.v2.component("bulukumba_ukuran_kolom", js=_MEASURE_JS, isolate_styles=False)


#: The cookie that keeps a measured column's last size, per measuring key.
SIZE_COOKIE = "bulukumba_ukuran_"
_SIZE = re.compile(r"(\d{2,5})x(\d{2,5})")


def container_size(key: str) -> tuple[int | None, int | None]:
    """(width of the current column, room below its top on the first screen) in px, as the
    browser last reported them; on a session's first run, as it reported them in its last
    session (a cookie); (None, None) when it never has (a browser's first visit, and in AppTest)."""
    cookie = SIZE_COOKIE + key
    result = _measure(key=key, data={"cookie": cookie}, default={"ukuran": None},
                      on_ukuran_change=lambda: None, height=0)
    size = getattr(result, "ukuran", None) or {}
    if size.get("lebar"):
        return size.get("lebar"), max(size.get("ruang") or 0, 100)
    return remembered_size(st.context.cookies.get(cookie))


def remembered_size(raw: str | None) -> tuple[int | None, int | None]:
    """'795x700' from the size cookie as (795, 700); (None, None) for anything else."""
    match = _SIZE.fullmatch(raw or "")
    if not match:
        return None, None
    width, height = int(match.group(1)), int(match.group(2))
    return (width, height) if 100 <= width <= 10_000 and 100 <= height <= 10_000 else (None, None)


#: Enter in a date field applies the typed date at once. Streamlit 1.67's date input applies a
#: typed date only when focus moves to another element outside the field and its calendar (Enter
#: does nothing; a plain blur() neither, while the calendar it opens on focus is open). On Enter
#: this moves the focus for a moment to an invisible element of its own, which applies the date
#: and closes the calendar, then puts it on the field's calendar button, so a keyboard user goes
#: on from the same field (focusing the date's parts again would reopen the calendar).
_DATE_ENTER_JS = """
export default function(component) {
  const onKey = (event) => {
    if (event.key !== 'Enter' || event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target;
    const field = target && target.closest ? target.closest('[data-testid="stDateInputField"]') : null;
    if (!field || target.tagName === 'BUTTON') return;
    event.preventDefault();
    const away = document.createElement('span');
    away.tabIndex = -1;
    away.setAttribute('aria-hidden', 'true');
    away.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;opacity:0;overflow:hidden';
    document.body.appendChild(away);
    away.focus({ preventScroll: true });
    setTimeout(() => {
      const back = field.isConnected ? field.querySelector('button') : null;
      if (back) back.focus({ preventScroll: true });
      away.remove();
    }, 0);
  };
  document.addEventListener('keydown', onKey, true);
  return () => document.removeEventListener('keydown', onKey, true);
}
"""
_date_enter = st.components.v2.component("bulukumba_tanggal_enter", js=_DATE_ENTER_JS, isolate_styles=False)


def date_enter_applies(key: str) -> None:
    """Mount the Enter handler for date fields (see _DATE_ENTER_JS); draws nothing."""
    _date_enter(key=key, height=0)
