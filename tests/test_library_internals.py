"""Where the project reaches past a library's public API, a library upgrade must fail here, loudly,
rather than make something slow or wrong in silence: SQLAlchemy's result internals in the data
module (bulukumba/figures/driver.py), and Streamlit's component manifest scan that the tests run
once per process (tests/conftest.py) instead of once per AppTest."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from bulukumba.figures import driver


def test_sqlalchemy_still_records_when_a_result_needs_no_conversion(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'uji.sqlite'}")
    table = sa.Table("t", sa.MetaData(), sa.Column("kode", sa.String), sa.Column("n", sa.Integer),
                     sa.Column("tanggal", sa.Date))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"kode": "a", "n": 1, "tanggal": dt.date(2018, 6, 30)}])
    with engine.connect() as conn:
        plain = conn.execute(sa.select(table.c.kode, table.c.n))
        assert hasattr(plain._metadata, "_effective_processors"), "SQLAlchemy moved _effective_processors"
        assert driver.needs_no_conversion(plain)
        assert driver.plain_rows(plain) == [("a", 1)]
        # SQLite keeps dates as text: SQLAlchemy must convert them, so its Rows are used.
        dated = conn.execute(sa.select(table.c.kode, table.c.tanggal))
        assert not driver.needs_no_conversion(dated)
        assert driver.plain_rows(dated) == [("a", dt.date(2018, 6, 30))]
        assert driver.driver_rows(conn.execute(sa.select(table.c.n))) == [(1,)]
    engine.dispose()


def test_streamlit_still_scans_component_manifests_where_the_tests_patch_it():
    """conftest.py replaces manifest_scanner.scan_component_manifests; Streamlit must still look
    it up in that module when it registers components, or every AppTest scans again (1-2 s)."""
    import inspect

    from streamlit.components.v2 import component_manager, manifest_scanner

    assert callable(manifest_scanner.scan_component_manifests)
    source = inspect.getsource(component_manager)
    assert "from streamlit.components.v2.manifest_scanner import" in source, "Streamlit moved the scan"
    assert "scan_component_manifests()" in source, "Streamlit calls the scan differently"
