"""A store may hold more than one regency: names come from the store, and a regency filter
appears only when there is a choice to make."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest
import sqlalchemy as sa

from apptest_support import download, metrics, open_app, parse_angka
from readback import card_texts
from bulukumba import figures
from bulukumba.storage import demo, reference, store
from bulukumba.presentation import export
from bulukumba.regions import RegionsError, load_regions, pinned_source
from conftest import DEMO_DAY, new_store_url

DAY = DEMO_DAY  # the day of the two-regency store's figures (conftest.two_regencies_template)


def jeneponto_target(engine, program: str, value: int, start: dt.date, end: dt.date, basis: str) -> None:
    """An e-KTP recording target of Jeneponto's own (its regency code, no kecamatan)."""
    with engine.begin() as conn:
        batch = store.start_batch(conn, nama_file=f"target-{program}.csv", sha256=program.ljust(64, "t"),
                                  jenis="target", jumlah_baris=1, oleh="pengujian")
        conn.execute(store.target.insert().values(
            program=program, layanan="rekam_ektp", kecamatan_kode=None, kabupaten_kode="73.04", nilai=value,
            mulai=start, selesai=end, dasar=basis, impor_id=batch))


def test_one_regency_needs_no_regency_filter(demo_engine):
    at = open_app("pages/ringkasan.py")
    assert not at.exception
    assert "f_kab" not in [s.key for s in at.selectbox]
    assert figures.region_label(engine=demo_engine) == "Kabupaten Bulukumba"  # its name from the store


def test_a_second_regency_brings_the_filter_and_its_own_figures(two_regencies):
    url, engine = two_regencies
    assert list(figures.regencies(engine)["nama"]) == ["Bulukumba", "Jeneponto"]
    everything = figures.coverage_total(DAY, engine=engine)
    bulukumba = figures.coverage_total(DAY, engine=engine, kabupaten="73.02")
    assert everything.wajib_ktp == bulukumba.wajib_ktp + 3000
    assert figures.region_label(engine=engine) == "Semua wilayah (2 kabupaten/kota)"

    at = open_app("pages/ringkasan.py", db_url=url)
    assert not at.exception
    regency = at.selectbox(key="f_kab")
    assert regency.options == ["Semua kabupaten/kota", "Bulukumba", "Jeneponto"]
    assert at.selectbox(key="f_kec").disabled  # thousands of kecamatan nationally: a regency first
    assert parse_angka(metrics(at)["Wajib KTP"]) == everything.wajib_ktp
    regency.set_value("73.04").run()
    assert not at.exception
    assert parse_angka(metrics(at)["Wajib KTP"]) == 3000
    assert parse_angka(metrics(at)["Sudah rekam"]) == 2400
    assert any("Kabupaten Jeneponto" in c.value for c in at.caption)
    assert at.selectbox(key="f_kec").options == ["Semua kecamatan", "Bangkala"]
    assert at.query_params["kab"] == "73.04"  # a copied link opens the same regency


def test_a_chosen_regency_gets_its_own_verdict(two_regencies):
    """The GERTAK strip of a chosen regency reads that regency's target and figures and names
    it from the store; the whole store's target is not the regency's. Before, a chosen regency
    showed the whole store's verdict under the title "Kabupaten Bulukumba"."""
    from bulukumba.figures import verdict

    url, engine = two_regencies
    jeneponto_target(engine, "gertak_2018", 500, dt.date(2018, 1, 1), dt.date(2018, 12, 31), "registri")
    jeneponto = verdict.gertak_verdict(DAY, None, engine, "73.04")
    assert jeneponto.wilayah == "Kabupaten Jeneponto"
    assert (jeneponto.target, jeneponto.capaian, jeneponto.sisa) == (500, 0, 500)  # one snapshot: nothing since
    assert jeneponto.keadaan == "belum_ada_laju"  # one snapshot gives no pace
    everything = verdict.gertak_verdict(DAY, None, engine)
    assert everything.wilayah == "Semua wilayah (2 kabupaten/kota)"
    assert everything.target == figures.programme_status("gertak_2018", as_of=DAY, engine=engine).target != 500
    bulukumba = verdict.gertak_verdict(DAY, None, engine, "73.02")
    assert bulukumba.wilayah == "Kabupaten Bulukumba" and bulukumba.keadaan == "tanpa_target"

    for page in ("pages/ringkasan.py", "pages/gertak.py"):
        at = open_app(page, db_url=url, query={"kab": "73.04"})
        assert not at.exception
        strip = next(h.proto.body for h in at.get("html") if "vonis-judul" in h.proto.body)
        assert "GERTAK 2018 · Kabupaten Jeneponto" in strip and "data-vonis='sisa'" in strip
    # GERTAK's table per service follows the regency too: its one target, not the store's six.
    services = next(d.value for d in at.dataframe if "Layanan" in d.value.columns)
    assert list(services["Target"]) == [500]
    assert len(verdict.programme_verdicts("gertak_2018", "layanan", DAY, engine)) > 1


def test_an_office_imports_a_target_for_one_regency_by_its_name(two_regencies):
    """A target file of a store of several regencies names a regency in its area column: the
    target is that regency's (its verdict reads it), and the messages name regencies from the
    store. Before, every row without a kecamatan became the whole store's target, and a
    duplicate was reported as "Kabupaten Bulukumba" whatever the regency."""
    from bulukumba.figures import verdict
    from bulukumba.importer import import_bytes

    _, engine = two_regencies
    content = ("Program;Layanan;Kecamatan;Nilai;Mulai;Selesai;Dasar\n"
               "gertak_2018;rekam_ektp;Kabupaten Jeneponto;700;01/01/2018;31/12/2018;registri\n"
               "gertak_2018;akta_kematian;73.04;40;01/01/2018;31/12/2018;kegiatan_mitra\n"
               "gertak_2018;rekam_ektp;Bangkala;300;01/01/2018;31/12/2018;registri\n").encode()
    result = import_bytes(content, "target-jeneponto.csv", "target", engine)
    assert result.ok, result.pesan
    with engine.connect() as conn:
        rows = conn.execute(sa.select(store.target.c.layanan, store.target.c.kecamatan_kode,
                                      store.target.c.kabupaten_kode, store.target.c.nilai)
                            .where(store.target.c.impor_id == result.impor_id).order_by(store.target.c.id)).all()
    assert [tuple(r) for r in rows] == [("rekam_ektp", None, "73.04", 700), ("akta_kematian", None, "73.04", 40),
                                        ("rekam_ektp", "73.04.01", None, 300)]
    assert verdict.gertak_verdict(DAY, None, engine, "73.04").target == 700

    again = import_bytes(content.replace(b"Bangkala", b"Jeneponto"), "target-lagi.csv", "target", engine)
    assert not again.ok
    messages = [e.pesan for e in again.errors]
    assert any("untuk Kabupaten Jeneponto sudah ada di baris 2" in m for m in messages), messages
    warned = [w.pesan for w in again.warnings]
    assert any("untuk Kabupaten Jeneponto sudah ada di impor" in w for w in warned), warned


def test_activity_import_names_the_stores_regencies(two_regencies, engine):
    """A village named without its kecamatan is looked for in every regency the store holds, and
    the message says so; a partner written with the regency after its name is still found. Before,
    the message said "Kabupaten Bulukumba" whatever the store held."""
    from bulukumba.importer import import_bytes

    def activity(village: str, partner: str = "PMI") -> bytes:
        return ("Tanggal,Nama Mitra,Desa,Jenis Layanan,Jumlah,Metode\n"
                f"2018-06-20,{partner},{village},Perekaman e-KTP,5,Jemput Bola\n").encode()

    bulukumba_only = engine
    _, engine = two_regencies
    missing = import_bytes(activity("Desa Entah Berantah"), "kegiatan.csv", "kegiatan", engine)
    assert not missing.ok
    message = missing.errors[0].pesan
    assert "tidak ditemukan di data wilayah dasbor (2 kabupaten/kota)" in message and "Bulukumba" not in message
    found = import_bytes(activity("Tanah Towa"), "kegiatan.csv", "kegiatan", engine)  # in one of them
    assert found.ok, [e.pesan for e in found.errors]

    alone = import_bytes(activity("Desa Entah Berantah"), "kegiatan.csv", "kegiatan", bulukumba_only)
    assert "tidak ditemukan di Kabupaten Bulukumba" in alone.errors[0].pesan
    written = import_bytes(activity("Tanah Towa", "PPDI Kab. Jeneponto"), "kegiatan-ppdi.csv", "kegiatan", engine)
    assert written.ok, [e.pesan for e in written.errors]
    with engine.connect() as conn:
        partner = conn.execute(sa.select(store.kegiatan.c.mitra_kode)
                               .where(store.kegiatan.c.impor_id == written.impor_id)).scalar_one()
    assert partner == "ppdi"


def test_each_regency_gets_its_own_charts(two_regencies):
    """Charts are kept per data version and view (web.memo): a chosen regency is part of the
    view, so Mitra's cards for Jeneponto (no partner activity) are not the whole store's."""
    url, _ = two_regencies
    at = open_app("pages/mitra.py", db_url=url)
    assert not at.exception
    everything = card_texts(at, "grafik-mitra")
    assert everything["chart"]
    at.selectbox(key="f_kab").set_value("73.04").run()
    assert not at.exception
    jeneponto = card_texts(at, "grafik-mitra")
    assert not jeneponto["chart"] and jeneponto["title"] != everything["title"]
    assert "Kabupaten Jeneponto" in jeneponto["title"] + jeneponto["subtitle"] + str(jeneponto["sentence"])


def test_a_partners_villages_follow_the_chosen_regency(two_regencies):
    """Mitra's "Rincian mitra": the villages a partner reached, and their count, are the chosen
    regency's. Before, they were the whole store's under the regency's name."""
    url, engine = two_regencies
    with engine.begin() as conn:
        batch = store.start_batch(conn, nama_file="kegiatan-jeneponto.csv", sha256="k" * 64, jenis="kegiatan",
                                  jumlah_baris=1, oleh="pengujian")
        conn.execute(store.kegiatan.insert().values(
            tanggal=dt.date(2018, 3, 1), mitra_kode="pkk", desa_kode="73.04.01.2001", layanan="rekam_ektp",
            jumlah=9, cara="jemput_bola", rentan="umum", impor_id=batch))

    def partner_villages(kab):
        at = open_app("pages/mitra.py", db_url=url, query={"kab": kab})
        assert not at.exception
        at.selectbox(key="mitra-rinci").set_value("pkk").run()
        table = next(d.value for d in at.dataframe if "Desa/kelurahan" in d.value.columns)
        count = next(m.value for m in at.markdown if "Desa yang dijangkau" in m.value)
        return set(table["Desa/kelurahan"]), count

    villages, count = partner_villages("73.04")
    assert villages == {"Desa Satu"} and count == "**Desa yang dijangkau di Kabupaten Jeneponto: 1**"
    villages, count = partner_villages("73.02")
    assert "Desa Satu" not in villages and len(villages) > 1
    assert "Kabupaten Bulukumba" in count


def test_the_partnership_panel_is_the_chosen_regencys(two_regencies):
    """Mitra's 2017 partnership panel reads the chosen regency's target, and names it; the
    whole store's target is not a regency's. Before, it always showed the store's target as
    "seluruh kabupaten"."""
    url, engine = two_regencies

    def panel(kab):
        at = open_app("pages/mitra.py", db_url=url, query={"kab": kab} if kab else None)
        assert not at.exception
        return at

    everything = card_texts(panel(None), "grafik-kemitraan")
    assert "Semua wilayah (2 kabupaten/kota)" in everything["subtitle"]
    assert any("Belum ada target program kemitraan 2017 untuk Kabupaten Jeneponto" in i.value
               for i in panel("73.04").info)
    jeneponto_target(engine, "kemitraan_2017", 123, dt.date(2017, 5, 1), dt.date(2017, 12, 31), "kegiatan_mitra")
    jeneponto = card_texts(panel("73.04"), "grafik-kemitraan")
    assert "dari target 123 perekaman" in jeneponto["title"] and "Kabupaten Jeneponto" in jeneponto["subtitle"]


def test_the_map_page_asks_for_a_regency_instead_of_drawing_the_country(two_regencies):
    url, _ = two_regencies
    at = open_app("pages/peta.py", db_url=url)
    assert not at.exception
    assert any("pilih satu di panel samping" in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 0
    at.selectbox(key="f_kab").set_value("73.04").run()
    assert not at.exception  # Jeneponto has no pinned boundaries: figures, and a map message
    assert any("Peta tidak dapat ditampilkan" in w.value for w in at.warning)


def test_unduh_offers_village_histories_one_regency_at_a_time(two_regencies):
    """The whole country's per-village histories and monthly activity are millions of rows (past
    what an XLSX sheet holds): for all regencies the page says to choose one instead of
    building them; once one is chosen, they are there, with its rows only."""
    url, engine = two_regencies
    at = open_app("pages/unduh.py", db_url=url)
    assert not at.exception
    keys = {b.key for b in at.get("download_button")}
    for stem in ("riwayat-desa", "kegiatan-mitra"):
        assert f"unduh-{stem}-csv" not in keys
    assert sum("Pilih satu kabupaten/kota di samping" in c.value for c in at.caption) == 2
    assert "unduh-cakupan-desa-csv" in keys and "unduh-prioritas-desa-csv" in keys
    at.selectbox(key="f_kab").set_value("73.04").run()
    assert not at.exception
    keys = {b.key for b in at.get("download_button")}
    assert {"unduh-riwayat-desa-csv", "unduh-kegiatan-mitra-csv"} <= keys
    assert not any("Pilih satu kabupaten/kota di samping" in c.value for c in at.caption)
    assert any(m.value.startswith("**Riwayat per desa/kelurahan") and "· 2 baris" in m.value for m in at.markdown)
    book = openpyxl.load_workbook(io.BytesIO(download(at, "unduh-cakupan-desa-xlsx").content))
    notes = {r[0]: r[1] for r in book[export.NOTES_SHEET].iter_rows(min_row=2, values_only=True) if r[0]}
    assert notes["Filter: Wilayah"] == "Kabupaten Jeneponto"  # the region's name from the store


@pytest.fixture
def large_store(two_regencies):
    """Two regencies, the second with 70 more kecamatan of three villages each: 81 kecamatan and
    348 villages in the store, 71 kecamatan and 212 villages in Jeneponto, more than a screen's
    rows and a chart's bars."""
    url, engine = two_regencies
    with engine.begin() as conn:
        batch = store.start_batch(conn, nama_file="banyak.csv", sha256="b" * 64, jenis="registri",
                                  jumlah_baris=210, oleh="pengujian")
        for i in range(70):
            kec = f"73.04.{i + 10:02d}"
            conn.execute(store.kecamatan.insert().values(kode=kec, nama=f"Kecamatan Uji {i}", kabupaten_kode="73.04"))
            for j in range(3):
                conn.execute(store.desa.insert().values(kode=f"{kec}.200{j + 1}", nama=f"Desa Uji {i}-{j}", jenis="desa",
                                                        kecamatan_kode=kec, lat=-5.6, lng=119.6, luas_km2=5.0))
                conn.execute(store.registri.insert().values(desa_kode=f"{kec}.200{j + 1}", tanggal=DAY,
                                                            wajib_ktp=1000 + i, sudah_rekam=500 + 5 * i + j,
                                                            impor_id=batch))
    return url, engine


def test_the_public_page_of_a_large_store_stays_a_page(large_store):
    """A regency of more kecamatan and villages than a phone can scroll (here 71 kecamatan, 212
    villages; the whole country, 7,200 and 83,000, made a page of 41 MB): the bars show the 40
    kecamatan with the lowest coverage and the village table its first 200 rows, each saying so;
    the village download still holds every village of the regency."""
    url, engine = large_store
    villages = 2 + 210
    at = open_app("pages/publik.py", role=None, db_url=url, query={"kab": "73.04"})
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert "Ditampilkan 40 kecamatan dengan cakupan terendah dari 71 kecamatan." in captions
    assert any(c.startswith(f"Ditampilkan 200 baris pertama dari {villages}.") for c in captions)
    bars = next(m.value for m in at.markdown if m.value.startswith("<svg") and "Uji" in m.value)
    assert bars.count("<rect") <= 40 + 5  # the bars and the chart's few furniture rects
    table = next(h for h in at.get("html") if "Desa/kelurahan" in h.proto.body and "<tr" in h.proto.body)
    # Two forms of the table (wide screens, phones), each a header row and 200 villages.
    assert table.proto.body.count("<tr") == 2 * (200 + 1)
    assert max(len(h.proto.body) for h in at.get("html")) < 300_000
    every_village = csv.DictReader(io.StringIO(download(at, "publik-unduh-desa-csv").content.decode("utf-8")))
    assert sum(1 for row in every_village if row["kode"][:2] == "73") == villages


def test_the_public_page_publishes_one_regency_at_a_time(two_regencies):
    """A store of several regencies publishes each regency on its own (nationally the whole
    country's published set took 5-6 s to build; a regency's, a fraction of a second). A
    visitor sees the first regency, chooses another, and the link keeps the choice; the figures
    are that regency's, its title names it, and no village of another regency is in its set."""
    url, engine = two_regencies
    at = open_app("pages/publik.py", role=None, db_url=url)
    assert not at.exception
    choice = at.selectbox(key="publik-kab")
    assert choice.options == ["Bulukumba", "Jeneponto"] and choice.value == "73.02"
    assert [t.value for t in at.title] == ["Perekaman e-KTP Kabupaten Bulukumba"]
    bulukumba = figures.coverage_total(DAY, engine=engine, kabupaten="73.02")
    assert parse_angka(metrics(at)["Wajib KTP"]) == bulukumba.wajib_ktp

    choice.set_value("73.04").run()
    assert not at.exception
    assert at.query_params["kab"] == "73.04"  # a copied link opens the same regency
    assert [t.value for t in at.title] == ["Perekaman e-KTP Kabupaten Jeneponto"]
    assert parse_angka(metrics(at)["Wajib KTP"]) == 3000
    assert parse_angka(metrics(at)["Belum rekam"]) == 600
    villages = list(csv.DictReader(io.StringIO(download(at, "publik-unduh-desa-csv").content.decode("utf-8"))))
    assert {(v["jenis"], v["nama"]) for v in villages} >= {("desa", "Desa Satu"), ("kelurahan", "Kelurahan Dua")}
    assert not any(v["kecamatan_nama"] == "Kajang" for v in villages)

    again = open_app("pages/publik.py", role=None, db_url=url, query={"kab": "73.04"})
    assert not again.exception and again.selectbox(key="publik-kab").value == "73.04"


def test_the_public_page_dates_a_regency_by_its_own_newest_snapshot(two_regencies):
    """Bulukumba sends July's file; Jeneponto's newest is still June's. Jeneponto's public page
    says its data are of 30 June, not of Bulukumba's newer date."""
    url, engine = two_regencies
    july = DAY + dt.timedelta(days=31)
    with engine.begin() as conn:
        batch = store.start_batch(conn, nama_file="juli.csv", sha256="l" * 64, jenis="registri",
                                  jumlah_baris=1, oleh="pengujian")
        conn.execute(store.registri.insert().values(desa_kode="73.02.06.2006", tanggal=july, wajib_ktp=3200,
                                                    sudah_rekam=2600, impor_id=batch))
    for kab, newest in (("73.04", "30 Juni 2018"), ("73.02", "31 Juli 2018")):
        at = open_app("pages/publik.py", role=None, db_url=url, query={"kab": kab})
        assert not at.exception
        assert at.caption[0].value.startswith(f"Data per {newest} ·"), at.caption[0].value


@pytest.mark.slow
@pytest.mark.both_databases
def test_a_regency_is_protected_as_if_it_were_the_whole_store(two_regencies, tmp_path, regions):
    """Publishing per regency protects exactly what the regency's own store would: every cell
    of Bulukumba's published set has the status it has in a store holding Bulukumba alone."""
    from bulukumba import disclosure

    url, engine = two_regencies
    alone = store.engine_for(new_store_url(tmp_path, "sendiri"))
    reference.ensure_reference(alone, regions)
    demo.load(alone, as_of=DAY)
    kajang = sorted(figures.coverage_villages(DAY, "73.02.06", alone)["kode"])[:2]
    for each in (engine, alone):  # two villages of Kajang with 2 and 3 unrecorded: hidden, with complements
        with each.begin() as conn:
            batch = store.start_batch(conn, nama_file="kecil.csv", sha256="k" * 64, jenis="registri",
                                      jumlah_baris=2, oleh="pengujian")
            conn.execute(store.registri.insert(), [
                {"desa_kode": kode, "tanggal": DAY, "wajib_ktp": 900, "sudah_rekam": 900 - small, "impor_id": batch}
                for kode, small in zip(kajang, (2, 3))])
    together = disclosure.public_view(DAY, engine, kabupaten="73.02")
    apart = disclosure.public_view(DAY, alone)
    for name in ("registri", "rentan"):
        mine, theirs = getattr(together.publikasi, name), getattr(apart.publikasi, name)
        assert mine.status == theirs.status
        assert {c.key: c.value for c in mine.table.cells()} == {c.key: c.value for c in theirs.table.cells()}
    assert together.sebelumnya == apart.sebelumnya and together.sebelumnya is not None
    pd.testing.assert_frame_equal(together.riwayat, apart.riwayat)  # the same published trend
    assert together.disamarkan == apart.disamarkan and sum(together.disamarkan.values()) > 0
    assert list(together.desa["teks_belum_rekam"]) == list(apart.desa["teks_belum_rekam"])
    assert together.kabupaten == apart.kabupaten


def test_ringkasan_of_a_large_store_draws_the_lowest_kecamatan_and_says_so(large_store):
    url, engine = large_store
    at = open_app("pages/ringkasan.py", db_url=url)
    assert not at.exception
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("grafik-kecamatan"))
    dots = json.loads(chart.proto.spec)["data"][0]
    kec = figures.coverage_kecamatan(DAY, engine).dropna(subset=["cakupan"])
    assert len(kec) == 81 and len(dots["y"]) == 40
    assert set(dots["y"]) == set(kec.nsmallest(40, "cakupan")["nama"])
    shown = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert any("Ditampilkan 40 kecamatan dengan cakupan terendah dari 81 kecamatan." in v for v in shown)


def test_boundaries_of_another_regency_say_what_to_do():
    with pytest.raises(RegionsError) as raised:
        pinned_source("73.04")
    message = str(raised.value)
    assert "73.02 (Bulukumba)" in message and "wilayah_boundaries_kel_73.04.sql" in message
    assert "BULUKUMBA_KABUPATEN=73.04" in message and "PINNED_SOURCES" in message
    with pytest.raises(RegionsError):
        load_regions(kabupaten="73.04")


def test_bulukumba_boundaries_name_their_regency(regions):
    assert (regions.kabupaten_kode, regions.kabupaten_nama) == ("73.02", "Bulukumba")
