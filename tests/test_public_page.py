"""A resident on the public page: find my village, how to get recorded, tables a phone can read.

Figures a page shows are compared with the published set (bulukumba.disclosure) asked the same
question, on real stores: the demo, the data states an office meets (data_states.py), and a
store where villages have fewer than five unrecorded.
"""
from __future__ import annotations

import html
import re

import pandas as pd
import pytest

from apptest_support import PROJECT, open_app, parse_angka
from bulukumba.presentation import citizen, contact, htmltables, tables
from bulukumba import config, disclosure
from bulukumba.language import search
from bulukumba.storage import store
from bulukumba.language import texts
from data_states import STATES, store_for


@pytest.fixture(scope="module")
def public():
    """The public page as a visitor opens it (the app's own store: the demo)."""
    return open_app(role=None)


@pytest.fixture(scope="module")
def published(public):
    """The published set of the store the app uses (prepared by its first run)."""
    return disclosure.public_view(engine=store.engine_for(config.database_url()))


def village(view, name: str, kecamatan: str | None = None) -> pd.Series:
    rows = view.desa[(view.desa["nama"] == name)
                     & ((view.desa["kecamatan_nama"] == kecamatan) if kecamatan else True)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def html_bodies(at) -> list[str]:
    return [h.proto.body for h in at.get("html")]


def card(at) -> str:
    cards = [b for b in html_bodies(at) if "class='kartu' data-desa=" in b]
    assert len(cards) == 1, f"{len(cards)} village cards"
    return cards[0]


def text_of(fragment: str) -> str:
    """The words of an HTML fragment, as a reader sees them (one space between)."""
    return " ".join(html.unescape(re.sub(r"<style>.*?</style>|<[^>]+>", " ", fragment, flags=re.S)).split())


# ---------------------------------------------------------------------------------------------
# Find my village
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["Tanah Towa", "tanah towa", "Desa Tanah Towa", "desa  TANAH-TOWA",
                                   "tanah towo", "tana towa", "tanahtowa", "Tanah Towa Kajang"])
def test_a_village_is_found_with_or_without_desa_and_with_a_typo(published, query):
    found = search.find(published.desa, query)
    assert found and (found[0].nama, found[0].kecamatan_nama) == ("Tanah Towa", "Kajang")


def test_kelurahan_prefixes_and_two_villages_of_one_name(published):
    assert search.find(published.desa, "Kelurahan Caile")[0].nama == "Caile"
    assert search.find(published.desa, "kel. caile")[0].nama == "Caile"
    both = search.find(published.desa, "Lembanna")
    assert {(m.nama, m.kecamatan_nama) for m in both[:2]} == {("Lembanna", "Kajang"), ("Lembanna", "Bonto Bahari")}
    assert [(m.nama, m.kecamatan_nama) for m in search.find(published.desa, "lembanna kajang")][0] == \
        ("Lembanna", "Kajang")


def test_a_kecamatan_name_lists_its_villages_and_nonsense_finds_nothing(published):
    bonto_bahari = published.desa[published.desa["kecamatan_nama"] == "Bonto Bahari"]
    found = search.find(published.desa, "Bonto Bahari")
    assert sorted(m.kode for m in found) == sorted(bonto_bahari["kode"])
    assert search.find(published.desa, "qwertyuiop") == []
    assert search.find(published.desa, "  ") == []


def test_the_search_box_opens_the_card_with_the_published_figures(public, published):
    at = public
    at.text_input(key="cari-desa").input("desa tanah towo").run()
    assert not at.exception
    row = village(published, "Tanah Towa")
    shown = text_of(card(at))
    assert "Desa Tanah Towa" in shown and "Kecamatan Kajang" in shown and texts.DEMO_LABEL in shown
    assert row["teks_cakupan"] in shown and f"Belum rekam {row['teks_belum_rekam']}" in shown
    peers = published.desa[published.desa["kecamatan_kode"] == row["kecamatan_kode"]]
    assert f"ke-{row['peringkat_kecamatan']} dari {peers['peringkat_kecamatan'].notna().sum()}" in shown
    office = contact.load()
    assert office.alamat in shown and office.layanan[0].judul in shown


def test_two_villages_of_one_name_are_offered_to_choose_from(public, published):
    at = public
    at.text_input(key="cari-desa").input("Lembanna").run()
    choice = at.get("button_group")[0]
    assert {"Lembanna · Kec. Kajang", "Lembanna · Kec. Bonto Bahari"} <= set(choice.options)
    first = card(at).split("data-desa='")[1].split("'")[0]
    other = next(village(published, "Lembanna", k)["kode"] for k in ("Kajang", "Bonto Bahari")
                 if village(published, "Lembanna", k)["kode"] != first)
    choice.set_value(other).run()
    assert f"data-desa='{other}'" in card(at)


def test_a_name_that_is_nowhere_says_so(public):
    at = public
    at.text_input(key="cari-desa").input("Zzyzx").run()
    assert any("Zzyzx" in i.value for i in at.info)
    assert not [b for b in html_bodies(at) if "class='kartu' data-desa=" in b]


def test_a_link_to_a_village_opens_its_card(published):
    row = village(published, "Bira")
    at = open_app(role=None, query={"desa": row["kode"]})
    assert "Desa Bira" in text_of(card(at))


def test_a_village_under_five_shows_the_band_and_under_five_nothing_more(tmp_path, regions):
    """Three villages of Ujung Bulu reported, one with 3 unrecorded: its card says "<5" and the
    coverage band; the one hidden as a complement says "disamarkan" and has no rank."""
    from bulukumba import importer
    from bulukumba.storage import reference

    url = f"sqlite:///{tmp_path / 'kecil.sqlite'}"
    engine = store.engine_for(url)
    reference.ensure_reference(engine, regions)
    rows = "\n".join(f"{kode};19/01/2018;1000;{997 if i == 0 else 900}"
                     for i, kode in enumerate(["73.02.02.1001", "73.02.02.1002", "73.02.02.1003"]))
    assert importer.import_bytes(f"Kode Desa;Tanggal;WKTP;Rekam\n{rows}\n".encode(), "kecil.csv", None, engine).ok
    view = disclosure.public_view(engine=engine)
    office = contact.Office(nama="Kantor uji")
    small = text_of(citizen.village_card_html(view.desa, "73.02.02.1001", office))
    assert "<5" in small and disclosure.share_band(1000) in small and "997" not in small and " 3 " not in small
    masked = view.desa[view.desa["status"] == disclosure.MASKED]
    assert len(masked)
    hidden = text_of(citizen.village_card_html(view.desa, masked.iloc[0]["kode"], office))
    assert "disamarkan" in hidden and "tidak diperingkat" in hidden
    at = open_app(role=None, db_url=url)
    at.text_input(key="cari-desa").input(view.desa.set_index("kode").loc["73.02.02.1001", "nama"]).run()
    assert "&lt;5" in card(at) or "<5" in text_of(card(at))


# ---------------------------------------------------------------------------------------------
# How to get recorded: near the top, from .streamlit/kantor.toml
# ---------------------------------------------------------------------------------------------

def test_the_committed_office_file_has_the_reports_services(published):
    office = contact.load(PROJECT / ".streamlit" / "kantor.toml")
    assert office.nama and office.alamat and office.jam_buka
    words = " ".join(f"{s.judul} {s.untuk} {s.cara}" for s in office.layanan).lower()
    for service in ("dasa wisma", "ppdi", "sekolah", "jemput bola"):
        assert service in words, service


def test_how_to_get_recorded_comes_right_after_the_search_with_the_office(public):
    headers = [h.value for h in public.header]
    assert headers.index("Cara merekam e-KTP") == headers.index("Cari desa/kelurahan Anda") + 1
    assert headers.index("Cara merekam e-KTP") < headers.index("Cakupan per kecamatan")
    box = next(b for b in html_bodies(public) if "aria-label='Cara merekam e-KTP'" in b)
    office = contact.load()
    assert html.escape(office.alamat) in box and html.escape(office.jam_buka[0]) in box


def test_the_office_details_come_from_the_configured_file(tmp_path, monkeypatch):
    kantor = tmp_path / "kantor.toml"
    kantor.write_text('[kantor]\nnama = "Kantor Disdukcapil Uji"\nalamat = "Jl. Uji No. 1"\n'
                      'jam_buka = ["Senin 08.00–12.00 WITA"]\ntelepon = "0413 81234"\nwhatsapp = "0812-3456-7890"\n'
                      '[[layanan]]\njudul = "Jemput bola"\nuntuk = "Penyandang disabilitas"\ncara = "Bersama PPDI."\n',
                      encoding="utf-8")
    monkeypatch.setenv(contact.ENV, str(kantor))
    at = open_app(role=None)
    box = next(b for b in html_bodies(at) if "aria-label='Cara merekam e-KTP'" in b)
    assert "Jl. Uji No. 1" in box and "Senin 08.00–12.00 WITA" in box
    assert "href='tel:+6241381234'" in box and "href='https://wa.me/6281234567890'" in box


@pytest.mark.parametrize("text, problem", [
    ("nama = 'x'", "bagian [kantor] tidak ada"),
    ("[kantor]\nalamat = 'Jl. X'", "'nama' wajib diisi"),
    ("[kantor]\nnama = 'K'\ntelepon = 'hubungi kami'", "'telepon' = 'hubungi kami' bukan nomor telepon"),
    ("[kantor]\nnama = 'K'\njam_buka = 8", "'jam_buka' harus berupa daftar teks"),
    ("[kantor]\nnama = 'K'\n[[layanan]]\njudul = 'Jemput'", "[[layanan]] ke-1: 'cara' wajib diisi"),
    ("[kantor\nnama = 'K'", "tidak dapat dibaca sebagai TOML"),
])
def test_a_wrong_office_file_names_the_field_and_the_problem(text, problem):
    with pytest.raises(contact.ContactError, match=re.escape(problem)):
        contact.parse(text, "kantor.toml")


def test_a_broken_office_file_leaves_the_page_serving(tmp_path, monkeypatch):
    kantor = tmp_path / "kantor.toml"
    kantor.write_text("[kantor]\nnama = ''\n", encoding="utf-8")
    monkeypatch.setenv(contact.ENV, str(kantor))
    at = open_app(role=None)
    assert not at.exception
    assert not at.warning or all("Data kantor" not in w.value for w in at.warning)  # a visitor sees no config
    assert any(texts.OFFICE in b for b in html_bodies(at) if "Cara merekam" in b)


# ---------------------------------------------------------------------------------------------
# What a public view must not show, and what it must
# ---------------------------------------------------------------------------------------------

def everything_shown(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + html_bodies(at)
    parts += [m.label + m.value + str(m.proto.delta) for m in at.metric]
    return "\n".join(parts)


def test_no_commit_hash_code_name_or_column_of_zeros_on_the_public_page(public, published):
    shown = everything_shown(public)
    assert not re.search(r"\b[0-9a-f]{7,40}\b", text_of(shown)), "a commit hash on a public view"
    for code_name in ("cahyadsn", "gertak_2018", "rekam_ektp", "lakpesdam_nu", "belum_rekam"):
        assert code_name not in text_of(shown), code_name
    assert (published.rentan["lansia"].fillna(-1) == 0).all(), "the demo has no elderly served: the case tested"
    vulnerable = [b for b in html_bodies(public) if "Penyandang disabilitas" in b]
    assert vulnerable and all("Lanjut usia" not in b for b in vulnerable)
    assert any(texts.KOLOM_NOL.format(kolom='"Lanjut usia"') == c.value for c in public.caption)


def test_the_public_page_keeps_to_svg_and_html(public):
    assert not public.get("plotly_chart") and not public.get("arrow_data_frame") and not public.dataframe


def test_headings_go_h1_then_h2_with_no_heading_anchors(public):
    assert [t.value for t in public.title] == [texts.public_title("Kabupaten Bulukumba")]
    assert all(t.proto.hide_anchor for t in public.title)
    assert public.header and all(h.proto.tag == "h2" and h.proto.hide_anchor for h in public.header)
    assert not public.subheader


def test_every_chart_has_a_name_that_carries_its_figures(public, published):
    svgs = [m.value for m in public.markdown if m.value.startswith("<svg")]
    assert len(svgs) == 3  # kecamatan bars, the village map, GERTAK progress
    bars = next(s for s in svgs if "Cakupan per kecamatan" in s)
    for row in published.kecamatan.itertuples():
        assert f"{row.nama} {row.teks_cakupan}" in html.unescape(bars.split("aria-label='")[1].split("'")[0])
    progress = next(s for s in svgs if "Progres GERTAK 2018" in s)
    assert "target 25.650" in html.unescape(progress)
    village_map = next(s for s in svgs if "aria-label='Peta" in s)
    assert "<desc>" in village_map and village_map.count("<a href='?desa=") == len(published.desa)
    row = village(published, "Tanah Towa")
    assert (f"aria-label='Desa Tanah Towa, Kecamatan Kajang: belum rekam {row['teks_belum_rekam']}, "
            f"cakupan {html.escape(row['teks_cakupan'])}'") in village_map


def test_the_30_day_change_says_the_span_it_measured(public, published):
    change = published.kabupaten.perubahan_30
    delta = next(m for m in public.metric if m.label == "Sudah rekam").proto.delta
    assert delta == texts.change_phrase(change) and f"dalam {change.hari} hari" in delta


@pytest.mark.slow
@pytest.mark.parametrize("state", STATES)
def test_the_public_page_on_every_data_state(state, tmp_path_factory, regions):
    url = store_for(state, tmp_path_factory, regions)
    engine = store.engine_for(url)
    view = disclosure.public_view(engine=engine)
    at = open_app(role=None, db_url=url)
    assert not at.exception, at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Belum rekam"] == view.kabupaten.teks_belum_rekam
    assert parse_angka(shown["Wajib KTP"]) == view.kabupaten.wajib_ktp
    strips = [b for b in html_bodies(at) if "class='vonis" in b]
    assert len(strips) == (1 if view.kabupaten.belum_rekam is not None else 0)
    delta = next(m for m in at.metric if m.label == "Sudah rekam").proto.delta
    if view.sebelumnya is None:
        assert delta == texts.BELUM_ADA_PEMBANDING  # one date: no change is made up
    first = view.desa.iloc[0]
    assert (view.desa["nama"] == first["nama"]).sum() == 1
    at.text_input(key="cari-desa").input(first["nama"]).run()
    assert not at.exception
    assert f"data-desa='{first['kode']}'" in card(at) and first["teks_cakupan"] in text_of(card(at))


# ---------------------------------------------------------------------------------------------
# Tables a phone can read
# ---------------------------------------------------------------------------------------------

def test_a_phone_table_has_three_columns_and_the_rest_on_tap(published):
    table = tables.public_village_table(published.desa)
    page = htmltables.responsive_table_html(table, ["Desa/kelurahan", "Belum rekam", "Cakupan"])
    phone = re.search(r"<table class='hp'>.*?</table>", page, flags=re.S).group(0)
    assert re.findall(r"<th(?: [^>]*)?>(.*?)</th>", phone) == ["Desa/kelurahan", "Belum rekam", "Cakupan"]
    first = re.search(r"<tbody><tr>(.*?)</tr>", phone).group(1)
    row = table.iloc[0]
    assert f"<summary>{html.escape(row['Desa/kelurahan'])}</summary>" in first
    for column in ("Kode", "Kecamatan", "Wajib KTP", "Sudah rekam"):  # folded into the first cell
        assert f"<dt>{column}</dt>" in first
    assert f"<dd>{html.escape(str(row['Kode']))}</dd>" in first
    wide = re.search(r"<table class='lebar'>.*?</table>", page, flags=re.S).group(0)
    assert len(re.findall(r"<th ", wide)) == len(table.columns)
    assert f"@media (max-width: {htmltables.PHONE_PX}px)" in page


def test_a_column_is_left_out_only_when_every_cell_is_zero():
    table = pd.DataFrame({"Kecamatan": ["A", "B", "Jumlah"], "Lanjut usia": [0, 0, 0],
                          "Penyandang disabilitas": [0, "<5", "disamarkan"]})
    kept, left_out = tables.without_zero_columns(table, ["Lanjut usia", "Penyandang disabilitas"])
    assert left_out == ["Lanjut usia"] and list(kept.columns) == ["Kecamatan", "Penyandang disabilitas"]


def test_a_visitor_during_a_rebuild_gets_the_set_before_at_once(demo_engine, monkeypatch):
    """Nationally the published set takes seconds to build after each import. One visitor builds
    it; one arriving meanwhile gets the set published a moment before, at once (it discloses
    nothing new), and the page can say the newest is being prepared."""
    import threading

    from bulukumba import figures
    from bulukumba.disclosure import published as module

    module._memo.clear()
    first = disclosure.public_view(engine=demo_engine)
    version = figures.data_version(demo_engine)
    monkeypatch.setattr(module.figures, "data_version", lambda engine=None: version + 1)  # a write landed
    started, release = threading.Event(), threading.Event()
    publish = module.publish_history

    def slow_publish(*args):
        started.set()
        release.wait(60)
        return publish(*args)

    monkeypatch.setattr(module, "publish_history", slow_publish)
    monkeypatch.setattr(module, "WAIT_FOR_BUILD_S", 0.1)  # the build waits for `release`: never ends first
    built = []
    builder = threading.Thread(target=lambda: built.append(disclosure.public_view(engine=demo_engine)))
    builder.start()
    try:
        assert started.wait(60)
        assert disclosure.public_view(engine=demo_engine) is first
        assert disclosure.preparing(demo_engine) and not disclosure.is_current(first, demo_engine)
    finally:
        release.set()
        builder.join(60)
    try:
        assert built and built[0] is not first
        assert not disclosure.preparing(demo_engine) and disclosure.is_current(built[0], demo_engine)
        assert not disclosure.is_current(first, demo_engine)  # a page showing it reruns on the next tick
        assert disclosure.public_view(engine=demo_engine) is built[0]
    finally:
        module._memo.clear()  # its version was made up


def test_a_visitor_during_a_short_rebuild_waits_for_the_newest(demo_engine, monkeypatch):
    """A regency's published set builds in well under a second: a visitor arriving meanwhile
    waits for it (up to WAIT_FOR_BUILD_S, 2 s) and sees the new figures, not the set before."""
    import threading

    from bulukumba import figures
    from bulukumba.disclosure import published as module

    module._memo.clear()
    first = disclosure.public_view(engine=demo_engine)
    version = figures.data_version(demo_engine)
    monkeypatch.setattr(module.figures, "data_version", lambda engine=None: version + 1)
    started = threading.Event()
    publish = module.publish_history

    def short_publish(*args):
        started.set()
        threading.Event().wait(0.3)
        return publish(*args)

    monkeypatch.setattr(module, "publish_history", short_publish)
    monkeypatch.setattr(module, "WAIT_FOR_BUILD_S", 60.0)  # no wall-clock margin: the build ends first
    built = []
    builder = threading.Thread(target=lambda: built.append(disclosure.public_view(engine=demo_engine)))
    builder.start()
    try:
        assert started.wait(60)
        visitor = disclosure.public_view(engine=demo_engine)
        builder.join(60)
        assert visitor is not first and visitor is built[0]
    finally:
        module._memo.clear()


@pytest.mark.parametrize("set_before", [True, False])
def test_the_public_page_looks_again_only_while_it_shows_the_set_before(monkeypatch, set_before):
    """The public page runs no refresh tick (its tab asks /versi), except while it shows the set
    published before because the newest is still being built: /versi has nothing new to say
    then, so the page looks again every few seconds until the newest is there."""
    from bulukumba import web

    ticks = []
    monkeypatch.setattr(web, "watch_for_new_data", lambda: ticks.append(1))
    monkeypatch.setattr(disclosure, "is_current", lambda view, engine=None: not set_before)
    at = open_app(role=None)
    assert not at.exception
    assert (texts.PUBLIK_DISIAPKAN in [c.value for c in at.caption]) is set_before
    assert len(ticks) == (1 if set_before else 0)
