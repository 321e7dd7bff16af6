"""Partners report their own outreach: submissions, the operator's verification queue, the audit.

A partner account (role `mitra`, bulukumba/server/auth.py) sends rows of partner activity from the phone
form or its own spreadsheet. Both go through the importer's own checks (`importer.validate`, kind
`kegiatan`): the form's fields are written as a one-row-per-group CSV with the template's headers,
so a form and a file are refused for the same reasons in the same words. On top of those, what
only a partner's report can get wrong: a row for another partner, a village outside the store's
regency, a row the partner has already reported (waiting or approved), the same content twice.

A submission waits as "menunggu verifikasi" (`kiriman`, schema 7) and is in no figure. The operator
approves it (its rows are then written as an import batch of partner activity, in the same
transaction, so every figure, leaderboard, verdict and the public page count it on the next data
version, and undoing that batch withdraws it), or returns it with a reason the partner reads.
Every step is kept in `kiriman_riwayat` (who, when, what).

Flags for the operator, never refusals: more residents recorded (e-KTP) in a village in a month
than its unrecorded count (the latest registry snapshot on or before the month's end), and rows
an imported batch already holds (the same partner, day, village, service and group).
"""
from bulukumba.reports.checks import Submission, check_file, check_form, check_report
from bulukumba.reports.form import (
    FORM_HEADERS, MAX_NOTE, STATUS_LABEL, FormEntry, clear_draft, describe, form_csv, home_regency, load_draft,
    note_problems, partner_name, resolve_partner, save_draft, villages,
)
from bulukumba.reports.queue import flags, history, queue, queue_by_partner, rows_of, submissions
from bulukumba.reports.workflow import Refused, approve, send, send_back, withdraw

__all__ = ["FormEntry", "Refused", "STATUS_LABEL", "Submission", "check_report", "FORM_HEADERS", "MAX_NOTE", "approve", "check_file", "check_form",
           "clear_draft", "describe", "flags", "form_csv", "history", "home_regency", "load_draft",
           "note_problems", "partner_name", "queue", "queue_by_partner", "resolve_partner", "rows_of",
           "save_draft", "send", "send_back", "submissions", "villages", "withdraw"]
