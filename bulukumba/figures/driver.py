"""The one place the data module reaches past SQLAlchemy's public API, for speed: a result's
rows straight from the database driver. Checked by tests/test_library_internals.py, which fails
loudly when a SQLAlchemy upgrade (pinned in requirements.txt) moves what is used here.

- `CursorResult.cursor`: the DBAPI cursor behind a result.
- `CursorResult._metadata._effective_processors`: SQLAlchemy's record of the converters it
  would apply to each column; None when there are none.
"""
from __future__ import annotations

import sqlalchemy as sa


def needs_no_conversion(result: sa.CursorResult) -> bool:
    """True when SQLAlchemy would hand back the driver's values unchanged (PostgreSQL gives dates,
    numbers and text as Python wants them; SQLite's dates are text and need converting). An
    unknown answer (the attribute gone) is False: rows then go through SQLAlchemy as usual."""
    return getattr(result._metadata, "_effective_processors", ()) is None


def driver_rows(result: sa.CursorResult) -> list[tuple]:
    """Every remaining row as the driver's own tuple, read in one call."""
    return result.cursor.fetchall()


def plain_rows(result: sa.CursorResult) -> list[tuple]:
    """A result's rows as plain tuples, not SQLAlchemy Rows (pandas asks every row for namedtuple
    fields, and a Row answers a missing attribute by building an exception): the driver's own
    rows in one call where nothing needs converting, else each Row as a tuple."""
    if needs_no_conversion(result):
        return driver_rows(result)
    return [tuple(row) for row in result]
