"""Fetch a source's address safely: the one place where the server talks to outlets.

- Only http and https. Each hop's host is resolved here first, every address it resolves
  to must be public (not private, loopback, link-local, shared, multicast or reserved),
  and the connection goes to the checked address (the Host header and TLS name stay the
  host's), so a DNS answer that changes between check and connect cannot reach inside.
  Redirects are followed here, hop by hop, with the same check. SOURCE_FETCH_ALLOW_PRIVATE
  lifts the address rule, for the tests' own server on 127.0.0.1 only.
- Through SOURCE_FETCH_PROXY when set (http:// or socks5://, e.g. Tor), so outlets never
  see the server's address; the proxy is given the checked address, not the name.
- No cookies are kept or sent, no JavaScript is run, a common browser's user agent.
- A size cap and a timeout for the whole fetch, not only per read.
"""

import functools
import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024


class ErrorKind(models.TextChoices):
    BAD_URL = "bad_url", _("not a web address")
    BLOCKED_ADDRESS = "blocked_address", _("address not allowed")
    DNS = "dns", _("name not found")
    CONNECTION = "connection", _("connection failed")
    TIMEOUT = "timeout", _("timed out")
    TOO_LARGE = "too_large", _("too large")
    TOO_MANY_REDIRECTS = "too_many_redirects", _("too many redirects")
    HTTP_STATUS = "http_status", _("error status")


# Worth another try later; the others will fail the same way.
TRANSIENT_ERRORS = {ErrorKind.DNS, ErrorKind.CONNECTION, ErrorKind.TIMEOUT}


class FetchError(Exception):
    def __init__(self, kind, detail="", *, status_code=None, final_url=""):
        super().__init__(f"{kind}: {detail}" if detail else str(kind))
        self.kind = ErrorKind(kind)
        self.status_code = status_code
        self.final_url = final_url

    @property
    def transient(self):
        if self.kind == ErrorKind.HTTP_STATUS:
            return self.status_code in (408, 425, 429) or (self.status_code or 0) >= 500
        return self.kind in TRANSIENT_ERRORS


@dataclass
class FetchResult:
    requested_url: str
    final_url: str
    status_code: int
    content_type: str
    body: bytes
    fetched_at: object
    via_proxy: bool
    redirects: list = field(default_factory=list)
    headers: dict = field(default_factory=dict)


def resolve(host, port):
    """Every address `host` resolves to (tests replace this to stay on 127.0.0.1)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(ErrorKind.DNS, str(error)) from None
    return list(dict.fromkeys(info[4][0] for info in infos))


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_public_address(address):
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        # IPv6 forms that carry an IPv4 address reach that address: check it instead.
        embedded = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
        if ip in NAT64:
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        if any(inner is not None and not is_public_address(str(inner)) for inner in embedded):
            return False
        if ip.ipv4_mapped is not None:
            return True
    return ip.is_global and not ip.is_multicast


def checked_address(host, port):
    """The address to connect to for `host`, after checking all it resolves to."""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        addresses = resolve(host, port)
    else:
        addresses = [str(literal)]
    if not addresses:
        raise FetchError(ErrorKind.DNS, host)
    if not settings.SOURCE_FETCH_ALLOW_PRIVATE:
        for address in addresses:
            if not is_public_address(address):
                raise FetchError(ErrorKind.BLOCKED_ADDRESS, host)
    return addresses[0]


def _split(url):
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError(ErrorKind.BAD_URL, url) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(ErrorKind.BAD_URL, url)
    if parts.username or parts.password:
        raise FetchError(ErrorKind.BAD_URL, "credentials in the address")
    return parts, parts.hostname, port


def _request_for(url, timeout):
    """An httpx request to the checked address of `url`'s host, named as the host."""
    parts, host, port = _split(url)
    address = checked_address(host, port)
    netloc = f"[{address}]" if ":" in address else address
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = host if not parts.port else f"{host}:{parts.port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" + (f":{parts.port}" if parts.port else "")
    return httpx.Request(
        "GET",
        target,
        headers={
            "Host": host_header,
            "User-Agent": settings.SOURCE_FETCH_USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "ru,uk;q=0.8,en;q=0.6",
            # The bytes as the outlet sends them, not a compressed form of them.
            "Accept-Encoding": "identity",
        },
        extensions={
            "sni_hostname": host,
            "timeout": httpx.Timeout(timeout).as_dict(),
        },
    )


@functools.cache
def _ssl_context():
    # Loading the CA bundle costs tens of milliseconds: once per process, not per fetch.
    return httpx.create_ssl_context(trust_env=False)


def _transport():
    proxy = settings.SOURCE_FETCH_PROXY
    # trust_env off: only SOURCE_FETCH_PROXY decides, never HTTP_PROXY of the process.
    return httpx.HTTPTransport(
        verify=_ssl_context(),
        proxy=httpx.Proxy(proxy) if proxy else None,
        trust_env=False,
        retries=0,
    )


def _read_body(response, deadline, max_bytes):
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(ErrorKind.TOO_LARGE, declared)
    body = bytearray()
    for chunk in response.iter_raw(CHUNK):
        body.extend(chunk)
        if len(body) > max_bytes:
            raise FetchError(ErrorKind.TOO_LARGE, f"over {max_bytes}")
        if time.monotonic() > deadline:
            raise FetchError(ErrorKind.TIMEOUT, "whole fetch")
    return bytes(body)


def fetch(url, *, read_body=True):
    """GET `url` following redirects safely; a FetchResult, or FetchError on any failure.

    `read_body=False` (link checks) stops after the status and headers of the last hop.
    Any status other than 2xx at the last hop raises FetchError(HTTP_STATUS).
    """
    started = timezone.now()
    deadline = time.monotonic() + settings.SOURCE_FETCH_TIMEOUT
    max_bytes = settings.SOURCE_FETCH_MAX_BYTES
    current, redirects = url, []
    try:
        with _transport() as transport:
            for _hop in range(MAX_REDIRECTS + 1):
                # Each hop gets what is left of the whole fetch's time.
                remaining = max(deadline - time.monotonic(), 0.001)
                response = transport.handle_request(_request_for(current, remaining))
                try:
                    location = response.headers.get("Location")
                    if response.status_code in REDIRECT_STATUSES and location:
                        redirects.append(current)
                        current = urljoin(current, location.strip())
                        continue
                    if not 200 <= response.status_code < 300:
                        raise FetchError(
                            ErrorKind.HTTP_STATUS,
                            str(response.status_code),
                            status_code=response.status_code,
                            final_url=current,
                        )
                    body = _read_body(response, deadline, max_bytes) if read_body else b""
                    return FetchResult(
                        requested_url=url,
                        final_url=current,
                        status_code=response.status_code,
                        content_type=response.headers.get("Content-Type", "")[:200],
                        body=body,
                        fetched_at=started,
                        via_proxy=bool(settings.SOURCE_FETCH_PROXY),
                        redirects=redirects,
                        headers=dict(response.headers),
                    )
                finally:
                    response.close()
    except httpx.TimeoutException:
        raise FetchError(ErrorKind.TIMEOUT, final_url=current) from None
    except (httpx.TransportError, OSError) as error:
        raise FetchError(ErrorKind.CONNECTION, type(error).__name__, final_url=current) from None
    raise FetchError(ErrorKind.TOO_MANY_REDIRECTS, final_url=current)
