"""Streamlit glue: the one package of bulukumba that imports streamlit.

Pages and the frame use it as `from bulukumba import web` and `web.X`; the names below are the
whole of what it offers, each from the module that does that job:

- `resources`: what a process prepares once (the ready store, regions, map layers, the memo)
- `sidebar`: the shared filters, kept in the session and the URL, and the no-data guard
- `layout`: the header, tables, downloads, verdict strip and chart cards a page draws
- `signin`: who is signed in, from the browser's session cookie; accounts and secrets
- `hooks`: the app's start and error hooks
- `live`: the data version a run shows and the refresh tick
- `style`: the icon and the CSS of every page, the public page and the projector
- `browser`: inline components that report taps, keys and sizes from the browser
- `antrian`: Kelola data's queue of partners' reports (approve, return, withdraw, history)
- `imports`: Kelola data's import jobs, each in a worker process, followed on the page
"""
from __future__ import annotations

from bulukumba import config  # noqa: F401  (tests read the configured store's URL as web.config)
from bulukumba.web.antrian import verification_queue
from bulukumba.web import imports
from bulukumba.web.browser import container_size, projector_key, village_clicks
from bulukumba.web.hooks import report_error, serve_frame_only
from bulukumba.web.layout import (TABLE_ROWS, WHOLE_NUMBER, XLSX_MIME, big_table_html, card, card_beside, card_body, card_frame,
                     column_formats, demo_banner, downloads, freshness_line, header, html_table, is_demo,
                     show_svg, show_table, verdict_strip)
from bulukumba.web.live import awaiting, awaiting_publication, remember_version, watch_for_new_data
from bulukumba.web.resources import (MEMO_SIZE, STATIC_DIR, MapLayers, engine, map_label_points, map_layer_data,
                        map_layers, map_unavailable_reason, memo, readiness)
from bulukumba.web.sidebar import (ALL, SERVICE_PAGES, Filters, filters, kecamatan_names, public_page, public_regency,
                      require_data, sidebar_filters)
from bulukumba.web.signin import SignIn, configured_users, current_user, frame_sign_in, secrets_dict, server, sign_in_state
from bulukumba.web.style import ACCESSIBLE_CSS, ICON, INLINE_SCRIPTS, PROJECTOR_CSS, PUBLIC_CSS, page_style, public_style

__all__ = [
    "ACCESSIBLE_CSS", "ALL", "awaiting", "awaiting_publication", "Filters", "ICON", "INLINE_SCRIPTS", "MEMO_SIZE", "MapLayers", "PROJECTOR_CSS", "PUBLIC_CSS",
    "SERVICE_PAGES", "STATIC_DIR", "SignIn", "TABLE_ROWS", "WHOLE_NUMBER", "XLSX_MIME", "big_table_html",
    "card", "card_beside", "card_body", "imports", "card_frame", "column_formats", "config", "configured_users", "container_size",
    "current_user", "demo_banner", "downloads", "engine", "filters", "freshness_line", "frame_sign_in",
    "header", "html_table", "is_demo", "kecamatan_names", "map_label_points", "map_layer_data",
    "map_layers", "map_unavailable_reason", "memo", "page_style", "projector_key", "public_page",
    "public_regency", "public_style", "readiness", "remember_version", "report_error", "require_data", "secrets_dict",
    "serve_frame_only", "server", "show_svg", "show_table", "sidebar_filters", "sign_in_state",
    "verdict_strip", "verification_queue", "village_clicks", "watch_for_new_data",
]
