"""Reaching the office and sharing a village from a phone; the projector's slides say where their
figures come from (issue 24)."""
from __future__ import annotations

import pytest

import data_states
from apptest_support import open_app
from bulukumba.presentation import contact
from bulukumba.language import texts


def html_bodies(at) -> list[str]:
    return [h.proto.body for h in at.get("html")]


def office_box(at) -> str:
    return next(b for b in html_bodies(at) if "aria-label='Cara merekam e-KTP'" in b)


@pytest.fixture
def office_without_numbers(tmp_path, monkeypatch):
    """An office file as committed: an address, vague hours, no phone, no WhatsApp."""
    kantor = tmp_path / "kantor.toml"
    kantor.write_text('[kantor]\nnama = "Kantor Disdukcapil Uji"\nalamat = "Jl. Uji No. 1"\n'
                      'telepon = ""\nwhatsapp = ""\n', encoding="utf-8")
    monkeypatch.setenv(contact.ENV, str(kantor))
    return kantor


def test_without_numbers_a_visitor_is_told_where_to_ask(office_without_numbers):
    at = open_app(role=None)
    assert not at.exception, at.exception
    assert texts.KANTOR_TANYA in office_box(at)
    assert not [i for i in at.info if "kantor.toml" in i.value]  # the file is staff's business


def test_without_numbers_staff_are_told_what_to_fill_in(office_without_numbers):
    at = open_app("pages/publik.py", role="operator")
    assert not at.exception, at.exception
    told = [i.value for i in at.info if "Data kantor belum lengkap" in i.value]
    assert told and "telepon, whatsapp, jam_buka" in told[0] and str(office_without_numbers) in told[0]


def test_without_numbers_the_operator_is_told_on_kelola_data_too(office_without_numbers):
    at = open_app("pages/kelola.py", role="operator")
    assert not at.exception, at.exception
    told = [i.value for i in at.info if "Data kantor belum lengkap" in i.value]
    assert told and "telepon, whatsapp, jam_buka" in told[0] and str(office_without_numbers) in told[0]


def test_with_numbers_there_is_no_where_to_ask_line(tmp_path, monkeypatch):
    kantor = tmp_path / "kantor.toml"
    kantor.write_text('[kantor]\nnama = "K"\njam_buka = ["Senin 08.00–12.00 WITA"]\ntelepon = "0413 81234"\n'
                      'whatsapp = "0812-3456-7890"\n', encoding="utf-8")
    monkeypatch.setenv(contact.ENV, str(kantor))
    at = open_app("pages/publik.py", role="operator")
    assert texts.KANTOR_TANYA not in office_box(at)
    assert not [i for i in at.info if "Data kantor belum lengkap" in i.value]


def test_a_searched_village_goes_into_the_address():
    at = open_app(role=None)
    at.text_input(key="cari-desa").input("Tanah Towa").run()
    assert not at.exception
    assert at.query_params.get("desa") in (["73.02.06.2006"], "73.02.06.2006")


@pytest.mark.parametrize("state", ["contoh", "satu_snapshot"])
def test_every_projector_slide_names_its_source(state, tmp_path_factory, regions):
    url = data_states.store_for(state, tmp_path_factory, regions)
    at = open_app(role=None, db_url=url, query={"mode": "proyektor"})
    seen = set()
    for _ in range(6):
        meta = [m.value for m in at.markdown if "proyektor-meta" in m.value and "Data per" in m.value]
        title = next(m.value for m in at.markdown if m.value.startswith("## "))
        if title in seen:
            break
        seen.add(title)
        assert meta and texts.PROYEKTOR_SUMBER in meta[0], title
        at.button(key="slide-maju").click().run()
    assert len(seen) >= 2


@pytest.mark.parametrize("state", ["contoh", "tanpa_kegiatan"])
def test_the_public_change_says_which_period_it_spans(state, tmp_path_factory, regions):
    """'+1.674 dalam 29 hari' on the public page beside '+432 dalam 8 hari' on Ringkasan: each
    says its dates, so the two periods are not read as one."""
    from bulukumba import disclosure
    from bulukumba.language import fmt
    from bulukumba.storage import store

    url = data_states.store_for(state, tmp_path_factory, regions)
    change = disclosure.public_view(engine=store.engine_for(url)).kabupaten.perubahan_30
    at = open_app(role=None, db_url=url)
    said = " ".join(c.value for c in at.caption)
    assert change is not None and change.ada
    assert f"{fmt.date(change.dari)} – {fmt.date(change.sampai)}" in said
    assert "sekitar 30 hari" in said
