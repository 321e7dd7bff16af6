"""Small helpers the recomputations share."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa


def as_date(value) -> dt.date | None:
    """A date; SQLite hands some dates back as text (RETURNING, MIN and MAX)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def not_by_index(column: sa.Column) -> sa.ColumnElement:
    """`column` as an expression no index answers (`impor_id + 0`, `program || ''`), so that a
    few villages' rows are found through the village index. SQLite's planner, on sampled
    statistics, walked a batch's or a programme's index instead: refreshing 162 villages'
    partner reach nationally took 2.4-3.6 s (ix_kegiatan_impor over every active row)."""
    return column + 0 if isinstance(column.type, sa.Integer) else column.concat("")
