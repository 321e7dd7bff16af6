"""The security headers every answer of the dashboard carries.

- `Content-Security-Policy`: scripts only from the dashboard itself (plus the inline script of
  Streamlit's page shell and the app's own, by their hashes), no plugins, no `<base>`, forms only
  to the dashboard, connections (the websocket included) only to it, and no page of another site
  may frame it (`frame-ancestors 'none'`: nothing embeds the dashboard). What Streamlit, Plotly and
  MapLibre need beyond that is listed in POLICY with the reason; each was found by removing it
  and reading the browser's violations on every page (tests/test_browser_sessions.py checks that
  every page draws with none). No 'unsafe-eval' and no inline scripts but the hashed ones.
- `X-Frame-Options: DENY` for browsers that predate `frame-ancestors`.
- `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` (addresses with filters never
  leave the site), and a `Permissions-Policy` that turns off what no page uses.
"""
from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

#: The policy, one directive a line (the websocket's address is added per request).
POLICY = (
    "default-src 'self'",
    # The page shell's inline script and the app's own (by hash, below). Streamlit's components
    # (v2, inline JavaScript) are loaded as modules from blob: addresses it makes from the page's
    # own code; Streamlit's message decoding compiles WebAssembly ('wasm-unsafe-eval' allows
    # that and nothing else: no eval of JavaScript).
    "script-src 'self' blob: 'wasm-unsafe-eval' {inline}",
    # Streamlit's styles (emotion) and Plotly's are written into the page at run time as <style>
    # elements and style attributes: nothing is laid out without 'unsafe-inline' for styles.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self'",
    # Streamlit's frontend carries one of its icon fonts as a data: address.
    "font-src 'self' data:",
    # MapLibre (Peta's map) runs its workers from a blob: address.
    "worker-src 'self' blob:",
    # 'self' covers the websocket in current browsers; older ones need its address named.
    "connect-src 'self' {websocket}",
    "frame-src 'none'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
_SAFE_HOST = re.compile(r"^[A-Za-z0-9.\-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$")


def inline_script_hashes(html: str) -> list[str]:
    """'sha256-…' of each inline <script> in `html` (the policy allows exactly these)."""
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)
    return ["'sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode() + "'" for s in scripts]


def page_shell(static_dir: Path | None) -> str:
    """Streamlit's index.html (its page shell, with one inline script), or "" without it."""
    try:
        return (Path(static_dir) / "index.html").read_text(encoding="utf-8") if static_dir else ""
    except OSError:
        return ""


class SecurityHeaders:
    """`inline_scripts`: the app's own inline <script> elements (st.html), allowed by hash."""

    def __init__(self, static_dir: Path | None = None, inline_scripts: tuple[str, ...] = ()):
        hashes = inline_script_hashes(page_shell(static_dir) + "".join(inline_scripts))
        self._inline = " ".join(dict.fromkeys(hashes))
        self._fixed = [
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
        ]
        self._made: dict[tuple[bytes, bool], list[tuple[bytes, bytes]]] = {}

    def policy(self, host: str, https: bool) -> str:
        websocket = ""
        if _SAFE_HOST.match(host or ""):
            websocket = f"{'wss' if https else 'ws'}://{host}"
        return "; ".join(d.format(inline=self._inline, websocket=websocket).strip() for d in POLICY)

    def for_request(self, scope, https: bool) -> list[tuple[bytes, bytes]]:
        """The headers for a request to this Host, over HTTPS or not (made once per pair)."""
        host = next((v for k, v in scope.get("headers", ()) if k == b"host"), b"")
        made = self._made.get((host, https))
        if made is None:
            if len(self._made) > 64:  # hosts are few (BULUKUMBA_HOSTS); anything else is not kept for long
                self._made.clear()
            policy = self.policy(host.decode("latin-1"), https).encode("latin-1")
            made = self._made[(host, https)] = [(b"content-security-policy", policy), *self._fixed]
        return made
