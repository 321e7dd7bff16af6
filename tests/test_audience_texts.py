"""Each audience is told only what is theirs (issue 24; the rule is written in texts.py):
the public page and the projector show published figures and plain explanations, never an
operator's instruction (the Kelola data page, a command, a template), on every data state an
office meets: the demo, one real snapshot, a registry without partner activity, no targets,
and nothing at all after an undo."""
from __future__ import annotations

import re

import pytest

import data_states
from apptest_support import open_app
from readback import walk
from bulukumba.language import texts


def everything_said(at) -> str:
    """Every string any element of the page carries (text, labels, HTML, SVG, help), as the
    protocol sends it to the browser."""
    parts = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None and not isinstance(getattr(node, "children", None), dict):
            parts.append(str(proto).encode().decode("unicode_escape", errors="ignore"))
        for attr in ("value", "label", "body"):
            value = getattr(node, attr, None)
            if isinstance(value, str):
                parts.append(value)
    return "\n".join(parts)


def staff_phrases_in(text: str) -> list[str]:
    text = re.sub(r"<style>.*?</style>", "", text, flags=re.S)  # CSS: grid-template-…
    lowered = text.lower()
    return [p for p in texts.HANYA_STAF if (p in text if p.isupper() or p.endswith("_") else p.lower() in lowered)]


@pytest.fixture(scope="module", params=data_states.AUDIENCES)
def state(request, tmp_path_factory, regions):
    return request.param, data_states.store_for(request.param, tmp_path_factory, regions)


def projector_slides(url: str):
    """The projector, on each of its slides in turn (one full round)."""
    at = open_app(role=None, db_url=url, query={"mode": "proyektor"})
    assert not at.exception, at.exception
    yield at
    if not at.button:  # no data: no slides, no buttons
        return
    first = everything_said(at)
    for _ in range(6):
        at.button(key="slide-maju").click().run()
        assert not at.exception, at.exception
        said = everything_said(at)
        if said == first:
            return
        yield at


def test_the_rule_names_the_staff_only_phrases():
    assert {"Kelola data", "python -m bulukumba", "templat"} <= set(texts.HANYA_STAF)
    assert texts.AUDIENS == {"publik", "proyektor", "staf"}


def test_the_public_page_tells_a_visitor_nothing_meant_for_staff(state):
    name, url = state
    at = open_app(role=None, db_url=url)
    assert not at.exception, at.exception
    said = everything_said(at)
    assert not staff_phrases_in(said), (name, staff_phrases_in(said))


def test_every_projector_slide_tells_the_room_nothing_meant_for_staff(state):
    name, url = state
    for at in projector_slides(url):
        said = everything_said(at)
        assert not staff_phrases_in(said), (name, staff_phrases_in(said))


def test_what_is_not_published_yet_is_said_in_plain_words(state):
    name, url = state
    at = open_app(role=None, db_url=url)
    said = everything_said(at)
    if name == "dibatalkan":
        assert texts.BELUM_TERBIT_SEMUA in said
    if name in ("satu_snapshot", "tanpa_target"):
        assert texts.BELUM_TERBIT["target"] in said
    if name in ("satu_snapshot", "tanpa_kegiatan"):
        assert texts.BELUM_TERBIT["kegiatan"] in said


def test_staff_still_get_the_instructions(state):
    """A signed-in department head on Ringkasan is told which import adds what is missing."""
    name, url = state
    if name not in ("satu_snapshot", "dibatalkan"):
        pytest.skip("the states with something to add on Ringkasan")
    at = open_app("pages/ringkasan.py", role="pimpinan", db_url=url)
    said = everything_said(at)
    assert "Kelola data" in said


def test_with_nothing_left_staff_can_still_sign_in(tmp_path_factory, regions):
    """After an undo left no figures, the Masuk page still offers its form: the operator must be
    able to sign in to import again (it stopped at 'nothing published yet')."""
    url = data_states.store_for("dibatalkan", tmp_path_factory, regions)
    from bulukumba.server import auth

    accounts = {"pengguna": {"op": {"nama": "Operator", "peran": "operator",
                                    "hash_sandi": auth.hash_password("sandi-uji-24", rounds=4)}}}
    at = open_app("pages/masuk.py", role=None, db_url=url, secrets=accounts)
    assert not at.exception, at.exception
    assert any("action='akun/masuk'" in h.proto.body for h in at.get("html")), "no sign-in form"
