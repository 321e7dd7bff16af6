"""The shared filters: drawn in the sidebar, kept in the session and mirrored in the URL; and the
guard that stops a page when the store has no figures yet."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from bulukumba import figures
from bulukumba.language import fmt, texts
from bulukumba.web.browser import date_enter_applies
from bulukumba.web.resources import engine, readiness


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
    def whole_of_many_regencies(self) -> bool:
        """The view is the whole of a store of several regencies (none chosen): pages that work
        village by village (the map, the per-village downloads) ask for a regency first."""
        return self.kabupaten is None and len(figures.regencies(engine())) > 1

    @property
    def wilayah(self) -> str:
        """'Kecamatan Kajang', 'Kabupaten Bulukumba': names from the store."""
        return figures.region_label(self.kecamatan, self.kabupaten, engine=engine())

    @property
    def wilayah_kabupaten(self) -> str:
        """The view's regency (or the whole store), whatever kecamatan is chosen: what a
        regency's own targets are named by (GERTAK per service, the 2017 partnership)."""
        return figures.region_label(None, self.kabupaten, engine=engine())


def _regency_names() -> dict[str, str]:
    """kode -> name of the store's regencies, by code."""
    regencies = figures.regencies(engine())
    return dict(zip(regencies["kode"], regencies["nama"]))


def kecamatan_names(kabupaten: str | None = None) -> dict[str, str]:
    """kode -> name, from the store (which has them from the boundary data)."""
    return figures.kecamatan_names(engine(), kabupaten)


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
    latest = figures.latest_date(engine()) or dt.date.today()
    first = figures.recorded_trend(engine=engine())["tanggal"].min()
    first = first.date() if pd.notna(first) else latest
    regency_names = _regency_names()
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
                      format="DD/MM/YYYY", help=f"Data tersedia {fmt.date(first)} – {fmt.date(latest)}")
        date_enter_applies("tanggal-enter")  # a typed date and Enter: applied at once
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
    require_data(public=True)


def public_regency(choose: bool = True) -> str | None:
    """The regency the public page and the projector publish: None for a store of one regency
    (the whole store is that regency); else the link's `?kab=`, or the first regency. The set
    is published per regency (disclosure.published). `choose` draws the choice on the page
    and keeps it in the link; the projector takes it from the link only (its slides fill the
    screen)."""
    names = _regency_names()
    if len(names) <= 1:
        return None
    wanted = st.query_params.get("kab")
    chosen = wanted if wanted in names else next(iter(names))
    if choose:
        if st.session_state.get("publik-kab") not in names:
            st.session_state["publik-kab"] = chosen
        chosen = st.selectbox("Kabupaten/kota", list(names), key="publik-kab", format_func=names.get)
        if wanted != chosen:
            st.query_params["kab"] = chosen
    return chosen


def require_data(public: bool = False) -> None:
    """A store with no figures yet (no boundaries to seed the demo, nothing imported) says so,
    instead of drawing empty charts: to staff with how to fix it, on a public page (anyone, the
    projector) in plain words that nothing is published yet (texts.AUDIENS)."""
    if figures.latest_date(engine()) is not None:
        return
    st.title(texts.APP_TITLE)
    if public:
        st.info(texts.BELUM_TERBIT_SEMUA, icon=":material/info:")
        st.stop()
    reason = readiness().pesan_wilayah
    st.info(texts.BELUM_ADA_DATA + " " + (
        f"Data contoh tidak dapat dibuat karena batas wilayah tidak terbaca: {reason}" if reason else
        "Impor data registri (halaman Kelola data, atau `python -m bulukumba impor BERKAS`)."),
        icon=":material/info:")
    st.stop()
