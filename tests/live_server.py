"""The dashboard as the README runs it (`streamlit run dashboard.py`) for the browser tests, and
the Chromium they drive, as pytest context managers over serving.py (which starts,
waits for and stops the server for the benchmarks too).

The server's output goes to server.log in its folder: a pipe nobody reads fills after 64 KB of
log lines and then stalls the server (bench_load.py met this with the importer)."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

from serving import CHROMIUM, free_port, start_server, stop_server

__all__ = ["chromium", "dashboard", "free_port", "serve_store", "sign_in"]


@contextlib.contextmanager
def dashboard(folder: Path, env: dict, secrets: Path, ceiling: float = 180, port: int | None = None):
    """The dashboard's URL once it answers (a generous ceiling: a loaded machine starts slowly);
    stopped afterwards."""
    try:
        process, url = start_server(folder, env, secrets, ceiling=ceiling, port=port)
    except SystemExit as failed:
        pytest.fail(str(failed))
    try:
        yield url
    finally:
        stop_server(process)


@contextlib.contextmanager
def serve_store(db_url: str, folder: Path, account: tuple[str, str, str], password: str, **env):
    """The dashboard on the given store with one account (`(name, full name, role)`) whose
    password is `password`; `env` adds settings (BULUKUMBA_REFRESH_SECONDS=30 unless given)."""
    from bulukumba.server import auth

    folder.mkdir(parents=True, exist_ok=True)
    secrets = folder / "secrets.toml"
    name, full_name, role = account
    secrets.write_text(f'[pengguna.{name}]\nnama = "{full_name}"\nperan = "{role}"\n'
                       f'hash_sandi = "{auth.hash_password(password, rounds=4)}"\n')
    settings = {**os.environ, "BULUKUMBA_DATA_DIR": str(folder), "BULUKUMBA_DB_URL": db_url,
                "BULUKUMBA_REFRESH_SECONDS": "30", **env}
    with dashboard(folder, settings, secrets) as url:
        yield url


@contextlib.contextmanager
def chromium():
    """Debian's Chromium through Playwright (`playwright install` cannot download one here)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


def sign_in(page, base_url: str, username: str, password: str, *, path: str | None = "/masuk",
            landing: str | None = "Ringkasan perekaman e-KTP") -> None:
    """The one place that signs in through the browser: open Masuk (`path`; None: the page is
    on it already), fill in the form, send it, and wait for the `landing` text (None: no wait)."""
    if path is not None:
        page.goto(base_url + path)
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()
    if landing is not None:
        page.wait_for_selector(f"text={landing}", timeout=60_000)
