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

from . import fmt

BLUE, BLUE_SCALE = "#1f5fa8", "Blues"
ORANGE, ORANGE_SCALE = "#d95f0e", "Oranges"
GREY = "#444444"
PURPLE = "#6a3d9a"
NATIONAL_TARGET = 0.96  # share of wajib KTP recorded: the national target in 2017 (DOMAIN.md)
FONT = dict(family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size=14)

#: What each map quantity looks like; "cakupan" is a share, the rest counts.
MAP_QUANTITIES = {
    "belum_rekam": {"scale": ORANGE_SCALE, "label": "Belum rekam", "reverse": False},
    "cakupan": {"scale": BLUE_SCALE, "label": "Cakupan", "reverse": False},
}


def _base(fig: go.Figure, height: int = 360, **layout) -> go.Figure:
    fig.update_layout(
        separators=",.", font=FONT, height=height, margin=dict(l=10, r=10, t=30, b=10),
        plot_bgcolor="white", paper_bgcolor="white", hoverlabel=dict(font_size=14),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0), **layout)
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
    return [fmt.tanggal(pd.Timestamp(d).date()) for d in dates]


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
                    customdata=np.column_stack([text, [fmt.persen(c) for c in trend["cakupan"]]])
                    if len(trend) else None,
                    hovertemplate="%{customdata[0]}<br>Sudah rekam: %{y:,.0f}"
                                  "<br>Cakupan: %{customdata[1]}<extra></extra>")
    _base(fig, title=title or None)
    _date_axis(fig, trend["tanggal"])
    fig.update_yaxes(tickformat=",.0f", gridcolor="#eeeeee", rangemode="normal")
    return fig


def kecamatan_coverage(kec: pd.DataFrame, target: float = NATIONAL_TARGET) -> go.Figure:
    """Coverage per kecamatan as horizontal bars, lowest on top, with the national target line."""
    rows = kec.dropna(subset=["cakupan"]).sort_values("cakupan", ascending=False)  # no data: no bar
    fig = go.Figure(go.Bar(
        x=rows["cakupan"], y=rows["nama"], orientation="h", marker_color=BLUE,
        text=[fmt.persen(c) for c in rows["cakupan"]], textposition="outside",
        customdata=np.column_stack([[fmt.angka(v) for v in rows["belum_rekam"]],
                                    [fmt.angka(v) for v in rows["wajib_ktp"]]]),
        hovertemplate="<b>%{y}</b><br>Cakupan: %{text}<br>Belum rekam: %{customdata[0]}"
                      "<br>Wajib KTP: %{customdata[1]}<extra></extra>"))
    fig.add_vline(x=target, line=dict(color=GREY, dash="dash", width=2),
                  annotation_text=f"Target nasional {fmt.persen(target, 0)}",
                  annotation_position="top")
    low = max(0.0, float(rows["cakupan"].min()) - 0.05) if len(rows) else 0.0
    _base(fig, height=40 + 34 * len(rows), showlegend=False)
    fig.update_traces(cliponaxis=False)
    fig.update_xaxes(range=[low, 1.06], tickformat=".0%", gridcolor="#eeeeee",
                     tickvals=[v / 100 for v in range(int(low * 100) // 5 * 5, 101, 5)])
    return fig


def top_unrecorded(villages: pd.DataFrame, n: int = 5) -> go.Figure:
    """The n villages with most unrecorded residents."""
    rows = villages.dropna(subset=["belum_rekam"]).nlargest(n, "belum_rekam").iloc[::-1]
    labels = [f"{a} ({b})" for a, b in zip(rows["nama"], rows["kecamatan_nama"])]
    fig = go.Figure(go.Bar(
        x=rows["belum_rekam"], y=labels, orientation="h", marker_color=ORANGE,
        text=[fmt.angka(v) for v in rows["belum_rekam"]], textposition="outside", cliponaxis=False,
        customdata=[fmt.persen(c) for c in rows["cakupan"]],
        hovertemplate="<b>%{y}</b><br>Belum rekam: %{text}<br>Cakupan: %{customdata}<extra></extra>"))
    _base(fig, height=60 + 40 * len(rows), showlegend=False)
    fig.update_xaxes(tickformat=",.0f", gridcolor="#eeeeee",
                     range=[0, max(1.0, float(rows["belum_rekam"].fillna(0).max() if len(rows) else 0)) * 1.18])
    return fig


# ---------------------------------------------------------------------------------------------
# The village map
# ---------------------------------------------------------------------------------------------

def map_view(lons, lats) -> tuple[dict, float]:
    """Centre and zoom that fit the given coordinates into a map about 600 px wide."""
    lons, lats = np.asarray(lons, float), np.asarray(lats, float)
    centre = {"lon": float((lons.min() + lons.max()) / 2), "lat": float((lats.min() + lats.max()) / 2)}
    span = max(float(lons.max() - lons.min()), float(lats.max() - lats.min()) * 1.3, 0.01)
    zoom = float(np.clip(np.log2(360 / span) - 0.05, 6, 14))
    return centre, round(zoom, 2)


def village_map(villages: pd.DataFrame, geojson, quantity: str = "belum_rekam",
                outlines=None, centre: dict | None = None, zoom: float = 9.2,
                selected: str | None = None, height: int = 560) -> go.Figure:
    """Choropleth of villages on a blank background: no tiles, so it needs no internet.

    `geojson` is the village layer itself or the URL it is served at (the browser then fetches it
    once and caches it, instead of receiving it again with every rerun). `outlines` is the
    kecamatan border layer (GeoJSON dict or URL), drawn as lines over the villages.
    """
    spec = MAP_QUANTITIES[quantity]
    # The public page passes suppressed figures: `nilai_peta_*` to colour by and `tampil_*` to show.
    values = villages.get(f"nilai_peta_{quantity}", villages[quantity]).astype("float64")

    def shown(column: str, exact) -> list[str]:
        given = villages.get(f"tampil_{column}")
        if given is None:
            return [exact(v) for v in villages[column]]
        return [v if isinstance(v, str) else exact(v) for v in given]

    custom = np.column_stack([
        villages["nama"], villages["kecamatan_nama"], shown("wajib_ktp", fmt.angka),
        shown("sudah_rekam", fmt.angka), shown("belum_rekam", fmt.angka), shown("cakupan", fmt.persen),
    ])
    colorbar = dict(title=dict(text=spec["label"]), thickness=14, len=0.6,
                    tickformat=".0%" if quantity == "cakupan" else ",.0f")
    fig = go.Figure(go.Choroplethmap(
        geojson=geojson, featureidkey="id", locations=villages["kode"], z=values,
        colorscale=spec["scale"], reversescale=spec["reverse"], marker_line_color="white",
        marker_line_width=0.6, colorbar=colorbar, customdata=custom,
        hovertemplate="<b>%{customdata[0]}</b> · Kec. %{customdata[1]}<br>Wajib KTP: %{customdata[2]}"
                      "<br>Sudah rekam: %{customdata[3]}<br>Belum rekam: %{customdata[4]}"
                      "<br>Cakupan: %{customdata[5]}<extra></extra>"))
    layers = []
    if outlines is not None:
        layers.append({"sourcetype": "geojson", "source": outlines, "type": "line",
                       "color": GREY, "line": {"width": 1.6}})  # above the villages
    if selected is not None and selected in set(villages["kode"]):
        row = villages.index[villages["kode"] == selected][0]
        fig.update_traces(selectedpoints=[int(np.flatnonzero(villages.index == row)[0])],
                          selected=dict(marker=dict(opacity=1)), unselected=dict(marker=dict(opacity=0.45)))
    fig.update_layout(
        map=dict(style="white-bg", center=centre or {"lon": 120.2, "lat": -5.43}, zoom=zoom, layers=layers),
        separators=",.", font=FONT, height=height, margin=dict(l=0, r=0, t=0, b=0),
        clickmode="event+select", dragmode=False, uirevision="peta")
    return fig


# ---------------------------------------------------------------------------------------------
# Partners
# ---------------------------------------------------------------------------------------------

def leaderboard(board: pd.DataFrame, unit: str = "layanan") -> go.Figure:
    """Partners by what they delivered, most on top."""
    rows = board.iloc[::-1]
    fig = go.Figure(go.Bar(
        x=rows["jumlah"], y=rows["nama"], orientation="h", marker_color=PURPLE,
        text=[f"{fmt.angka(v)} ({fmt.persen(p)})" for v, p in zip(rows["jumlah"], rows["porsi"])],
        textposition="outside", cliponaxis=False,
        hovertemplate=f"<b>%{{y}}</b><br>%{{text}} {unit}<extra></extra>"))
    _base(fig, height=60 + 38 * len(rows), showlegend=False)
    fig.update_xaxes(tickformat=",.0f", gridcolor="#eeeeee", range=[0, max(1, rows["jumlah"].max()) * 1.3])
    return fig


def partner_months(monthly: pd.DataFrame, title: str = "") -> go.Figure:
    """One partner's (or all partners') work month by month."""
    per_month = monthly.groupby("bulan", as_index=False)["jumlah"].sum()
    labels = [fmt.bulan(b) for b in per_month["bulan"]]
    fig = go.Figure(go.Bar(x=per_month["bulan"], y=per_month["jumlah"], marker_color=PURPLE,
                           customdata=labels,
                           hovertemplate="%{customdata}: %{y:,.0f}<extra></extra>"))
    _base(fig, height=300, showlegend=False, title=title or None)
    _date_axis(fig, per_month["bulan"])
    fig.update_yaxes(tickformat=",.0f", gridcolor="#eeeeee")
    return fig


def target_gauge(achieved: int, target: int, label: str) -> go.Figure:
    """Achieved against a target as one bar with the target marked."""
    fig = go.Figure(go.Bar(x=[achieved], y=[label], orientation="h", marker_color=PURPLE,
                           text=[f"{fmt.angka(achieved)} dari {fmt.angka(target)} "
                                 f"({fmt.persen(achieved / target if target else 0)})"],
                           textposition="auto", hoverinfo="skip"))
    fig.add_vline(x=target, line=dict(color=GREY, dash="dash", width=3),
                  annotation_text=f"Target {fmt.angka(target)}", annotation_position="top")
    _base(fig, height=150, showlegend=False)
    fig.update_xaxes(range=[0, max(target, achieved) * 1.05], tickformat=",.0f")
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
                    customdata=[fmt.tanggal(start), fmt.tanggal(deadline)],
                    hovertemplate="%{customdata}<br>Jalur target: %{y:,.0f}<extra></extra>")
    fig.add_scatter(x=progress["tanggal"], y=progress["capaian"], name="Capaian", mode="lines+markers",
                    line=dict(color=BLUE, width=3), marker=dict(size=5), customdata=text,
                    hovertemplate="%{customdata}<br>Capaian: %{y:,.0f}<extra></extra>")
    if projection is not None and len(progress):
        last = progress.iloc[-1]
        end_day, end_value = projection
        fig.add_scatter(x=[last["tanggal"], pd.Timestamp(end_day)], y=[last["capaian"], end_value],
                        name="Proyeksi laju 28 hari", mode="lines",
                        line=dict(color=BLUE, dash="dot", width=2),
                        customdata=[fmt.tanggal(last["tanggal"].date()), fmt.tanggal(end_day)],
                        hovertemplate="%{customdata}<br>Proyeksi: %{y:,.0f}<extra></extra>")
    fig.add_hline(y=target, line=dict(color=GREY, width=1),
                  annotation_text=f"Target {fmt.angka(target)}", annotation_position="top left")
    fig.add_vline(x=pd.Timestamp(deadline), line=dict(color=GREY, width=1),
                  annotation_text=f"Tenggat {fmt.tanggal(deadline)}", annotation_position="bottom left")
    _base(fig)
    dates = [pd.Timestamp(start), pd.Timestamp(deadline)] + list(progress["tanggal"]) + (
        [pd.Timestamp(projection[0])] if projection else [])
    _date_axis(fig, dates)
    fig.update_yaxes(tickformat=",.0f", gridcolor="#eeeeee", rangemode="tozero")
    return fig


def kecamatan_progress(rows: pd.DataFrame) -> go.Figure:
    """Share of each kecamatan's target achieved (columns nama, persen, capaian, target)."""
    rows = rows.dropna(subset=["persen"]).sort_values("persen", ascending=True)
    fig = go.Figure(go.Bar(
        x=rows["persen"], y=rows["nama"], orientation="h", marker_color=BLUE,
        text=[fmt.persen(p) for p in rows["persen"]], textposition="outside", cliponaxis=False,
        customdata=np.column_stack([[fmt.angka(v) for v in rows["capaian"]],
                                    [fmt.angka(v) for v in rows["target"]]]),
        hovertemplate="<b>%{y}</b><br>%{customdata[0]} dari %{customdata[1]} (%{text})<extra></extra>"))
    _base(fig, height=40 + 34 * len(rows), showlegend=False)
    fig.update_xaxes(range=[0, max(1.0, float(rows["persen"].max()) * 1.1) if len(rows) else 1.0],
                     tickformat=".0%", gridcolor="#eeeeee")
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
