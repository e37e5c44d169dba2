"""Every request to a destination, made safe for addresses strangers type.

A site URL is hostile input: it must be http(s), name a host, and carry no password or
fragment. The address actually connected to must be public; the check runs on the socket
itself, after DNS and at every connection, so a name that resolves to 127.0.0.1 or
169.254.169.254 — at once or only on the second lookup — is refused. Redirects are not
followed: the error names the new address, to be entered instead.
BLOGTUBE_PUBLISH_PRIVATE_ADDRESSES allows private and loopback addresses, for a site on the
operator's own network (and the tests' fake servers).

Failures become the BlogTubeErrors of publishing.errors: what is wrong, said exactly.
"""

from __future__ import annotations

import ipaddress
import socket
import urllib.parse
from typing import Any

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from publishing.errors import (
    AddressRefused,
    BadCredentials,
    BadSiteURL,
    DestinationDown,
    DestinationError,
    DestinationUnreachable,
    MissingPermission,
    SiteNotFound,
)

MAX_URL_LENGTH = 500
# Connect, read: a slow site holds a worker only so long.
TIMEOUT = (10, 60)
USER_AGENT = "BlogTube publisher"


def site_url(raw: str) -> str:
    """The site's address, normalised (no trailing slash); BadSiteURL saying what is wrong."""
    url = (raw or "").strip()
    if not url:
        raise BadSiteURL("Enter the site's address.")
    if len(url) > MAX_URL_LENGTH:
        raise BadSiteURL(f"The site address is longer than {MAX_URL_LENGTH} characters.")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise BadSiteURL("The site address contains spaces or control characters.")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BadSiteURL(f"The site address cannot be read: {exc}.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BadSiteURL("The site address must start with https:// (or http://).")
    if not parts.hostname:
        raise BadSiteURL("The site address has no host name.")
    if parts.username or parts.password:
        raise BadSiteURL(
            "The site address must not hold a user name or password: enter them in their fields."
        )
    if parts.query or parts.fragment:
        raise BadSiteURL("The site address must not have a ?query or #fragment.")
    host = parts.hostname
    if not _is_ip(host):
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise BadSiteURL(f"{host} is not a valid host name.") from None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return urllib.parse.urlunsplit((parts.scheme.lower(), netloc, parts.path.rstrip("/"), "", ""))


def check_address(url: str) -> None:
    """Resolve the URL's host now, for a clear answer before anything is sent: SiteNotFound
    or AddressRefused. The socket check in ``session()`` is what guarantees it."""
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise SiteNotFound(f"The name {host} could not be found (DNS).", detail=str(exc)) from None
    for info in infos:
        _refuse_unless_allowed(str(info[4][0]), host)


def session() -> requests.Session:
    """A requests session whose every connection is checked; no proxy from the environment,
    which would connect on the site's behalf past the check."""
    s = requests.Session()
    s.trust_env = False
    s.headers["User-Agent"] = USER_AGENT
    adapter = _GuardedAdapter()
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s


def send(s: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
    """One request; a network failure, 401, 403 or 5xx as its BlogTubeError, any other
    answer returned for the caller to read."""
    kwargs.setdefault("timeout", TIMEOUT)
    # Not followed: a redirected POST arrives as a GET without its body, and an API that
    # moved is better fixed in the destination's address, which the error names.
    kwargs["allow_redirects"] = False
    try:
        response = s.request(method, url, **kwargs)
    except _Refused as exc:
        raise AddressRefused(
            f"{exc.host} is at {exc.address}, a private or local address BlogTube does not call."
        ) from None
    except requests.exceptions.SSLError as exc:
        raise DestinationError(
            "The site's HTTPS certificate is not valid.",
            suggestions=["Renew the site's certificate, or check the address"],
            detail=str(exc),
        ) from None
    except requests.exceptions.Timeout as exc:
        raise DestinationUnreachable("The site did not answer in time.", detail=str(exc)) from None
    except requests.exceptions.ConnectionError as exc:
        if _is_dns_failure(exc):
            host = urllib.parse.urlsplit(getattr(exc.request, "url", None) or url).hostname
            raise SiteNotFound(
                f"The name {host} could not be found (DNS).", detail=str(exc)
            ) from None
        raise DestinationUnreachable(
            "The site could not be reached (connection refused or dropped).", detail=str(exc)
        ) from None
    except requests.exceptions.RequestException as exc:
        raise DestinationUnreachable(detail=str(exc)) from None
    if response.is_redirect:
        location = urllib.parse.urljoin(url, response.headers.get("Location", ""))
        raise DestinationError(
            f"The site sends its API to {location[:200]}.",
            suggestions=["Enter the site's address as it is after the redirect (https, www…)"],
        )
    if response.status_code == 401:
        raise BadCredentials(detail=_said(response))
    if response.status_code == 403:
        raise MissingPermission(detail=_said(response))
    if response.status_code >= 500:
        raise DestinationDown(
            f"The site answered with a server error ({response.status_code}).",
            detail=_said(response),
        )
    return response


def _said(response: requests.Response) -> str:
    return f"{response.request.method} {response.url}: {response.status_code} {response.text[:500]}"


def _is_dns_failure(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, socket.gaierror) or type(current).__name__ == "NameResolutionError":
            return True
        current = (
            current.__cause__
            or current.__context__
            or (
                current.args[0]
                if current.args and isinstance(current.args[0], BaseException)
                else None
            )
        )
    return False


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def allowed_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_global and not ip.is_multicast:
        return True
    # Unspecified (0.0.0.0) and multicast are never a web site, whatever the setting.
    if ip.is_unspecified or ip.is_multicast:
        return False
    return bool(settings.BLOGTUBE_PUBLISH_PRIVATE_ADDRESSES)


def _refuse_unless_allowed(address: str, host: str) -> None:
    if not allowed_address(address):
        raise AddressRefused(
            f"{host} is at {address}, a private or local address BlogTube does not call."
        )


class _Refused(Exception):
    # Not an OSError: urllib3 would retry it and requests wrap it as a connection error.
    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} -> {address}")
        self.host, self.address = host, address


class _GuardMixin:
    host: str

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        address = str(sock.getpeername()[0])
        if not allowed_address(address):
            sock.close()
            raise _Refused(self.host, address)
        return sock


class _GuardedHTTPConnection(_GuardMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }
