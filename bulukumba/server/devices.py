"""Device cookies: a browser that has signed in as a user before can prove it (OWASP's "device
cookies" against account lockout).

After a successful sign-in the browser keeps `bulukumba_perangkat`: for each of the (at most
MAX_USERS) user names it signed in as, a random id, signed with the session key. A sign-in
attempt that presents a valid one for the name typed is limited by that browser's own failures
only (auth.Guard), so guesses from elsewhere never lock the owner out of his own browser.

The cookie says nothing a guesser could use: it names no password, signs nobody in (a session
is still started only by the right password), and is sent only to the sign-in routes
(`Path=/akun`, `SameSite=Strict`, `HttpOnly`). A stolen one gives a guesser three attempts and
then the same growing waits. Changing the session key makes every browser a new one.
"""
from __future__ import annotations

import datetime as dt
import secrets as random
from functools import lru_cache

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "bulukumba_perangkat"
LIFETIME = dt.timedelta(days=365)
LIFETIME_SECONDS = int(LIFETIME.total_seconds())
MAX_USERS = 5
#: Longest value read from a browser (a few ids; anything longer is not ours).
MAX_COOKIE_LENGTH = 1024


class Devices:
    def __init__(self, key: str):
        self._signer = URLSafeTimedSerializer(key, salt="bulukumba.perangkat")

    def __repr__(self) -> str:  # never show the key
        return "Devices()"

    def _entries(self, cookie: str | None) -> list[tuple[str, str]]:
        if not cookie or len(cookie) > MAX_COOKIE_LENGTH:
            return []
        try:
            entries = self._signer.loads(cookie, max_age=LIFETIME_SECONDS)
        except BadSignature:
            return []
        if not isinstance(entries, list):
            return []
        return [(e[0], e[1]) for e in entries
                if isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e)]

    def device_id(self, cookie: str | None, username: str) -> str | None:
        """The id of this browser for `username`, if its cookie shows it signed in as him before."""
        name = (username or "").strip().lower()
        return next((device for user, device in self._entries(cookie) if user == name), None)

    def remember(self, cookie: str | None, username: str) -> str:
        """The cookie after `username` signed in on this browser: his id kept (or a new one),
        newest first, signed again (so it lasts LIFETIME from now)."""
        name = username.strip().lower()
        entries = self._entries(cookie)
        device = next((d for user, d in entries if user == name), None) or random.token_urlsafe(16)
        kept = [[name, device]] + [[u, d] for u, d in entries if u != name]
        return self._signer.dumps(kept[:MAX_USERS])


@lru_cache(maxsize=4)
def devices_for(key: str) -> Devices:
    return Devices(key)
