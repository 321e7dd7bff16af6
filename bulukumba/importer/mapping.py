"""Column mapping: what the operator said an unrecognised column means, remembered per header
spelling and file kind in the store (`store.pemetaan_kolom`), listed and removable on the
Kelola data page.

The command line says the same with `--kolom "Nama Desa/Kel=nama_desa"` (repeatable; the right
side is a column name, its label, or `abaikan`).
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from bulukumba.storage import store
from bulukumba.importer import headers as vocab
from bulukumba.importer.headers import IGNORE, KINDS, LABELS, spelling_key
from bulukumba.importer.values import key


def remembered(conn: sa.Connection) -> dict[str, dict[str, str]]:
    """kind -> {spelling key -> column or 'abaikan'}."""
    found: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
    t = store.pemetaan_kolom
    for jenis, judul_kunci, kolom in conn.execute(sa.select(t.c.jenis, t.c.judul_kunci, t.c.kolom)):
        found.setdefault(jenis, {})[judul_kunci] = kolom
    return found


def remember(conn: sa.Connection, kind: str, choices: list[tuple[str, str]], oleh: str | None) -> None:
    """Store (header as written, column or 'abaikan') pairs for `kind`, replacing earlier ones."""
    t = store.pemetaan_kolom
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for header, target in choices:
        if target not in choice_targets(kind):
            raise ValueError(f"{target!r} bukan kolom untuk jenis {kind}")
        k = spelling_key(header)
        conn.execute(t.delete().where(t.c.jenis == kind, t.c.judul_kunci == k))
        conn.execute(t.insert().values(jenis=kind, judul_kunci=k, judul=header[:200], kolom=target,
                                       waktu=now, oleh=(oleh or store.current_user())[:80]))


def remember_choices(engine, kind: str, choices: list[tuple[str, str]], oleh: str | None) -> None:
    with engine.begin() as conn:
        remember(conn, kind, choices, oleh)


def forget(engine, kind: str, judul_kunci: str) -> bool:
    """Remove one remembered mapping; True if there was one."""
    t = store.pemetaan_kolom
    with engine.begin() as conn:
        done = conn.execute(t.delete().where(t.c.jenis == kind, t.c.judul_kunci == judul_kunci))
    return bool(done.rowcount)


def listing(engine) -> pd.DataFrame:
    """Every remembered mapping, newest first: jenis, judul_kunci, judul, kolom, oleh, waktu."""
    t = store.pemetaan_kolom
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.jenis, t.c.judul_kunci, t.c.judul, t.c.kolom, t.c.oleh,
                                      t.c.waktu).order_by(t.c.waktu.desc(), t.c.judul)).all()
    return pd.DataFrame(rows, columns=["jenis", "judul_kunci", "judul", "kolom", "oleh", "waktu"])


def choice_targets(kind: str) -> tuple[str, ...]:
    """What the operator may choose for a column of a file of `kind`."""
    return (*vocab.targets(kind), IGNORE)


def choice_label(target: str) -> str:
    return LABELS.get(target, target)


def _target_of(text: str) -> str | None:
    wanted = key(text)
    for target in (*{t for kind in KINDS for t in vocab.targets(kind)}, IGNORE):
        if wanted in (key(target), key(LABELS.get(target, target))):
            return target
    return None


def parse_choices(items: list[str] | None) -> dict[str, str]:
    """`--kolom "JUDUL=kolom"` items -> {spelling key: column}. Raises ValueError (Indonesian)."""
    choices = {}
    for item in items or []:
        header, sep, target_text = item.rpartition("=")
        if not sep or not header.strip() or not target_text.strip():
            raise ValueError(f"--kolom {item!r}: tulis JUDUL=kolom, mis. --kolom \"Nama Desa/Kel=nama_desa\"")
        target = _target_of(target_text)
        if target is None:
            every = sorted({t for kind in KINDS for t in vocab.targets(kind)})
            raise ValueError(f"--kolom {item!r}: {target_text.strip()!r} bukan nama kolom; pilih salah "
                             f"satu: {', '.join(every)}, atau {IGNORE}")
        choices[spelling_key(header.strip())] = target
    return choices
