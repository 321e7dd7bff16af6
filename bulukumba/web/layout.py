"""What a page draws: the header with the data date and demo label, tables in Indonesian number
format, download buttons, the source credit, the verdict strip and chart cards."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from bulukumba import figures
from bulukumba.presentation import export
from bulukumba.presentation.verdict import verdict_html
from bulukumba.language import fmt, texts
from bulukumba.web.resources import engine
from bulukumba.web.sidebar import filters


# ---------------------------------------------------------------------------------------------
# Header, labels, tables, downloads
# ---------------------------------------------------------------------------------------------

def freshness_line(kabupaten: str | None = None) -> str:
    """'Data per 30 Juni 2018 · diperbarui 28 November 2026 08.57 WITA'. With a regency (the
    public page of a store of several), its own newest snapshot: another regency's newer file
    does not make its figures newer."""
    fresh = figures.freshness(engine())
    newest = fresh.data_per if kabupaten is None else figures.latest_date(engine(), kabupaten=kabupaten)
    return f"Data per {fmt.date(newest)} · diperbarui {fmt.timestamp(fresh.diperbarui)}"


def header(title: str, public: bool = False) -> None:
    """Page title, the data date and last update, and the demo label when demo data is shown."""
    st.title(title, anchor=False)  # no "Link to heading" tab stop
    if figures.latest_date(engine()) is None:  # only Kelola data gets here: the page to import on
        st.caption(texts.BELUM_ADA_DATA)
        return
    line = freshness_line()
    if public:
        st.caption(f"{line} · {texts.SOURCE_DATA}")
    else:
        f = filters()
        if f.per != f.data_per:
            line += f" · menampilkan keadaan per **{fmt.date(f.per)}**"
        st.caption(f"{line} · {f.wilayah}")
    if is_demo():
        demo_banner()


def show_svg(svg_text: str) -> None:
    """An SVG from svg.py, inline (st.html would strip it; st.markdown keeps it)."""
    st.markdown(svg_text, unsafe_allow_html=True)


def html_table(table: pd.DataFrame, phone_columns: list[str] | None = None, caption: str | None = None) -> None:
    """A light HTML table (no table widget to download), numbers in Indonesian format; on a
    phone `phone_columns` (default: the first three), the rest folded into each row (htmltables)."""
    from bulukumba.presentation import htmltables

    st.html(htmltables.responsive_table_html(table, phone_columns, caption))


def demo_banner() -> None:
    st.warning(f"**{texts.DEMO_LABEL}** — {texts.DEMO_NOTE}", icon=":material/science:")


def is_demo() -> bool:
    return figures.freshness(engine()).contoh


#: At most this many rows go to the browser in one on-screen table; the downloads hold them all.
TABLE_ROWS = 200
#: Whole numbers with a dot between thousands, whatever the browser's language (sprintf-js in
#: Streamlit's grid: a pad character after ' is also the thousands separator).
WHOLE_NUMBER = "%'.,d"


def column_formats(table: pd.DataFrame) -> dict:
    """Column configs that format numbers in the grid itself (no pandas Styler, so any size
    works and nothing is formatted in Python): whole numbers Indonesian (325.880); numbers
    with decimals one decimal in the reader's own locale (92,1 in an Indonesian browser: the
    grid's printf cannot write a decimal comma); dates as the cards write them, '30 Jun 2018'
    (see `_dates_in_words`). Sorting uses the values."""
    config = {}
    for column in table.columns:
        kind = fmt.column_kind(table[column])
        if kind == "bilangan":
            config[column] = st.column_config.NumberColumn(column, format=WHOLE_NUMBER)
        elif kind == "desimal":
            config[column] = st.column_config.NumberColumn(column, format="localized", step=0.1)
        elif kind == "tanggal":  # written by `show_table` in the office's words (fmt.date_short)
            config[column] = st.column_config.DateColumn(column)
    return config


def _dates_in_words(table: pd.DataFrame):
    """`table` with its date columns shown as '4 Feb 2019' (fmt.date_short), the short form of
    the cards' '4 Februari 2019', in Indonesian month names (the grid's own date format is
    moment.js's, with English months: 'Aug', 'Oct', 'Dec', 'May'). The grid shows a pandas
    Styler's text but keeps the dates themselves, so a click on the header still sorts by date.
    A table without dates goes as it is."""
    dates = [c for c in table.columns if fmt.column_kind(table[c]) == "tanggal"]
    if not dates:
        return table
    return table.style.format(na_rep=fmt.KOSONG).format(fmt.date_short, subset=dates, na_rep=fmt.KOSONG)


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
        label = f"{bar} · batang {fmt.number(bar_range[0])}–{fmt.number(bar_range[1])}"
        shown = shown.assign(**{label: shown[bar]})
        config[label] = st.column_config.ProgressColumn(
            " ", min_value=bar_range[0], max_value=bar_range[1], format=" ", width="small",
            help=f"{bar}, batang dari {fmt.number(bar_range[0])} sampai {fmt.number(bar_range[1])}")
    element = st.dataframe(_dates_in_words(shown), hide_index=True, width="stretch", key=key, placeholder=fmt.KOSONG,
                           height=height or "auto", column_config=config, **kwargs)
    if len(shown) < len(table):
        st.caption(f"Menampilkan {fmt.number(len(shown))} baris teratas dari {fmt.number(len(table))}; "
                   f"semua baris ada di unduhan.")
    return element


def downloads(table: pd.DataFrame | Callable[[], pd.DataFrame], stem: str, key: str, day: dt.date | None = None,
              notes: export.Notes | Callable[[pd.DataFrame], export.Notes] | None = None,
              area: str | None = None, csv: Callable[[], bytes] | None = None) -> None:
    """CSV and XLSX buttons for a table (or a function that builds it), named with the data date
    (default: the filters' date) and the kecamatan `area` if one is chosen; `notes` (or a
    function of the table giving them) fill the XLSX's "Keterangan" sheet. `csv` builds the CSV
    instead of the table (the public page gives its open data file)."""
    demo = is_demo()
    day = day or filters().per
    build = table if callable(table) else (lambda: table)

    def xlsx() -> bytes:
        built = build()
        return export.to_xlsx(built, stem, demo, notes(built) if callable(notes) else notes)

    left, right = st.columns(2)
    # The files are built only when a button is pressed, not on every rerun of the page.
    left.download_button("Unduh CSV", csv or (lambda: export.to_csv(build(), demo)), key=f"{key}-csv",
                         on_click="ignore",
                         file_name=export.file_name(stem, day, "csv", demo, area), mime="text/csv",
                         icon=":material/download:", width="stretch")
    right.download_button("Unduh XLSX", xlsx, key=f"{key}-xlsx", on_click="ignore",
                          file_name=export.file_name(stem, day, "xlsx", demo, area), width="stretch",
                          mime=XLSX_MIME, icon=":material/download:")


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def big_table_html(table: pd.DataFrame, css_class: str = "besar") -> str:
    """A plain high-contrast HTML table for the projector, numbers in Indonesian format."""
    from bulukumba.presentation import htmltables

    return htmltables.table_html(table, css_class)


# ---------------------------------------------------------------------------------------------
# The verdict strip (figures/verdict.py judges, presentation/verdict.py draws; this shows it)
# ---------------------------------------------------------------------------------------------

def verdict_strip(v, size: str = "normal") -> None:
    """Show a verdict.Verdict as the strip at the top of a page (plain HTML, no chart bundle)."""
    st.html(verdict_html(v, size))


# ---------------------------------------------------------------------------------------------
# Chart cards
# ---------------------------------------------------------------------------------------------

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


def card_beside(c, key: str, chart, text, **chart_kwargs):
    """A cards.Card in two columns of its frame: the chart and its footer in `chart`, the takeaway
    title, unit subtitle and legend in `text` beside it (Peta: the map gets the whole first
    screen's height instead of what a title and legend above it leave). Returns the chart's
    event when `on_select` is given."""
    event = None
    with text:
        st.markdown(f"**{c.title}**")
        st.caption(c.subtitle)
        if c.legend_html:
            st.html(c.legend_html)
    with chart:
        if c.figure is not None:
            chart_kwargs.setdefault("config", {"displayModeBar": False})
            event = st.plotly_chart(c.figure, key=key, **chart_kwargs)
        elif c.sentence:
            (st.info if c.kosong else st.markdown)(c.sentence)
        st.caption(c.footer)
    return event

