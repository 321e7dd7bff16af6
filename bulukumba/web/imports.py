"""Kelola data's import jobs: each check or write of an uploaded file runs in a worker process
(bulukumba/importer/worker.py); the page follows it with a progress bar and a cancel button,
touching the worker's heartbeat while it runs. When the page stops running (the operator went to
another page, closed the tab, or the session ended) the heartbeat stops and the worker ends by
itself within `config.import_worker_heartbeat()` seconds; a newer job of the session (another
file, another kind) cancels the older one."""
from __future__ import annotations

import time
from typing import Callable

import streamlit as st

from bulukumba.language import texts
from bulukumba.importer.worker import Job, Outcome

_JOB = "kelola-kerja"


def start(content: bytes, nama_file: str, jenis: str | None, engine, *, key: object,
          ignore_rest: bool = False, write: bool = False, oleh: str | None = None,
          keep_rows: bool = False, replace: int | None = None) -> Job:
    """A worker checking (or writing) `content`; the server keeps only its bytes (and, with
    `keep_rows`, the checked rows as plain data)."""
    return Job(content, nama_file, jenis, engine.url.render_as_string(hide_password=False),
               ignore_rest=ignore_rest, write=write, oleh=oleh, key=key, keep_rows=keep_rows,
               replace=replace)


def follow(key: object, start_job: Callable[[], Job], what: str) -> Outcome:
    """The outcome of the session's job for `key`, started by `start_job()` unless it runs
    already; shown meanwhile as a progress bar with a cancel button. A run interrupted by the
    operator (a click reruns the page) picks the same job up again."""
    job: Job | None = st.session_state.get(_JOB)
    if job is not None and job.key != key:
        job.cancel()
        job = None
    if job is None:
        job = st.session_state[_JOB] = start_job()
    holder = st.empty()  # emptied once the job ends (a container's .empty() would add to it)
    box = holder.container()
    if box.button(texts.IMPOR_BATALKAN, key="kelola-kerja-batal", icon=":material/cancel:"):
        st.session_state.pop(_JOB, None)
        return job.cancel()
    bar = box.progress(0.0, text=what)
    shown = None
    while (outcome := job.poll()) is None:
        job.touch()
        fraction, text = job.progress()
        if (fraction, text) != shown:
            shown = (fraction, text)
            bar.progress(min(max(fraction, 0.0), 1.0), text=f"{what} · {text}" if text else what)
        time.sleep(0.25)
    holder.empty()
    st.session_state.pop(_JOB, None)
    return outcome
