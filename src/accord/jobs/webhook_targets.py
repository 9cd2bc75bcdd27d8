"""Where a webhook may send: the address checks, and an httpx transport that connects only to
the address it checked.

A webhook's URL is a request the server makes on a manager's behalf, so it must not reach what
only the server can reach: this machine (loopback, its own addresses), the cloud's metadata
service (link-local, 169.254.169.254), the private network behind it (RFC 1918, fc00::/7,
shared 100.64/10), nor unspecified, multicast or reserved addresses, unless an admin sets
``ACCORD_WEBHOOK_ALLOW_PRIVATE``.

- At registration (`check_url`): the URL must be http(s) with a host; a host that is a literal
  address (or ``localhost``) is checked at once.
- At delivery (`PinnedTransport`): the host is resolved, every address it resolves to is
  checked, and the connection goes to the checked address, with the original host name in the
  ``Host`` header and as the TLS server name (so the certificate is verified for the name).
  There is no second lookup for a DNS answer to change in between (DNS rebinding). Proxies
  from the environment are ignored, and redirects are never followed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from accord.errors import Invalid

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

SCHEMES = ("http", "https")
MAX_URL = 2000
SETTING = "ACCORD_WEBHOOK_ALLOW_PRIVATE=true"
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: someone's private network


class TargetRefused(Exception):
    """The webhook's host is (or resolves to) an address it may not reach; the message says
    which and why, for the delivery log."""


def refusal(address: IPAddress, *, allow_private: bool, host: str | None = None) -> str | None:
    """Why a webhook may not connect to ``address`` (None: it may); ``host``: the name that
    resolved to it."""
    why = None if allow_private else _kind(address)
    if why is None:
        return None
    named = f"{host} resolves to {address}, which is" if host else f"{address} is"
    return f"{named} {why}; webhooks may not target it unless an admin sets {SETTING}"


def _kind(address: IPAddress) -> str | None:
    """What kind of address a webhook may not reach ``address`` is, if it is one."""
    ip = _unwrapped(address)
    if ip.is_loopback:
        why = "a loopback address (this machine)"
    elif ip.is_link_local:
        why = "a link-local address (such as the cloud metadata service 169.254.169.254)"
    elif ip.is_unspecified:
        why = "the unspecified address"
    elif ip.is_multicast:
        why = "a multicast address"
    elif ip.is_private or ip in _SHARED:
        why = "a private-network address"
    elif not ip.is_global:
        why = "a reserved address, not on the public internet"
    elif ip in own_addresses():
        why = "an address of this server"
    else:
        return None
    return why


def _unwrapped(address: IPAddress) -> IPAddress:
    """An IPv4 address carried inside IPv6 (mapped ``::ffff:a.b.c.d``, NAT64), as itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL as it will be called, or `Invalid` saying what is wrong with it."""
    text = url.strip()
    where = {"field": "url"}
    if not text or len(text) > MAX_URL:
        raise Invalid(f"url: give the receiver's URL (1 to {MAX_URL} characters)", details=where)
    try:
        parsed = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise Invalid(f"url: {text!r} is not a URL ({exc})", details=where) from None
    if parsed.scheme not in SCHEMES:
        raise Invalid(f"url: {text!r} must start with http:// or https://", details=where)
    if not parsed.host:
        raise Invalid(f"url: {text!r} has no host name", details=where)
    if parsed.fragment:
        raise Invalid(
            f"url: {text!r} has a #fragment, which is never sent; remove it", details=where
        )
    address = literal_address(parsed.host)
    host = parsed.host.lower().rstrip(".")
    if address is None and (host == "localhost" or host.endswith(".localhost")):
        address = ipaddress.IPv4Address("127.0.0.1")
        why = refusal(address, allow_private=allow_private)
        if why is not None:
            raise Invalid(
                f"url: {parsed.host} is this machine; webhooks may not target it "
                f"unless an admin sets {SETTING}",
                details=where,
            )
    elif address is not None:
        why = refusal(address, allow_private=allow_private)
        if why is not None:
            raise Invalid(f"url: {why}", details=where)
    return text


def shown_url(url: str) -> str:
    """``url`` as people are shown it (lists, the audit log): a password in it (user:password@)
    becomes ``***``; the stored URL, called by the sender, keeps it."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return url
    if not parsed.password:
        return url
    return str(parsed.copy_with(username=parsed.username, password="***"))


# -- this server's own addresses ------------------------------------------------------------

OWN_TTL = 60.0
_own_lock = threading.Lock()
_own: tuple[float, frozenset[IPAddress]] = (0.0, frozenset())


def own_addresses() -> frozenset[IPAddress]:
    """The addresses of this machine's interfaces (Linux: from /proc), and those its host name
    resolves to; read again at most every `OWN_TTL` seconds."""
    global _own
    with _own_lock:
        if _own[0] > time.monotonic():
            return _own[1]
    found = _interface_addresses() | _host_name_addresses()
    with _own_lock:
        _own = (time.monotonic() + OWN_TTL, frozenset(found))
        return _own[1]


def _interface_addresses() -> set[IPAddress]:
    found: set[IPAddress] = set()
    trie = Path("/proc/net/fib_trie")
    if trie.exists():
        last = ""
        for line in trie.read_text().splitlines():
            words = line.split()
            if len(words) >= 2 and words[0] in ("|--", "+--"):
                last = words[1]
            elif "/32 host LOCAL" in line and last:
                address = literal_address(last.split("/")[0])
                if address is not None:
                    found.add(address)
    inet6 = Path("/proc/net/if_inet6")
    if inet6.exists():
        for line in inet6.read_text().splitlines():
            digits = line.split()[0] if line.split() else ""
            if len(digits) == 32:
                found.add(ipaddress.IPv6Address(int(digits, 16)))
    return found


def _host_name_addresses() -> set[IPAddress]:
    found: set[IPAddress] = set()
    for name in {socket.gethostname(), socket.getfqdn()}:
        try:
            infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
        except OSError:
            continue
        for info in infos:
            address = literal_address(str(info[4][0]).split("%")[0])
            if address is not None:
                found.add(address)
    return found


# -- connecting only to a checked address --------------------------------------------------


async def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to now (`OSError` if none)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    answers: list[IPAddress] = []
    for info in infos:
        address = literal_address(str(info[4][0]).split("%")[0])
        if address is not None and address not in answers:
            answers.append(address)
    if not answers:
        raise OSError(f"{host} resolves to no address")
    return answers


async def checked_address(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to for ``host``: resolved now, every answer checked. Raises
    `TargetRefused` (an address it may not reach) or `OSError` (the name does not resolve)."""
    literal = literal_address(host)
    answers = [literal] if literal is not None else await resolve(host, port)
    for address in answers:
        why = refusal(address, allow_private=allow_private, host=None if literal else host)
        if why is not None:
            raise TargetRefused(why)
    return str(answers[0])


class PinnedTransport(httpx.AsyncBaseTransport):
    """Resolves and checks each request's host, then sends it to the checked address (with the
    host name kept for ``Host`` and TLS). Connections are pooled per host name, so a
    connection opened for one name (and verified for it) never carries another's request."""

    def __init__(
        self,
        *,
        allow_private: bool,
        limits: httpx.Limits,
        verify: ssl.SSLContext | bool = True,
    ) -> None:
        self._allow_private = allow_private
        self._limits = limits
        self._verify = verify
        self._pools: dict[tuple[str, str, int], httpx.AsyncHTTPTransport] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        host = url.host
        port = url.port or (443 if url.scheme == "https" else 80)
        address = await checked_address(host, port, allow_private=self._allow_private)
        extensions: dict[str, Any] = dict(request.extensions)
        if url.scheme == "https":
            extensions["sni_hostname"] = host
        pinned = httpx.Request(
            request.method,
            url.copy_with(host=address),
            headers=request.headers,  # keeps Host: the name, as the receiver expects
            stream=request.stream,
            extensions=extensions,
        )
        key = (url.scheme, host, port)
        pool = self._pools.get(key)
        if pool is None:
            pool = self._pools[key] = httpx.AsyncHTTPTransport(
                verify=self._verify, trust_env=False, limits=self._limits, retries=0
            )
        return await pool.handle_async_request(pinned)

    async def aclose(self) -> None:
        for pool in self._pools.values():
            await pool.aclose()
        self._pools.clear()
