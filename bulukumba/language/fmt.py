"""Indonesian number and date formats: 325.880; 92,1%; 19 Januari 2018.

Done by hand rather than through the locale module: the machine's locales are not ours to rely
on, and these few rules are the whole of what the dashboard needs.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

from bulukumba import config

BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
         "September", "Oktober", "November", "Desember")
BULAN_PENDEK = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
KOSONG = "–"  # shown where there is no figure


def number(value, decimals: int = 0) -> str:
    """325880 -> '325.880'; number(59.78, 1) -> '59,8'."""
    if _missing(value):
        return KOSONG
    text = f"{float(value):,.{decimals}f}" if decimals else f"{round(float(value)):,}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def percent(fraction, decimals: int = 1) -> str:
    """0.9213 -> '92,1%'. A share strictly between none and all is never written as 0% or 100%
    (see `percent_value`)."""
    if _missing(fraction):
        return KOSONG
    return f"{number(percent_value(fraction, decimals), decimals)}%"


def percent_value(fraction, decimals: int = 1):
    """A share (or a Series of shares) as percent, rounded to `decimals`; one strictly between
    none and all stays strictly between 0 and 100 (99,97% is 99,9, not 100,0: a coverage of
    "100%" says nobody is left to record, which must not be said while anyone is)."""
    step = 10.0 ** -decimals
    if isinstance(fraction, pd.Series):
        values = fraction.astype("float64")
        rounded = (values * 100).round(decimals)
        inside = (values > 0) & (values < 1)
        return rounded.where(~inside, rounded.clip(step, 100 - step))
    value = round(float(fraction) * 100, decimals)
    if 0 < float(fraction) < 1:
        value = min(max(value, step), round(100 - step, decimals))
    return value


def points(points, decimals: int = 1) -> str:
    """Signed percentage points: 0.65 -> '+0,7 poin'."""
    if _missing(points):
        return KOSONG
    sign = "+" if points > 0 else ("-" if points < 0 else "±")  # ASCII: Streamlit reads the sign
    return f"{sign}{number(abs(points), decimals)} poin"


def signed(value, decimals: int = 0) -> str:
    """Signed whole number: 432 -> '+432'; -5 -> '-5'."""
    if _missing(value):
        return KOSONG
    sign = "+" if value > 0 else ("-" if value < 0 else "±")
    return f"{sign}{number(abs(value), decimals)}"


def date(day: dt.date | None) -> str:
    """19 Januari 2018."""
    if _missing(day):
        return KOSONG
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"


def date_short(day: dt.date | None) -> str:
    """19 Jan 2018."""
    if _missing(day):
        return KOSONG
    return f"{day.day} {BULAN_PENDEK[day.month - 1]} {day.year}"


def month(day: dt.date) -> str:
    """Januari 2018."""
    return f"{BULAN[day.month - 1]} {day.year}"


def timestamp(moment: dt.datetime | None) -> str:
    """A stored UTC time as local time: '19 Januari 2018 14.05 WITA' (time written with a dot)."""
    if _missing(moment):
        return KOSONG
    zone = ZoneInfo(config.timezone())
    local = moment.replace(tzinfo=dt.UTC).astimezone(zone) if moment.tzinfo is None else moment.astimezone(zone)
    label = {"Asia/Makassar": "WITA", "Asia/Jakarta": "WIB", "Asia/Jayapura": "WIT"}.get(config.timezone(), "")
    return f"{date(local)} {local:%H.%M} {label}".rstrip()


def _missing(value) -> bool:
    """None, NaN, pandas NA and NaT all mean: no figure."""
    if value is None:
        return True
    if type(value) is int:  # the common case, decided without pandas (the public page formats
        return False        # every village's figures: 285,000 numbers nationally)
    if type(value) is float:
        return value != value
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False



def column_kind(series: pd.Series) -> str | None:
    """How a table column is formatted: "bilangan" (whole numbers), "desimal", "tanggal", or
    None (text and yes/no, shown as they are). One rule for the grid and the HTML tables."""
    if pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_integer_dtype(series):
        return "bilangan"
    if pd.api.types.is_float_dtype(series):
        return "desimal"
    if pd.api.types.is_datetime64_any_dtype(series) or (
            series.dtype == object and series.map(lambda v: isinstance(v, dt.date)).any()):
        return "tanggal"
    return None
