"""Chart builders: a DataFrame in, a Plotly figure out. No Streamlit, no data access.

One colour means one quantity on every page (blue and orange are told apart with every common
colour-vision deficiency; the sequential scales are single-hue, so they read in grey too):
- recorded / coverage: blue; unrecorded: orange; targets and target paths: dark grey, dashed;
  partner work: purple.
Numbers use Indonesian separators (`separators=",."`), and dates on axes and in hovers are written
in Indonesian by the code, because Plotly's own month names are English and a locale file would be
another download.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from bulukumba.language import fmt
from bulukumba.presentation import mapview

BLUE, BLUE_SCALE = "#1f5fa8", "Blues"
ORANGE, ORANGE_SCALE = "#d95f0e", "Oranges"
GREY = "#444444"
PURPLE = "#6a3d9a"
#: Every chart text (axes, value labels, category names, legends, notes): Streamlit's body text,
#: 12.6:1 on white. Streamlit's chart theme greys axis and legend text to #808495 (3.7:1, under
#: the 4.5:1 WCAG asks of 12–14 px text) unless the figure names its own colours, so
#: `_base` names them on every axis, the legend and the hover label.
TEXT = "#31333F"
NATIONAL_TARGET = 0.96  # share of wajib KTP recorded: the national target in 2017 (DOMAIN.md)
FONT = dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size=14, color=TEXT)

#: What each map quantity looks like; "cakupan" is a share, the rest counts.
MAP_QUANTITIES = {
    "belum_rekam": {"scale": ORANGE_SCALE, "label": "Belum rekam", "reverse": False},
    "cakupan": {"scale": BLUE_SCALE, "label": "Cakupan", "reverse": False},
}


def _base(fig: go.Figure, height: int = 360, margin: dict | None = None, **layout) -> go.Figure:
    fig.update_layout(
        separators=",.", font=FONT, height=height, margin=margin or dict(l=10, r=10, t=30, b=10),
        plot_bgcolor="white", paper_bgcolor="white",
        hoverlabel=dict(font=dict(size=14, color=TEXT), bgcolor="white"),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, font=dict(color=TEXT)),
        **layout)
    legible(fig)
    return fig


def legible(fig: go.Figure) -> go.Figure:
    """Name the text colour on every axis of `fig` (tick labels and titles), so Streamlit's chart
    theme does not grey them (see TEXT). `_base` calls it; call it again after adding axes."""
    fig.update_xaxes(tickfont_color=TEXT, title_font_color=TEXT)
    fig.update_yaxes(tickfont_color=TEXT, title_font_color=TEXT)
    return fig


def _date_axis(fig: go.Figure, dates, axis: str = "xaxis") -> None:
    """Month ticks written in Indonesian ('Jan 2018'), about six of them."""
    dates = pd.to_datetime(pd.Series(dates)).dropna()
    if dates.empty:
        return
    months = pd.date_range(dates.min().to_period("M").to_timestamp(), dates.max(), freq="MS")
    step = max(1, int(np.ceil(len(months) / 6)))
    ticks = months[::step]
    fig.update_layout({axis: dict(tickvals=list(ticks), ticktext=[
        f"{fmt.BULAN_PENDEK[t.month - 1]} {t.year}" for t in ticks], gridcolor="#eeeeee")})


def _dates_text(dates) -> list[str]:
    return [fmt.date(pd.Timestamp(d).date()) for d in dates]


# ---------------------------------------------------------------------------------------------
# Coverage
# ---------------------------------------------------------------------------------------------

def recorded_trend(trend: pd.DataFrame, title: str = "") -> go.Figure:
    """Recorded residents over time, with wajib KTP as the ceiling."""
    fig = go.Figure()
    text = _dates_text(trend["tanggal"])
    fig.add_scatter(x=trend["tanggal"], y=trend["wajib_ktp"], name="Wajib KTP", mode="lines",
                    line=dict(color=GREY, dash="dash", width=2), customdata=text,
                    hovertemplate="%{customdata}<br>Wajib KTP: %{y:,.0f}<extra></extra>")
    fig.add_scatter(x=trend["tanggal"], y=trend["sudah_rekam"], name="Sudah rekam",
                    mode="lines+markers", line=dict(color=BLUE, width=3), marker=dict(size=5),
                    customdata=np.column_stack([text, [fmt.percent(c) for c in trend["cakupan"]]])
                    if len(trend) else None,
                    hovertemplate="%{customdata[0]}<br>Sudah rekam: %{y:,.0f}"
                                  "<br>Cakupan: %{customdata[1]}<extra></extra>")
    _base(fig, title=title or None)
    _date_axis(fig, trend["tanggal"])
    fig.update_yaxes(tickformat=",.0f", gridcolor="#eeeeee", rangemode="normal")
    return fig


#: Rows a per-kecamatan chart draws at most. A store of thousands of kecamatan (a country) draws
#: the lowest ones, and the card says so: 7,200 rows made a chart 216,000 px tall and 0.4-0.8 MB.
MAX_BARS = 40


def kecamatan_coverage(kec: pd.DataFrame, target: float = NATIONAL_TARGET) -> go.Figure:
    """Coverage per kecamatan as a dot plot, lowest at the bottom, with the national target line.

    Coverage sits between 85% and 100%, where bars from zero would all look full; dots on a
    visible, labelled axis show the differences without a truncated bar exaggerating them.
    """
    rows = kec.dropna(subset=["cakupan"]).sort_values("cakupan", ascending=True).head(MAX_BARS)  # no data: no dot
    fig = go.Figure(go.Scatter(
        x=rows["cakupan"], y=rows["nama"], mode="markers+text", marker=dict(color=BLUE, size=12),
        text=[fmt.percent(c) for c in rows["cakupan"]], textposition="middle right",
        cliponaxis=False,
        customdata=np.column_stack([[fmt.number(v) for v in rows["belum_rekam"]],
                                    [fmt.number(v) for v in rows["wajib_ktp"]]]) if len(rows) else None,
        hovertemplate="<b>%{y}</b><br>Cakupan: %{text}<br>Belum rekam: %{customdata[0]}"
                      "<br>Wajib KTP: %{customdata[1]}<extra></extra>"))
    low = min(float(rows["cakupan"].min()) if len(rows) else target, target)
    low = max(0.0, np.floor(low * 100 - 1) / 100)
    _base(fig, height=70 + 30 * len(rows), showlegend=False, margin=dict(l=10, r=56, t=34, b=36))
    fig.add_vline(x=target, line=dict(color=GREY, dash="dash", width=2))
    fig.add_annotation(x=target, y=1, yref="paper", yanchor="bottom", showarrow=False,
                       text=f"Target nasional {fmt.percent(target, 0)}", font=dict(color=GREY, size=13))
    step = 0.01 if 1 - low <= 0.06 else (0.02 if 1 - low <= 0.12 else 0.05)
    ticks = np.arange(np.ceil(low / step) * step, 1.0 + 1e-9, step)
    fig.update_xaxes(range=[low, 1.0], tickvals=list(ticks), ticktext=[fmt.percent(t, 0) for t in ticks],
                     gridcolor="#e5e5e5", showline=True, linecolor="#888", ticks="outside",
                     title=dict(text="Cakupan (% wajib KTP sudah rekam)", font=dict(size=12)))
    fig.update_yaxes(automargin=True, gridcolor="#f0f0f0")
    return fig


def top_unrecorded(villages: pd.DataFrame, n: int = 5) -> go.Figure:
    """The n villages with most unrecorded residents (more when the n-th ties with the next:
    a village as many as the last one drawn is drawn too)."""
    rows = villages.dropna(subset=["belum_rekam"]).nlargest(n, "belum_rekam", keep="all").iloc[::-1]
    labels = [f"{a} ({b})" for a, b in zip(rows["nama"], rows["kecamatan_nama"])]
    fig = go.Figure(go.Bar(
        x=rows["belum_rekam"], y=labels, orientation="h", marker_color=ORANGE,
        text=[fmt.number(v) for v in rows["belum_rekam"]], textposition="outside", cliponaxis=False,
        customdata=[fmt.percent(c) for c in rows["cakupan"]],
        hovertemplate="<b>%{y}</b><br>Belum rekam: %{text}<br>Cakupan: %{customdata}<extra></extra>"))
    _base(fig, height=60 + 40 * len(rows), showlegend=False)
    fig.update_xaxes(tickformat=",.0f", gridcolor="#eeeeee",
                     range=[0, max(1.0, float(rows["belum_rekam"].fillna(0).max() if len(rows) else 0)) * 1.18])
    return fig


# ---------------------------------------------------------------------------------------------
# The village map
# ---------------------------------------------------------------------------------------------

def map_view(lons, lats, width: int = 600, height: int = 560) -> tuple[dict, float]:
    """Centre and zoom that fit the given coordinates into a map of `width` x `height` px."""
    lons, lats = np.asarray(lons, float), np.asarray(lats, float)
    view = mapview.fit((lons.min(), lons.max()), (lats.min(), lats.max()), width, height)
    return view.centre, view.zoom


def village_map(villages: pd.DataFrame, geojson, quantity: str = "belum_rekam",
                outlines=None, centre: dict | None = None, zoom: float = 9.2,
                selected: str | None = None, height: int = 560, *, view: mapview.View | None = None,
                labels: list[mapview.Label] = (), classes: mapview.Classes | None = None) -> go.Figure:
    """Villages coloured by five classes on a blank background: no tiles, no fonts, no internet.

    `geojson` is the village layer itself or the URL it is served at (the browser then fetches it
    once and caches it, instead of receiving it again with every rerun). `outlines` is the
    kecamatan border layer (GeoJSON dict or URL), drawn as lines over the villages. With `view`
    (mapview.fit for the map's measured size) the figure takes exactly that size and `labels`
    (mapview.place_labels for the same view) are drawn as SVG text at their places. `selected`
    is outlined; the other villages keep their colours.
    """
    spec = MAP_QUANTITIES[quantity]
    # The public page passes suppressed figures: `nilai_peta_*` to colour by and `tampil_*` to show.
    values = villages.get(f"nilai_peta_{quantity}", villages[quantity]).astype("float64")
    classes = classes or mapview.classes(values, quantity)

    def shown(column: str, exact) -> list[str]:
        given = villages.get(f"tampil_{column}")
        if given is None:
            return [exact(v) for v in villages[column]]
        return [v if isinstance(v, str) else exact(v) for v in given]

    custom = np.column_stack([
        villages["nama"], villages["kecamatan_nama"], shown("wajib_ktp", fmt.number),
        shown("sudah_rekam", fmt.number), shown("belum_rekam", fmt.number), shown("cakupan", fmt.percent),
    ])
    if classes is not None:
        z = classes.index(values)
        n = len(classes.colours)
        # One flat colour per class: a stepped scale over the class numbers 0..n-1.
        scale = [[edge, colour] for i, colour in enumerate(classes.colours)
                 for edge in (i / n, (i + 1) / n)]
        zrange = dict(zmin=-0.5, zmax=n - 0.5)
    else:
        z, scale, zrange = values, [[0, "#ffffff"], [1, "#ffffff"]], {}
    hover = ("<b>%{customdata[0]}</b> · Kec. %{customdata[1]}<br>Wajib KTP: %{customdata[2]}"
             "<br>Sudah rekam: %{customdata[3]}<br>Belum rekam: %{customdata[4]}"
             "<br>Cakupan: %{customdata[5]}<extra></extra>")
    fig = go.Figure(go.Choroplethmap(
        geojson=geojson, featureidkey="id", locations=villages["kode"], z=z, colorscale=scale,
        showscale=False, marker_line_color=mapview.OUTLINE, marker_line_width=0.7,
        customdata=custom, hovertemplate=hover, name=spec["label"],
        # Choosing a village outlines it; nobody else fades.
        selected=dict(marker=dict(opacity=1)), unselected=dict(marker=dict(opacity=1)), **zrange))
    if selected is not None and selected in set(villages["kode"]):
        pick = villages["kode"] == selected
        fig.add_trace(go.Choroplethmap(
            geojson=geojson, featureidkey="id", locations=villages.loc[pick, "kode"], z=[0],
            colorscale=[[0, "rgba(0,0,0,0)"], [1, "rgba(0,0,0,0)"]], showscale=False,
            marker_line_color=mapview.SELECTED, marker_line_width=3.5, customdata=custom[pick.to_numpy()],
            hovertemplate=hover, name="Dipilih"))
    layers = []
    if outlines is not None:
        layers.append({"sourcetype": "geojson", "source": outlines, "type": "line",
                       "color": mapview.BORDER, "line": {"width": 1.6}})  # above the villages
    if view is not None:
        centre, zoom = view.centre, view.zoom
        size = dict(width=view.width, height=view.height, margin=dict(l=0, r=0, t=0, b=0))
    else:
        size = dict(height=height, margin=dict(l=0, r=0, t=0, b=0))
    fig.update_layout(
        map=dict(style="white-bg", center=centre or {"lon": 120.2, "lat": -5.43}, zoom=zoom, layers=layers),
        separators=",.", font=FONT, clickmode="event+select", dragmode=False, showlegend=False,
        hoverlabel=dict(font=dict(size=14, color=TEXT), bgcolor="white"),
        uirevision=f"peta-{zoom}", annotations=[_label(label) for label in labels], **size)
    return fig


def _label(label: mapview.Label) -> dict:
    """A name on the map: SVG text with a white halo (no glyph fonts fetched by the map)."""
    colour = "#666666" if label.muted else "#111111"
    return dict(x=label.x, y=label.y, xref="paper", yref="paper", text=label.text, showarrow=False,
                font=dict(size=label.size, color=colour, weight=700 if label.bold else 400,
                          shadow="0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff"))


def map_legend_html(classes: mapview.Classes | None, quantity: str) -> str:
    """The map's legend as HTML above the map: it can never cover land."""
    import html

    if classes is None:
        return ""
    label = MAP_QUANTITIES[quantity]["label"] + (" (% wajib KTP)" if quantity == "cakupan" else " (orang)")
    items = "".join(
        f"<li><span class='sampel' style='background:{c}'></span>{html.escape(text)}</li>"
        for c, text in zip(classes.colours, classes.labels))
    return (
        "<style>.legenda-peta{font-size:.85rem;margin:0 0 .2rem}.legenda-peta ul{display:flex;"
        "flex-wrap:wrap;gap:.2rem .9rem;list-style:none;margin:.15rem 0 !important;padding:0 !important}"
        ".legenda-peta li{display:flex;align-items:center;gap:.35rem;margin:0 !important;white-space:nowrap}"
        f".legenda-peta .sampel{{display:inline-block;width:1.4em;height:1em;border:1px solid {mapview.OUTLINE}}}"
        ".legenda-peta p{margin:0;color:#444;font-size:.8rem}</style>"
        f"<div class='legenda-peta' data-legenda='{quantity}'><strong>{html.escape(label)}</strong>"
        f"<ul>{items}</ul><p>{html.escape(classes.statement)} Lebih gelap = lebih perlu perhatian.</p></div>")


# ---------------------------------------------------------------------------------------------
# Partners
# ---------------------------------------------------------------------------------------------

def leaderboard(board: pd.DataFrame, unit: str = "layanan") -> go.Figure:
    """Partners by what they delivered, most on top; bars from zero, the figure beside each."""
    rows = board.iloc[::-1]
    fig = go.Figure(go.Bar(
        x=rows["jumlah"], y=rows["nama"], orientation="h", marker_color=PURPLE,
        text=[f"{fmt.number(v)} · {fmt.percent(p, 0)}" for v, p in zip(rows["jumlah"], rows["porsi"])],
        # Inside a bar long enough to hold it, beside the others: never past the plot's edge.
        textposition="auto", insidetextanchor="end", cliponaxis=False,
        hovertemplate=f"<b>%{{y}}</b><br>%{{text}} {unit}<extra></extra>"))
    _base(fig, height=60 + 38 * len(rows), showlegend=False, margin=dict(l=10, r=16, t=10, b=30))
    top = max(1, int(rows["jumlah"].max()) if len(rows) else 1)
    fig.update_xaxes(tickformat=",.0f", gridcolor="#eeeeee", range=[0, top * 1.3], rangemode="tozero",
                     showline=True, linecolor="#888")
    fig.update_yaxes(automargin=True)
    return fig


def partner_months(monthly: pd.DataFrame, title: str = "") -> go.Figure:
    """One partner's (or all partners') work month by month, bars from zero."""
    per_month = monthly.groupby("bulan", as_index=False)["jumlah"].sum()
    labels = [fmt.month(b) for b in per_month["bulan"]]
    fig = go.Figure(go.Bar(x=per_month["bulan"], y=per_month["jumlah"], marker_color=PURPLE,
                           customdata=labels,
                           hovertemplate="%{customdata}: %{y:,.0f}<extra></extra>"))
    _base(fig, height=300, showlegend=False, title=title or None, margin=dict(l=10, r=10, t=10, b=10))
    _date_axis(fig, per_month["bulan"])
    fig.update_yaxes(tickformat=",.0f", gridcolor="#eeeeee", rangemode="tozero")
    return fig


def target_gauge(achieved: int, target: int, label: str) -> go.Figure:
    """Achieved against a target as one bar from zero, the target marked and named in full."""
    fig = go.Figure(go.Bar(x=[achieved], y=[label], orientation="h", marker_color=PURPLE,
                           text=[f"{fmt.number(achieved)} ({fmt.percent(achieved / target if target else 0)})"],
                           textposition="inside", insidetextanchor="end", hoverinfo="skip",
                           insidetextfont=dict(color="white")))  # 8.3:1 on the purple
    fig.add_vline(x=target, line=dict(color=GREY, dash="dash", width=3))
    # The label sits left of the line, inside the plot: "Target 75.000" is never cut to "75.00".
    fig.add_annotation(x=target, y=1, yref="paper", yanchor="bottom", xanchor="right", showarrow=False,
                       text=f"Target {fmt.number(target)}", font=dict(color=GREY, size=13))
    _base(fig, height=170, showlegend=False, margin=dict(l=10, r=16, t=30, b=30))
    fig.update_xaxes(range=[0, max(target, achieved) * 1.05], tickformat=",.0f", showline=True,
                     linecolor="#888", gridcolor="#eeeeee")
    fig.update_yaxes(automargin=True)
    return fig


# ---------------------------------------------------------------------------------------------
# Programmes
# ---------------------------------------------------------------------------------------------

def programme_progress(progress: pd.DataFrame, target: int, start: dt.date, deadline: dt.date,
                       projection: tuple[dt.date, int] | None = None) -> go.Figure:
    """Cumulative achievement against the straight target path (start to deadline), and
    optionally where the current pace would take it."""
    text = _dates_text(progress["tanggal"])
    fig = go.Figure()
    fig.add_scatter(x=[pd.Timestamp(start), pd.Timestamp(deadline)], y=[0, target], name="Jalur target",
                    mode="lines", line=dict(color=GREY, dash="dash", width=2),
                    customdata=[fmt.date(start), fmt.date(deadline)],
                    hovertemplate="%{customdata}<br>Jalur target: %{y:,.0f}<extra></extra>")
    fig.add_scatter(x=progress["tanggal"], y=progress["capaian"], name="Capaian", mode="lines+markers",
                    line=dict(color=BLUE, width=3), marker=dict(size=5), customdata=text,
                    hovertemplate="%{customdata}<br>Capaian: %{y:,.0f}<extra></extra>")
    if projection is not None and len(progress):
        last = progress.iloc[-1]
        end_day, end_value = projection
        fig.add_scatter(x=[last["tanggal"], pd.Timestamp(end_day)], y=[last["capaian"], end_value],
                        name="Proyeksi laju saat ini", mode="lines",
                        line=dict(color=BLUE, dash="dot", width=2),
                        customdata=[fmt.date(last["tanggal"].date()), fmt.date(end_day)],
                        hovertemplate="%{customdata}<br>Proyeksi: %{y:,.0f}<extra></extra>")
    fig.add_hline(y=target, line=dict(color=GREY, width=1),
                  annotation_text=f"Target {fmt.number(target)}", annotation_position="top left")
    fig.add_vline(x=pd.Timestamp(deadline), line=dict(color=GREY, width=1),
                  annotation_text=f"Tenggat {fmt.date(deadline)}", annotation_position="bottom left")
    _base(fig)
    dates = [pd.Timestamp(start), pd.Timestamp(deadline)] + list(progress["tanggal"]) + (
        [pd.Timestamp(projection[0])] if projection else [])
    _date_axis(fig, dates)
    fig.update_yaxes(tickformat=",.0f", gridcolor="#eeeeee", rangemode="tozero")
    return fig


def kecamatan_progress(rows: pd.DataFrame, chosen: str | None = None) -> go.Figure:
    """Share of each kecamatan's target achieved (bars from zero) and where the straight target
    path says it should be by now (a black tick). Columns nama, persen, capaian, target,
    seharusnya (and kode, to mark the `chosen` kecamatan)."""
    rows = rows.dropna(subset=["persen"]).sort_values("persen", ascending=True)
    if len(rows) > MAX_BARS:  # the lowest, and the chosen kecamatan wherever it stands
        keep = rows.head(MAX_BARS)
        rows = pd.concat([keep, rows[(rows.get("kode") == chosen) & ~rows.index.isin(keep.index)]]) if chosen else keep
    marked = rows.get("kode", pd.Series(index=rows.index, dtype=object)) == chosen if chosen else None
    colours = [GREY if (marked is not None and m) else BLUE for m in (marked if marked is not None else [False] * len(rows))]
    fig = go.Figure(go.Bar(
        x=rows["persen"], y=rows["nama"], orientation="h", marker_color=colours, name="Capaian",
        text=[fmt.percent(p) for p in rows["persen"]], textposition="outside", cliponaxis=False,
        customdata=np.column_stack([[fmt.number(v) for v in rows["capaian"]],
                                    [fmt.number(v) for v in rows["target"]],
                                    [fmt.percent(v) for v in rows["seharusnya"]]]) if len(rows) else None,
        hovertemplate="<b>%{y}</b><br>%{customdata[0]} dari %{customdata[1]} (%{text})"
                      "<br>Seharusnya: %{customdata[2]}<extra></extra>"))
    fig.add_scatter(x=rows["seharusnya"], y=rows["nama"], mode="markers", name="Seharusnya hari ini",
                    marker=dict(symbol="line-ns-open", size=18, color="#000000", line=dict(width=3, color="#000000")),
                    hoverinfo="skip")
    top = max([1.0, *(rows["persen"].tolist() if len(rows) else [])]) * 1.18
    _base(fig, height=80 + 32 * len(rows), showlegend=True, margin=dict(l=10, r=16, t=36, b=30))
    fig.update_xaxes(range=[0, top], tickformat=".0%", gridcolor="#eeeeee", showline=True, linecolor="#888")
    fig.update_yaxes(automargin=True)
    return fig


def for_projector(fig: go.Figure, height: int | None = None) -> go.Figure:
    """The same figure, legible from the back of a meeting room: large type, thick lines."""
    fig.update_layout(font=dict(size=26, color="#000000"), hoverlabel=dict(font_size=24),
                      legend=dict(font=dict(size=24)))
    fig.update_traces(selector=dict(type="scatter"), line_width=5, marker_size=9)
    fig.update_traces(selector=dict(type="bar"), textfont_size=26)
    fig.update_xaxes(tickfont_size=22)
    fig.update_yaxes(tickfont_size=22)
    if height:
        fig.update_layout(height=height)
    return fig
