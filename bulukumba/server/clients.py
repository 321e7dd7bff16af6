"""Who is asking: the client's address, whether it came over HTTPS, and whether it is this machine.

The connection's own peer address is the client, unless the connection comes from a reverse
proxy the configuration names (`BULUKUMBA_TRUSTED_PROXIES`, none by default): then the client
is the last address in `X-Forwarded-For` that is not one of those proxies, and HTTPS is what the
proxy's `X-Forwarded-Proto` says. Anyone else's forwarding headers are ignored, so a client
cannot pick the address its sign-in attempts are counted under.

uvicorn, which Streamlit runs on, would believe forwarding headers from its own list
(`FORWARDED_ALLOW_IPS`, loopback by default) and overwrite the peer address before any of the
dashboard's code sees it. `take_over_forwarded_headers` stops that, so this module is the only
place that decides. An IPv4 client of a dual-stack socket arrives as `::ffff:a.b.c.d`: it is
the IPv4 address `a.b.c.d` (loopback included).
"""
from __future__ import annotations

import ipaddress
import logging
from typing import Iterable

log = logging.getLogger(__name__)

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDING_HEADERS = (b"forwarded", b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host",
                      b"x-real-ip")


def normal_address(host: str | None) -> str:
    """An address as one spelling: `::ffff:127.0.0.1` -> `127.0.0.1`, `[::1]` -> `::1`; a name
    that is no IP address is returned as given ("-" for none)."""
    text = (host or "").strip().strip("[]")
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return text or "-"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def is_loopback(host: str | None) -> bool:
    address = normal_address(host)
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def networks(entries: Iterable[str]) -> tuple[_Network, ...]:
    """The configured proxies as networks (a single address is a network of one)."""
    found = []
    for entry in entries:
        address, _, prefix = entry.strip().partition("/")
        try:
            found.append(ipaddress.ip_network(normal_address(address) + (f"/{prefix}" if prefix else ""), strict=False))
        except ValueError:
            log.warning("BULUKUMBA_TRUSTED_PROXIES: %r bukan alamat atau jaringan IP; diabaikan", entry)
    return tuple(found)


class Clients:
    """Reads the client of a request (an ASGI scope) with the configured trusted proxies."""

    def __init__(self, trusted_proxies: Iterable[str] = ()):
        self.trusted = networks(trusted_proxies)

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip.version == net.version and ip in net for net in self.trusted)

    def peer(self, scope) -> str:
        """The address the connection comes from."""
        return normal_address((scope.get("client") or ("", 0))[0])

    def via_trusted_proxy(self, scope) -> bool:
        return bool(self.trusted) and self._trusted(self.peer(scope))

    def address(self, scope) -> str:
        """The client's address: the peer's, or behind a trusted proxy the forwarded one."""
        peer = self.peer(scope)
        if not self.via_trusted_proxy(scope):
            return peer
        hops = [normal_address(h) for h in ",".join(_values(scope, b"x-forwarded-for")).split(",") if h.strip()]
        for hop in reversed(hops):
            if not self._trusted(hop):
                return hop
        return hops[0] if hops else peer

    def https(self, scope) -> bool:
        """Whether the browser reached the dashboard over HTTPS (directly, or through a trusted
        proxy that says so)."""
        if scope.get("scheme") in ("https", "wss"):
            return True
        if not self.via_trusted_proxy(scope):
            return False
        said = ",".join(_values(scope, b"x-forwarded-proto")).split(",")
        return said[-1].strip().lower() in ("https", "wss")

    def from_this_machine(self, scope) -> bool:
        """A request from a loopback address that no proxy forwarded."""
        return is_loopback(self.peer(scope)) and not any(k in FORWARDING_HEADERS for k, _ in scope.get("headers", ()))


def _values(scope, name: bytes) -> list[str]:
    return [v.decode("latin-1") for k, v in scope.get("headers", ()) if k == name]


class _PeerAsConnected:
    """Stands in for uvicorn's ProxyHeadersMiddleware: the peer address and scheme stay what the
    connection says, and `Clients` alone reads forwarding headers."""

    def __init__(self, app, trusted_hosts=None):
        self.app = app

    async def __call__(self, scope, receive, send):
        return await self.app(scope, receive, send)


def take_over_forwarded_headers() -> None:
    """Keep uvicorn from rewriting the client address from forwarding headers it trusts.

    Called while uvicorn imports the app (dashboard.py), which is before it wraps the app in
    its proxy-header middleware: the wrap then uses this stand-in instead."""
    try:
        import uvicorn.config
    except ImportError:  # served by another ASGI server: nothing of uvicorn's to stop
        return
    uvicorn.config.ProxyHeadersMiddleware = _PeerAsConnected
