"""Streamlit glue: the one module of the package that imports streamlit.

Holds what every page shares: the ready store (cached for the process), the shared filters
(kept in the session and mirrored in the URL), the header with the data date and demo label,
map layers served as static files, tables in Indonesian number format, and download buttons.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from . import config, data, export, fmt, startup, texts

STATIC_DIR = config.PROJECT_ROOT / "static"
ICON = str(Path(__file__).parent / "assets" / "icon.png")


# ---------------------------------------------------------------------------------------------
# Store and regions, once per process
# ---------------------------------------------------------------------------------------------

def readiness() -> startup.Readiness:
    """The store for the configured URL, prepared once per process (per URL, so tests can
    point the app at a store of their own)."""
    return _readiness(config.database_url())


@st.cache_resource(show_spinner="Menyiapkan data …")
def _readiness(url: str) -> startup.Readiness:
    from . import store

    return startup.prepare(store.engine_for(url))


def engine():
    return readiness().engine


@st.cache_resource(show_spinner=False)
def _regions():
    from .regions import WilayahError, load_regions

    try:
        return load_regions()
    except WilayahError:
        return None


# ---------------------------------------------------------------------------------------------
# Shared filters
# ---------------------------------------------------------------------------------------------

ALL = "semua"


@dataclass(frozen=True)
class Filters:
    per: dt.date               # the as-of date the pages show
    kecamatan: str | None      # kode, or None for the whole regency
    layanan: str | None        # service code, or None for every service
    data_per: dt.date          # newest snapshot in the store
    kabupaten: str | None = None  # kode when the store holds several regencies and one is chosen

    @property
    def kecamatan_nama(self) -> str | None:
        return kecamatan_names().get(self.kecamatan) if self.kecamatan else None

    @property
    def wilayah(self) -> str:
        """'Kecamatan Kajang', 'Kabupaten Bulukumba': names from the store."""
        return data.region_label(self.kecamatan, self.kabupaten, engine=engine())


def kecamatan_names(kabupaten: str | None = None) -> dict[str, str]:
    """kode -> name, from the store (which has them from the boundary data)."""
    return data.kecamatan_names(engine(), kabupaten)


def _parse_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


#: Pages whose panels act on the service filter; elsewhere "Layanan mitra" is not drawn.
SERVICE_PAGES = ("mitra", "unduh")


def sidebar_filters(layanan: bool = True) -> Filters:
    """Draw the shared filters in the sidebar; state lives in the session and in the URL.

    A copied link opens the same view: `?per=2018-05-31&kec=73.02.06&layanan=akta_kematian`.
    `layanan=False` leaves out the service filter (pages where no panel acts on it); the choice
    is kept for the pages that use it.
    """
    latest = data.latest_date(engine()) or dt.date.today()
    first = data.recorded_trend(engine=engine())["tanggal"].min()
    first = first.date() if pd.notna(first) else latest
    regencies = data.regencies(engine())
    regency_names = dict(zip(regencies["kode"], regencies["nama"]))
    params = st.query_params
    if "f_per" not in st.session_state:  # first run of this session: take the URL's view
        wanted = _parse_date(params.get("per"))
        st.session_state.f_per = min(max(wanted, first), latest) if wanted else latest
        st.session_state.f_kab = params.get("kab") if params.get("kab") in regency_names else ALL
        chosen = None if st.session_state.f_kab == ALL else st.session_state.f_kab
        st.session_state.f_kec = params.get("kec") if params.get("kec") in kecamatan_names(chosen) else ALL
        st.session_state["_layanan"] = params.get("layanan") if params.get("layanan") in texts.LAYANAN else ALL
    elif st.session_state.get("_data_per") not in (None, latest):
        # New data moved the newest date: a viewer who was on the newest date follows it.
        if st.session_state.f_per == st.session_state["_data_per"] or st.session_state.f_per > latest:
            st.session_state.f_per = latest
    st.session_state["_data_per"] = latest
    st.session_state.setdefault("f_kab", ALL)
    with st.sidebar:
        st.date_input("Keadaan per tanggal", key="f_per", min_value=first, max_value=latest,
                      format="DD/MM/YYYY", help=f"Data tersedia {fmt.tanggal(first)} – {fmt.tanggal(latest)}")
        if len(regency_names) > 1:  # a store of one regency needs no regency filter
            st.selectbox("Kabupaten/kota", [ALL, *regency_names], key="f_kab",
                         format_func=lambda k: "Semua kabupaten/kota" if k == ALL else regency_names[k])
        elif st.session_state.f_kab != ALL:
            st.session_state.f_kab = ALL
        regency = None if st.session_state.f_kab == ALL else st.session_state.f_kab
        # Kecamatan of the chosen regency; with several regencies and none chosen, pick one first
        # (a national store has thousands of kecamatan).
        names = kecamatan_names(regency) if regency or len(regency_names) <= 1 else {}
        if st.session_state.get("f_kec", ALL) not in (ALL, *names):
            st.session_state.f_kec = ALL
        st.selectbox("Kecamatan", [ALL, *names], key="f_kec", disabled=not names,
                     format_func=lambda k: "Semua kecamatan" if k == ALL else names[k])
        if layanan:
            # A page that does not draw the widget resets its value; the choice lives in
            # "_layanan" (written by the widget's callback) and is handed back to the widget here.
            st.session_state.f_layanan = st.session_state.get("_layanan", ALL)
            st.selectbox("Layanan mitra", [ALL, *texts.LAYANAN], key="f_layanan", on_change=_keep_service,
                         format_func=lambda k: "Semua layanan" if k == ALL else texts.LAYANAN[k])
    service = st.session_state.get("_layanan", ALL)
    per = st.session_state.f_per or latest
    filters = Filters(per=per, kecamatan=None if st.session_state.f_kec == ALL else st.session_state.f_kec,
                      layanan=None if service == ALL else service, data_per=latest, kabupaten=regency)
    _mirror_in_url(filters)
    st.session_state["filters"] = filters
    return filters


def _keep_service() -> None:
    st.session_state["_layanan"] = st.session_state.f_layanan


def _mirror_in_url(filters: Filters) -> None:
    wanted = {"per": filters.per.isoformat() if filters.per != filters.data_per else None,
              "kab": filters.kabupaten, "kec": filters.kecamatan, "layanan": filters.layanan}
    for key, value in wanted.items():
        if value is None:
            if key in st.query_params:
                del st.query_params[key]
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def filters() -> Filters:
    """The filters the frame drew on this run (dashboard.py runs every page inside it)."""
    require_data()
    return st.session_state["filters"]


def public_page() -> None:
    """Call first on a page anyone may see (it needs the frame, not the filters)."""
    require_data()


def require_data() -> None:
    """A store with no figures yet (no boundaries to seed the demo, nothing imported) says so
    and says how to fix it, instead of drawing empty charts."""
    if data.latest_date(engine()) is not None:
        return
    st.title(texts.APP_TITLE)
    reason = readiness().pesan_wilayah
    st.info(texts.BELUM_ADA_DATA + " " + (
        f"Data contoh tidak dapat dibuat karena batas wilayah tidak terbaca: {reason}" if reason else
        "Impor data registri (halaman Kelola data, atau `python -m bulukumba impor BERKAS`)."),
        icon=":material/info:")
    st.stop()


# ---------------------------------------------------------------------------------------------
# Header, labels, tables, downloads
# ---------------------------------------------------------------------------------------------

def freshness_line() -> str:
    """'Data per 30 Juni 2018 · diperbarui 28 November 2026 08.57 WITA'."""
    fresh = data.freshness(engine())
    return f"Data per {fmt.tanggal(fresh.data_per)} · diperbarui {fmt.waktu(fresh.diperbarui)}"


def header(title: str, public: bool = False) -> None:
    """Page title, the data date and last update, and the demo label when demo data is shown."""
    st.title(title, anchor=False)  # no "Link to heading" tab stop
    if data.latest_date(engine()) is None:  # only Kelola data gets here: the page to import on
        st.caption(texts.BELUM_ADA_DATA)
        return
    line = freshness_line()
    if public:
        st.caption(f"{line} · {texts.SOURCE_DATA}")
    else:
        f = filters()
        if f.per != f.data_per:
            line += f" · menampilkan keadaan per **{fmt.tanggal(f.per)}**"
        st.caption(f"{line} · {f.wilayah}")
    if is_demo():
        demo_banner()


def show_svg(svg_text: str) -> None:
    """An SVG from svg.py, inline (st.html would strip it; st.markdown keeps it)."""
    st.markdown(svg_text, unsafe_allow_html=True)


def html_table(table: pd.DataFrame, phone_columns: list[str] | None = None, caption: str | None = None) -> None:
    """A light HTML table (no table widget to download), numbers in Indonesian format; on a
    phone `phone_columns` (default: the first three), the rest folded into each row (htmltables)."""
    from . import htmltables

    st.html(htmltables.responsive_table_html(table, phone_columns, caption))


def demo_banner() -> None:
    st.warning(f"**{texts.DEMO_LABEL}** — {texts.DEMO_NOTE}", icon=":material/science:")


def is_demo() -> bool:
    return data.freshness(engine()).contoh


#: At most this many rows go to the browser in one on-screen table; the downloads hold them all.
TABLE_ROWS = 200
#: Whole numbers with a dot between thousands, whatever the browser's language (sprintf-js in
#: Streamlit's grid: a pad character after ' is also the thousands separator).
WHOLE_NUMBER = "%'.,d"


def column_formats(table: pd.DataFrame) -> dict:
    """Column configs that format numbers in the grid itself (no pandas Styler, so any size
    works and nothing is formatted in Python): whole numbers Indonesian (325.880); numbers
    with decimals one decimal in the reader's own locale (92,1 in an Indonesian browser: the
    grid's printf cannot write a decimal comma); dates as 30/06/2018. Sorting uses the values."""
    config = {}
    for column in table.columns:
        series = table[column]
        if pd.api.types.is_bool_dtype(series):
            continue
        if pd.api.types.is_integer_dtype(series):
            config[column] = st.column_config.NumberColumn(column, format=WHOLE_NUMBER)
        elif pd.api.types.is_float_dtype(series):
            config[column] = st.column_config.NumberColumn(column, format="localized", step=0.1)
        elif pd.api.types.is_datetime64_any_dtype(series) or (
                series.dtype == object and series.map(lambda v: isinstance(v, dt.date)).any()):
            config[column] = st.column_config.DateColumn(column, format="DD/MM/YYYY")
    return config


def show_table(table: pd.DataFrame, *, key: str | None = None, height: int | None = None,
               column_config: dict | None = None, bar: str | None = None,
               bar_range: tuple[float, float] = (0, 100), rows: int | None = TABLE_ROWS, **kwargs):
    """A sortable table whose numbers read the Indonesian way (sorting uses the raw values).

    Shows the first `rows` rows (None: all) and says so when there are more: the page's
    download button has the full table. `bar` names a column to draw again as a bar beside it.
    Streamlit's progress column can only print its number with a decimal point, so the bar
    carries no text and the figure itself stays in its own, formatted column.
    """
    shown = table if rows is None or len(table) <= rows else table.head(rows)
    config = {**column_formats(shown), **(column_config or {})}
    if bar is not None:
        label = f"{bar} · batang {fmt.angka(bar_range[0])}–{fmt.angka(bar_range[1])}"
        shown = shown.assign(**{label: shown[bar]})
        config[label] = st.column_config.ProgressColumn(
            " ", min_value=bar_range[0], max_value=bar_range[1], format=" ", width="small",
            help=f"{bar}, batang dari {fmt.angka(bar_range[0])} sampai {fmt.angka(bar_range[1])}")
    element = st.dataframe(shown, hide_index=True, width="stretch", key=key, placeholder=fmt.KOSONG,
                           height=height or "auto", column_config=config, **kwargs)
    if len(shown) < len(table):
        st.caption(f"Menampilkan {fmt.angka(len(shown))} baris teratas dari {fmt.angka(len(table))}; "
                   f"semua baris ada di unduhan.")
    return element


def downloads(table: pd.DataFrame, stem: str, key: str, day: dt.date | None = None,
              notes: export.Notes | None = None, area: str | None = None) -> None:
    """CSV and XLSX buttons for a table, named with the data date (default: the filters' date)
    and the kecamatan `area` if one is chosen; `notes` fill the XLSX's "Keterangan" sheet."""
    demo = is_demo()
    day = day or filters().per
    left, right = st.columns(2)
    # The files are built only when a button is pressed, not on every rerun of the page.
    left.download_button("Unduh CSV", lambda: export.to_csv(table, demo), key=f"{key}-csv",
                         on_click="ignore",
                         file_name=export.file_name(stem, day, "csv", demo, area), mime="text/csv",
                         icon=":material/download:", width="stretch")
    right.download_button("Unduh XLSX", lambda: export.to_xlsx(table, stem, demo, notes), key=f"{key}-xlsx",
                          on_click="ignore",
                          file_name=export.file_name(stem, day, "xlsx", demo, area), width="stretch",
                          mime=XLSX_MIME, icon=":material/download:")


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------------------------------------
# Map layers: written once as static files, fetched once by the browser
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MapLayers:
    villages: str          # URL of the village layer (GeoJSON)
    outlines: str          # URL of the kecamatan borders (GeoJSON)
    lons: tuple[float, float]
    lats: tuple[float, float]


def _publish(name: str, layer: dict) -> str:
    """Write `layer` under static/ with its content hash in the name; return its URL.

    The hash makes the URL change when the layer does, so browsers may cache it for good.
    """
    text = json.dumps(layer, separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    path = STATIC_DIR / f"{name}-{digest}.json"
    if not path.exists():
        STATIC_DIR.mkdir(exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return f"app/static/{path.name}"


@st.cache_resource(show_spinner=False)
def map_layers(kecamatan: str | None, kabupaten: str | None = None) -> MapLayers | None:
    """Village layer (finer when zoomed into one kecamatan) and kecamatan borders, or None
    (no boundaries, or they are of another regency than the one asked for)."""
    regions = _regions()
    if regions is None or (kabupaten is not None and kabupaten != regions.kabupaten_kode):
        return None
    if kecamatan is not None and kecamatan not in set(regions.kecamatan["kode"]):
        return None
    from .regions import web_geojson

    villages = web_geojson(regions, "desa", kecamatan)
    outlines = web_geojson(regions, "kecamatan")
    bounds = (regions.villages if kecamatan is None else
              regions.villages[regions.villages["kecamatan_kode"] == kecamatan]).total_bounds
    return MapLayers(
        villages=_publish(f"desa-{kecamatan or 'semua'}", villages),
        outlines=_publish("kecamatan", outlines),
        lons=(float(bounds[0]), float(bounds[2])), lats=(float(bounds[1]), float(bounds[3])))


@st.cache_resource(show_spinner=False)
def map_layer_data() -> tuple[dict, dict] | None:
    """The village and kecamatan layers themselves (for the public page's SVG map), or None."""
    regions = _regions()
    if regions is None:
        return None
    from .regions import web_geojson

    return web_geojson(regions, "desa"), web_geojson(regions, "kecamatan")


def map_unavailable_reason() -> str | None:
    return readiness().pesan_wilayah


def source_credit() -> None:
    st.caption(texts.SOURCE_WILAYAH)


# ---------------------------------------------------------------------------------------------
# Who is signed in: decided from the browser's session cookie on every run
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SignIn:
    user: object | None        # the signed-in auth.User, or None for a visitor
    ended: str | None = None   # why a session cookie this browser sent no longer counts


_server = None


def server():
    """The serving layer's view of this app (accounts and secrets from Streamlit), one per process."""
    global _server
    if _server is None:
        from streamlit import config as st_config

        from .server import Server

        _server = Server(users=configured_users, secrets=secrets_dict,
                         base_url=st_config.get_option("server.baseUrlPath") or "")
    return _server


def sign_in_state(touch: bool = False) -> SignIn:
    """Who this browser is signed in as: its session cookie, checked against the store, now.

    The cookie is the one the browser sent when it opened this connection (a reload, a new tab
    and a reconnect send the current one). Session state plays no part, so a client that
    reconnects to someone else's Streamlit session without that person's cookie is a visitor.
    `touch` counts this run as activity for the idle lifetime.
    """
    from .server.sessions import COOKIE

    cookie = st.context.cookies.get(COOKIE)
    if not cookie:
        return SignIn(None)
    user, check = server().who(cookie, touch=touch)
    return SignIn(user, None if user is not None else check.ended)


def current_user():
    """The signed-in auth.User, or None for a visitor (from the cookie, on every call)."""
    return sign_in_state().user


def frame_sign_in() -> SignIn:
    """The frame's look at who is signed in, counted as activity and remembered for the
    refresh tick, which reruns the page when it changes (a sign-out in another tab)."""
    state = sign_in_state(touch=True)
    st.session_state["_masuk_sebagai"] = state.user.username if state.user else None
    return state


def _sign_in_changed() -> bool:
    if "_masuk_sebagai" not in st.session_state:
        return False
    user = sign_in_state().user
    return (user.username if user else None) != st.session_state["_masuk_sebagai"]


def secrets_dict() -> dict:
    """.streamlit/secrets.toml as a dict (empty when there is none)."""
    try:
        return st.secrets.to_dict() if len(st.secrets) else {}
    except Exception:  # no secrets.toml at all: a public-only app
        return {}


def configured_users() -> tuple[dict, str | None]:
    """Users from .streamlit/secrets.toml, and a message if the configuration is broken."""
    from . import auth

    try:
        return auth.users_from_secrets(secrets_dict()), None
    except auth.ConfigError as error:
        return {}, str(error)


def serve_frame_only() -> None:
    """Run once when the server starts, before any browser connects (the app's start hook).

    Streamlit treats a folder named `pages/` beside the main script as old-style pages until the
    first `st.navigation` call, so the first request after a start would run a page without the
    frame (and flash a list of raw script names). This sets, once, what that first
    `st.navigation` call would set: dashboard.py's navigation is the only page list.
    """
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False


def report_error(error: Exception) -> bool:
    """Show an unexpected error in Indonesian, with a reference to find it in the log; no
    traceback or internals reach the browser (the app's `on_script_error`)."""
    import logging
    import uuid

    reference = uuid.uuid4().hex[:8]
    logging.getLogger("bulukumba").error("kesalahan tak terduga [%s]", reference, exc_info=error)
    st.error(f"Maaf, halaman ini gagal disiapkan. Muat ulang halaman; bila masih gagal, sampaikan "
             f"kode **{reference}** kepada pengelola dasbor.", icon=":material/error:")
    return True


# ---------------------------------------------------------------------------------------------
# Live: new figures without a manual reload
# ---------------------------------------------------------------------------------------------

def remember_version() -> int:
    """Note the data version this full run shows: read once, and every data call of this run
    answers for it (data.pin_version), instead of each asking the database again."""
    version = data.data_version(engine())
    data.pin_version(version, engine())
    st.session_state["_versi"] = version
    return version


@st.fragment(run_every=config.refresh_seconds())
def watch_for_new_data() -> None:
    """Every few seconds, a cheap look at the data version and the session; a change reruns
    the whole page (so a sign-out in another tab closes this one's internal pages too).

    The look costs one small query (about 0.2 ms); nothing heavy is reloaded unless the
    version moved, and then only what depends on it (the data module keys on the version).
    """
    if data.data_version(engine()) != st.session_state.get("_versi") or _sign_in_changed():
        st.rerun(scope="app")  # new figures, or signed out (in this or another tab)


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


def big_table_html(table: pd.DataFrame, css_class: str = "besar") -> str:
    """A plain high-contrast HTML table for the projector, numbers in Indonesian format."""
    from . import htmltables

    return htmltables.table_html(table, css_class)


# ---------------------------------------------------------------------------------------------
# The verdict strip (verdict.py computes it and draws it as HTML; this shows it)
# ---------------------------------------------------------------------------------------------

def verdict_strip(v, size: str = "normal") -> None:
    """Show a verdict.Verdict as the strip at the top of a page (plain HTML, no chart bundle)."""
    from . import verdict

    st.html(verdict.verdict_html(v, size))


# ---------------------------------------------------------------------------------------------
# Issue 9: accessibility on every page, the public page on a phone, taps and keys
# ---------------------------------------------------------------------------------------------

#: On every page. Captions (data date, source, privacy note) in a grey that reads at 8.9:1
#: instead of Streamlit's faded text (#828180 through opacity 0.6: 3.9:1); a focus ring that shows where the keyboard is; and
#: no tab stop on the invisible "Link to heading" anchors Streamlit adds to headings.
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
"""

#: Streamlit puts its navigation sections inside the <ul> as <div>s, which is not a list to a
#: screen reader (axe "list"/"listitem"). This gives each section the role of a list named after
#: its heading, once the sidebar is drawn and whenever it is drawn again.
_NAV_LISTS_JS = """<script>
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


def page_style(projector: bool = False) -> None:
    """The accessible basics for every page (the frame calls this once per run)."""
    st.html(f"<style>{ACCESSIBLE_CSS}</style>")
    if not projector:
        with st.sidebar:
            st.html(_NAV_LISTS_JS, unsafe_allow_javascript=True)


#: The public page: on a phone the title in two lines, the four figures as a 2×2 grid, less
#: space above them, so the figures and the verdict fit the first screen; h2 section headings
#: sized like Streamlit's subheaders (headings in order: h1, then h2).
PUBLIC_CSS = """
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
  return () => { document.removeEventListener('keydown', onKey, true); document.removeEventListener('keyup', onKeyUp, true); };
}
"""
_projector_keys = st.components.v2.component("bulukumba_tombol_proyektor", js=_PROJECTOR_KEYS_JS,
                                             isolate_styles=False)


def projector_key(key: str) -> str | None:
    """'maju', 'mundur' or 'jeda' when the presenter just pressed a key (this run only), or None."""
    result = _projector_keys(key=key, on_tombol_change=lambda: None, height=0)
    return getattr(result, "tombol", None)


# ---------------------------------------------------------------------------------------------
# Issue 8: measured map size, map names, chart cards
# ---------------------------------------------------------------------------------------------

#: Reports the width of the column it sits in and the window's height, when they change (a
#: Streamlit v2 component: inline JavaScript, no iframe, no request). The server only knows
#: the column's width this way, and the map's zoom is computed for it (mapview.fit).
_MEASURE_JS = """
export default function(component) {
  const { setStateValue, parentElement } = component;
  let last = null, timer = null;
  const report = () => {
    const width = Math.round(parentElement.getBoundingClientRect().width);
    const height = Math.round(window.innerHeight);
    if (!width) return;
    if (last && Math.abs(last.lebar - width) < 4 && Math.abs(last.tinggi - height) < 24) return;
    last = { lebar: width, tinggi: height };
    setStateValue('ukuran', last);
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(report, 150); };
  const observer = new ResizeObserver(later);
  observer.observe(parentElement);
  window.addEventListener('resize', later);
  report();
  return () => { observer.disconnect(); window.removeEventListener('resize', later); clearTimeout(timer); };
}
"""
_measure = st.components.v2.component("bulukumba_ukuran_kolom", js=_MEASURE_JS, isolate_styles=False)


def container_size(key: str) -> tuple[int | None, int | None]:
    """(width of the current column, height of the window) in px, as the browser last reported
    them; (None, None) until it has (the first run of a session, and in AppTest)."""
    result = _measure(key=key, default={"ukuran": None}, on_ukuran_change=lambda: None, height=0)
    size = getattr(result, "ukuran", None) or {}
    return size.get("lebar"), size.get("tinggi")


@st.cache_resource(show_spinner=False)
def map_label_points(kecamatan: str | None):
    """Where the kecamatan (and, zoomed in, village) names go: derived once per process."""
    regions = _regions()
    if regions is None:
        return None
    from .mapview import label_points

    return label_points(regions.villages, regions.kecamatan, kecamatan)


def card(c, key: str, **chart_kwargs):
    """A cards.Card in its own bordered frame (see `card_frame` and `card_body`)."""
    with card_frame(key):
        return card_body(c, key, **chart_kwargs)


def card_frame(key: str):
    """The card's frame, for a page that must measure it before building the figure."""
    return st.container(border=True, key=f"kartu-{key}")


def card_body(c, key: str, **chart_kwargs):
    """A cards.Card: takeaway title, unit subtitle, the chart (or its sentence), the footer with
    source, data date and demo label. Returns the chart's event when `on_select` is given."""
    event = None
    st.markdown(f"**{c.title}**")
    st.caption(c.subtitle)
    if c.legend_html:
        st.html(c.legend_html)
    if c.figure is not None:
        chart_kwargs.setdefault("config", {"displayModeBar": False})
        event = st.plotly_chart(c.figure, key=key, **chart_kwargs)
    elif c.sentence:
        (st.info if c.kosong else st.markdown)(c.sentence)
    st.caption(c.footer)
    return event


@st.cache_resource(show_spinner=False)
def _memo_store() -> dict:
    import collections
    import threading

    return {"items": collections.OrderedDict(), "lock": threading.Lock()}


MEMO_SIZE = 256


def memo(key: tuple, build):
    """`build()` once per data version and `key` for the whole server (figures, cards, verdicts),
    so a rerun that changes nothing costs a look-up instead of rebuilding Plotly figures (tens of
    ms each). The result is shared: callers must not change it."""
    store = _memo_store()
    version = st.session_state.get("_versi")  # noted at the start of this run (remember_version)
    full = (data.data_version(engine()) if version is None else version, str(engine().url), *key)
    with store["lock"]:
        if full in store["items"]:
            store["items"].move_to_end(full)
            return store["items"][full]
    value = build()
    with store["lock"]:
        store["items"][full] = value
        while len(store["items"]) > MEMO_SIZE:
            store["items"].popitem(last=False)
    return value
