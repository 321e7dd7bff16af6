"""What was published, kept in the store (`terbitan`), per regency, table, date and publication.

A reader may hold every publication: each date the page showed, each time a date was shown
again with other figures (a late batch of partner activity), and the earlier dates whose
regency figures the trends draw. So a new publication is audited against all of them
(suppress.py), and what was published is what was recorded here, not what would be published
now.

Several dashboard processes may serve one store. Each builds from what it read; the record is
written only if nothing was recorded for the regency since (checked under a lock), else the
build reads again and audits against the newcomers: the same figures give the same statuses,
so a second process finds its publication there and records nothing.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

import sqlalchemy as sa

from bulukumba.storage import store
from bulukumba.disclosure.cells import INF, Cell, Published, Table, Tree

T = store.terbitan
REGISTRY, VULNERABLE = "registri", "rentan"


# ---------------------------------------------------------------------------------------------
# A table as JSON
# ---------------------------------------------------------------------------------------------

def _cell(cell: Cell) -> list:
    return [list(cell.key), cell.value, None if cell.upper == INF else cell.upper, cell.total, cell.hideable,
            None if cell.companion is None else [None if v == INF else v for v in cell.companion], cell.published]


def _tree(tree: Tree) -> list:
    return [_cell(tree.cell), [_tree(child) for child in tree.children]]


def figures(table: Table) -> dict:
    """The table's structure and figures, without statuses."""
    return {"nama": table.name, "kumulatif": table.cumulative, "masuk": [_cell(c) for c in table.inflow],
            "keluar": [_tree(t) for t in table.outflow]}


def sidik(table: Table) -> str:
    """The fingerprint of a table's figures: the same figures, the same publication."""
    return hashlib.sha256(json.dumps(figures(table), sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _dump(published: Published) -> str:
    statuses = [[list(key), status] for key, status in published.status.items()]
    return json.dumps({"tabel": figures(published.table), "status": statuses}, separators=(",", ":"))


def _key(value) -> tuple:
    return tuple(value)


def _read_cell(raw: list) -> Cell:
    key, value, upper, total, hideable, companion, published = raw
    return Cell(_key(key), int(value), INF if upper is None else upper, total, hideable,
                None if companion is None else tuple(INF if v is None else v for v in companion), published)


def _read_tree(raw: list) -> Tree:
    return Tree(_read_cell(raw[0]), [_read_tree(child) for child in raw[1]])


def _load(text: str, tanggal: dt.date, urutan: int, fingerprint: str) -> Published:
    raw = json.loads(text)
    table = raw["tabel"]
    built = Table(table["nama"], [_read_cell(c) for c in table["masuk"]], [_read_tree(t) for t in table["keluar"]],
                  table["kumulatif"])
    return Published(built, {_key(key): status for key, status in raw["status"]}, tanggal, urutan, fingerprint)


# ---------------------------------------------------------------------------------------------
# Reading and recording
# ---------------------------------------------------------------------------------------------

@dataclass
class History:
    """Every publication of one regency, by table, in the order they were published."""
    wilayah: str
    tables: dict[str, list[Published]] = field(default_factory=lambda: {REGISTRY: [], VULNERABLE: []})
    newest: int = 0              # the store's last id for the regency when read

    def latest(self, table: str, tanggal: dt.date) -> Published | None:
        """The last publication of `table` for `tanggal`."""
        found = [p for p in self.tables[table] if p.tanggal == tanggal]
        return found[-1] if found else None


def load(engine: sa.Engine, wilayah: str) -> History:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(T.c.id, T.c.tabel, T.c.tanggal, T.c.sidik, T.c.isi)
                            .where(T.c.wilayah == wilayah).order_by(T.c.id)).all()
    history = History(wilayah)
    for row in rows:
        tanggal = row.tanggal if isinstance(row.tanggal, dt.date) else dt.date.fromisoformat(str(row.tanggal))
        history.tables[row.tabel].append(_load(row.isi, tanggal, row.id, row.sidik))
        history.newest = row.id
    return history


def _lock(conn: sa.Connection) -> None:
    """One recorder at a time: PostgreSQL's advisory lock, SQLite's write lock (a write that
    changes nothing takes it, so the check that follows reads what the last recorder left)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7302006)"))
    else:
        conn.execute(store.meta.update().where(store.meta.c.kunci == "versi").values(nilai=store.meta.c.nilai))


def record(engine: sa.Engine, history: History, new: list[tuple[str, Published]], version: int) -> bool:
    """Record `new` publications, made against `history`; False (nothing written) when another
    process recorded one for the regency since it was read: audit again against that."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with engine.begin() as conn:
        _lock(conn)
        newest = conn.execute(sa.select(sa.func.max(T.c.id)).where(T.c.wilayah == history.wilayah)).scalar()
        if (newest or 0) != history.newest:
            return False
        for table, published in new:
            conn.execute(T.insert().values(wilayah=history.wilayah, tabel=table, tanggal=published.tanggal,
                                           sidik=published.sidik or sidik(published.table), isi=_dump(published),
                                           versi=version, waktu=now))
    return True
