"""Signed-in sessions: the cookie is signed, expires, and can be revoked; a restart keeps it."""
from __future__ import annotations

import datetime as dt
import os
import stat
from unittest import mock

import pytest
import sqlalchemy as sa

from bulukumba.server import auth
from bulukumba import config
from bulukumba.storage import store
from bulukumba.server import sessions
from bulukumba.server.sessions import KEDALUWARSA, KELUAR, TIDAK_AKTIF, TIDAK_SAH, Sessions

KEY = "k" * 40
IDLE, LIFETIME = dt.timedelta(hours=12), dt.timedelta(days=7)


class Clock:
    def __init__(self):
        self.now = dt.datetime(2018, 3, 31, 8, 0)

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def keeper(tmp_path, clock):
    engine = store.make_engine(f"sqlite:///{tmp_path / 'sesi.sqlite'}")
    yield Sessions(engine, KEY, IDLE, LIFETIME, clock)
    engine.dispose()


def rows(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(store.sesi)).mappings().all()


def test_a_session_cookie_signs_its_user_in_and_the_store_keeps_only_a_digest(keeper):
    cookie = keeper.start("kadis")
    assert keeper.check(cookie) == sessions.Check("kadis")
    [row] = rows(keeper.engine)
    token = keeper._signer.loads(cookie)
    assert row["pengguna"] == "kadis" and row["id"] != token and token not in cookie.split(".")[-1]
    assert row["id"] == sessions._digest(token) and len(row["id"]) == 64


def test_a_changed_or_foreign_cookie_signs_nobody_in(keeper, clock):
    cookie = keeper.start("kadis")
    tampered = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    assert keeper.check(tampered) == sessions.Check(None, TIDAK_SAH)
    other_install = Sessions(keeper.engine, "x" * 40, IDLE, LIFETIME, clock)
    assert other_install.check(cookie) == sessions.Check(None, TIDAK_SAH)
    # A correctly signed token the store does not know (e.g. from another store) is no session.
    assert keeper.check(keeper._signer.dumps("dibuat-sendiri")) == sessions.Check(None, TIDAK_SAH)
    assert keeper.check("") == sessions.Check(None) and keeper.check(None) == sessions.Check(None)


def test_a_session_ends_after_the_idle_lifetime_without_activity(keeper, clock):
    cookie = keeper.start("kadis")
    clock.advance(hours=11, minutes=59)
    assert keeper.check(cookie).username == "kadis"  # a look without activity (the refresh tick)
    clock.advance(minutes=2)
    assert keeper.check(cookie) == sessions.Check(None, TIDAK_AKTIF)


def test_activity_keeps_a_session_open_until_the_absolute_lifetime(keeper, clock):
    cookie = keeper.start("kadis")
    for _ in range(27):  # six days and 18 hours of use, every six hours
        clock.advance(hours=6)
        assert keeper.check(cookie, touch=True).username == "kadis"
    clock.advance(hours=5, minutes=59)  # 7 days less a minute after signing in
    assert keeper.check(cookie, touch=True).username == "kadis"
    clock.advance(minutes=2)
    assert keeper.check(cookie, touch=True) == sessions.Check(None, KEDALUWARSA)


def test_activity_is_written_at_most_once_a_minute(keeper, clock):
    cookie = keeper.start("kadis")
    started = rows(keeper.engine)[0]["terakhir"]
    clock.advance(seconds=30)
    keeper.check(cookie, touch=True)
    assert rows(keeper.engine)[0]["terakhir"] == started
    clock.advance(seconds=31)
    keeper.check(cookie, touch=True)
    assert rows(keeper.engine)[0]["terakhir"] == clock.now


def test_a_cookie_signed_longer_ago_than_the_lifetime_is_refused_by_its_signature(keeper):
    with mock.patch("itsdangerous.timed.time.time", return_value=1_000_000_000):
        cookie = keeper._signer.dumps("lama")
    assert keeper.check(cookie) == sessions.Check(None, KEDALUWARSA)


def test_signing_out_revokes_the_session_for_every_tab_but_not_other_sessions(keeper):
    laptop, phone = keeper.start("kadis"), keeper.start("kadis")
    assert keeper.end(laptop) == "kadis"
    assert keeper.check(laptop) == sessions.Check(None, KELUAR)
    assert keeper.check(phone).username == "kadis"
    assert keeper.end(laptop) == "kadis"  # again: still ended, nothing else changes
    assert keeper.check(laptop) == sessions.Check(None, KELUAR)
    assert keeper.end("bukan-cookie") is None


def test_sessions_survive_a_restart(tmp_path, monkeypatch):
    """A new process: new engines on the same store, the key read back from its file."""
    monkeypatch.setenv("BULUKUMBA_SESSION_KEY_FILE", str(tmp_path / "kunci"))
    url = f"sqlite:///{tmp_path / 'sesi.sqlite'}"
    cookie = sessions.sessions_for(url, {}).start("kadis")
    sessions._key_from_file.cache_clear()
    sessions._sessions.cache_clear()
    sessions.session_engine.cache_clear()
    assert sessions.sessions_for(url, {}).check(cookie).username == "kadis"


# ---------------------------------------------------------------------------------------------
# Sessions never wait on an import
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def sqlite_store(tmp_path, monkeypatch):
    """A SQLite store (the regions are not needed) and the sessions of its URL."""
    monkeypatch.setenv("BULUKUMBA_SESSION_KEY_FILE", str(tmp_path / "kunci"))
    url = f"sqlite:///{tmp_path / 'bulukumba.sqlite'}"
    store.make_engine(url).dispose()
    yield url, sessions.sessions_for(url, {})
    sessions._sessions.cache_clear()
    sessions.session_engine.cache_clear()


def hold_write_lock(path):
    """What an import does to a SQLite store for the whole of its write: hold the write lock."""
    import sqlite3

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_sqlite_stores_sessions_live_in_their_own_file_beside_it(sqlite_store, tmp_path):
    url, keeper = sqlite_store
    assert sessions.session_store_path(url) == tmp_path / "bulukumba-sesi.sqlite"
    assert str(keeper.engine.url.database) == str(tmp_path / "bulukumba-sesi.sqlite")
    assert sessions.session_store_path("postgresql+psycopg://u@h/bulukumba") is None  # rows: in the store
    assert sessions.session_store_path("sqlite://") is None


def test_signing_in_noting_activity_and_signing_out_never_wait_on_the_stores_write_lock(sqlite_store, tmp_path):
    url, keeper = sqlite_store
    earlier = keeper.start("kadis")
    holder = hold_write_lock(tmp_path / "bulukumba.sqlite")
    try:
        cookie = keeper.start("op")  # the store's lock would keep this waiting, then fail
        assert keeper.check(cookie).username == "op"
        keeper._clock = lambda: sessions._now() + dt.timedelta(minutes=5)  # activity is due
        assert keeper.check(earlier, touch=True).username == "kadis"
        assert keeper.end(cookie) == "op"
    finally:
        holder.rollback()
        holder.close()
    [row] = [r for r in rows(keeper.engine) if r["pengguna"] == "kadis"]
    assert row["terakhir"] > row["dibuat"] + dt.timedelta(minutes=4)


def test_activity_that_cannot_be_written_at_once_is_written_by_a_later_run(keeper, clock, tmp_path):
    cookie = keeper.start("kadis")
    clock.advance(minutes=5)
    holder = hold_write_lock(tmp_path / "sesi.sqlite")  # another session write, held long
    try:
        assert keeper.check(cookie, touch=True) == sessions.Check("kadis")  # answered, not written
    finally:
        holder.rollback()
        holder.close()
    assert rows(keeper.engine)[0]["terakhir"] == clock.now - dt.timedelta(minutes=5)
    keeper.check(cookie, touch=True)
    assert rows(keeper.engine)[0]["terakhir"] == clock.now


def test_sessions_the_store_kept_before_are_kept_after_the_move(tmp_path, monkeypatch):
    monkeypatch.setenv("BULUKUMBA_SESSION_KEY_FILE", str(tmp_path / "kunci"))
    url = f"sqlite:///{tmp_path / 'bulukumba.sqlite'}"
    engine = store.make_engine(url)  # sessions as an older release kept them: in the store
    before = Sessions(engine, sessions.load_key({}), IDLE, LIFETIME)
    open_one, ended = before.start("kadis"), before.start("op")
    before.end(ended)
    engine.dispose()
    after = sessions.sessions_for(url, {})
    try:
        assert after.engine.url.database.endswith("bulukumba-sesi.sqlite")
        assert after.check(open_one).username == "kadis"
        assert after.check(ended) == sessions.Check(None, KELUAR)
    finally:
        sessions._sessions.cache_clear()
        sessions.session_engine.cache_clear()


def test_old_rows_are_dropped_when_someone_signs_in(keeper, clock):
    old = keeper.start("kadis")
    keeper.end(old)
    clock.advance(days=8)
    keeper.start("op")
    assert [r["pengguna"] for r in rows(keeper.engine)] == ["op"]


def test_the_lifetimes_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BULUKUMBA_SESSION_IDLE_HOURS", "0.5")
    monkeypatch.setenv("BULUKUMBA_SESSION_MAX_DAYS", "2")
    keeper = sessions.sessions_for(f"sqlite:///{tmp_path / 'x.sqlite'}", {"sesi": {"kunci": KEY}})
    assert (keeper.idle, keeper.lifetime) == (dt.timedelta(minutes=30), dt.timedelta(days=2))
    assert keeper.max_age_seconds == 2 * 24 * 3600
    assert "30 menit" in sessions.notice(TIDAK_AKTIF) and "2 hari" in sessions.notice(KEDALUWARSA)


def test_the_key_is_generated_once_per_install_owner_only_and_never_shown(tmp_path, caplog):
    path = tmp_path / "data" / "kunci-sesi"
    with caplog.at_level("INFO"):
        key = sessions.load_key({}, path)
    assert len(key) >= sessions.MIN_KEY_LENGTH and path.read_text() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sessions.load_key({}, path) == key
    assert key not in caplog.text and key not in repr(Sessions(store.make_engine("sqlite://"), key, IDLE, LIFETIME))
    assert not [p for p in path.parent.iterdir() if p.name != "kunci-sesi"]  # no temporary left behind


def test_a_key_file_readable_by_others_is_narrowed(tmp_path):
    path = tmp_path / "kunci"
    path.write_text("r" * 48)
    os.chmod(path, 0o644)
    assert sessions.load_key({}, path) == "r" * 48
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_key_from_secrets_wins_and_a_short_one_is_refused(tmp_path):
    assert sessions.load_key({"sesi": {"kunci": KEY}}, tmp_path / "tidak-dipakai") == KEY
    assert not (tmp_path / "tidak-dipakai").exists()
    with pytest.raises(auth.ConfigError, match="minimal 32"):
        sessions.load_key({"sesi": {"kunci": "pendek"}}, tmp_path / "x")


def test_the_default_key_file_lives_in_the_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("BULUKUMBA_SESSION_KEY_FILE", raising=False)
    monkeypatch.setenv("BULUKUMBA_DATA_DIR", str(tmp_path))
    assert config.session_key_file() == tmp_path / "kunci-sesi"
