"""Request context (the client address for the audit trail), security headers, the
forwarded protocol from trusted proxies only, the idle-session refresh and the absolute
session lifetime."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_current_ip: ContextVar[str | None] = ContextVar("xinfang_current_ip", default=None)

# Everything is served from our own origin: offline networks, no outside tiles or CDNs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self'"
)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=4)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or, when that is a trusted reverse proxy
    (XINFANG_TRUSTED_PROXIES, e.g. the nginx in front of gunicorn), the right-most
    address in X-Forwarded-For that is not itself a trusted proxy. Everything to the left
    of that was written by the client and is never believed. Without this every request
    behind nginx would come from 127.0.0.1: one portal rate limit and one login lockout
    for the whole province, and the proxy's address in the audit trail.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(getattr(settings, "XINFANG_TRUSTED_PROXIES", ())))
    if remote is None or not networks or not _trusted(remote, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # garbage from the proxy chain: keep the proxy's address
    return remote


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Is the direct peer (REMOTE_ADDR) one of XINFANG_TRUSTED_PROXIES?"""
    remote = request.META.get("REMOTE_ADDR") or ""
    networks = _networks(tuple(getattr(settings, "XINFANG_TRUSTED_PROXIES", ())))
    return bool(remote and networks and _trusted(remote, networks))


def current_ip() -> str | None:
    """The address of the request being served, if any (None in commands and workers)."""
    return _current_ip.get()


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _current_ip.reset(token)


class ForwardedProtoMiddleware:
    """Drop the forwarded-protocol header (SECURE_PROXY_SSL_HEADER) unless the request
    came from a trusted reverse proxy.

    Django believes that header from anyone: a client talking plain HTTP to gunicorn could
    send ``X-Forwarded-Proto: https`` and be treated as secure (no HTTPS redirect, secure
    cookies sent over HTTP). Must run before SecurityMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        if header and header[0] in request.META and not from_trusted_proxy(request):
            del request.META[header[0]]
        return self.get_response(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(), camera=(), microphone=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


# The session's last refresh (Unix seconds), stored in the session itself.
SESSION_REFRESHED_KEY = "_xinfang_refreshed"
# How stale the expiry may get before a request renews it.
SESSION_REFRESH_SECONDS = 60


class SessionRefreshMiddleware:
    """Keep the idle timeout (SESSION_COOKIE_AGE after the last activity) without writing
    the session on every request.

    ``SESSION_SAVE_EVERY_REQUEST`` rewrote the session row (and re-sent the cookie) on every
    page view; here the session is marked modified only when its last refresh is a minute
    old or more, so a burst of requests costs one write. The timeout becomes "between
    SESSION_COOKIE_AGE - 60 s and SESSION_COOKIE_AGE after the last request". Only
    sessions that already hold data are refreshed: an anonymous visitor without a session
    gets none (no row per portal visitor).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        # session_key is read from the cookie without loading the session.
        if session is not None and session.session_key:
            now = int(time.time())
            refreshed = session.get(SESSION_REFRESHED_KEY)
            stale = not isinstance(refreshed, int) or not (
                0 <= now - refreshed < SESSION_REFRESH_SECONDS
            )
            # A cookie whose session expired or vanished loads as empty: leave it so.
            if stale and session.keys():
                session[SESSION_REFRESHED_KEY] = now  # marks it modified: saved, new expiry
        return self.get_response(request)


# When the session was signed in (Unix seconds), stored in the session itself.
SESSION_SIGNED_IN_KEY = "_xinfang_signed_in"
# Django's own key of the signed-in user's id (django.contrib.auth.SESSION_KEY).
_AUTH_USER_KEY = "_auth_user_id"


def mark_signed_in(session: Any) -> None:
    """Start the absolute lifetime: called by the sign-in views right after login()."""
    session[SESSION_SIGNED_IN_KEY] = int(time.time())


class SessionLifetimeMiddleware:
    """Sign out a session XINFANG_SESSION_MAX_SECONDS after sign-in, however active it is.

    The idle timeout alone lets a stolen session live for ever as long as someone keeps
    using it. A signed-in session without a sign-in time (one from before this rule, or a
    test's force_login) is stamped on first sight, so it too ends within the lifetime.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key and session.get(_AUTH_USER_KEY):
            now = int(time.time())
            signed_in = session.get(SESSION_SIGNED_IN_KEY)
            if not isinstance(signed_in, int):
                session[SESSION_SIGNED_IN_KEY] = now
            elif now - signed_in >= settings.XINFANG_SESSION_MAX_SECONDS:
                self._expire(request, session)
        return self.get_response(request)

    @staticmethod
    def _expire(request: HttpRequest, session: Any) -> None:
        from django.contrib.auth import get_user_model

        from xinfang.core import audit
        from xinfang.core.models import AuditAction

        user = get_user_model().objects.filter(pk=session.get(_AUTH_USER_KEY)).first()
        session.flush()  # a new, empty session: AuthenticationMiddleware sees no one
        if user is not None:
            token = _current_ip.set(client_ip(request))
            try:
                audit.record(
                    actor=user,
                    action=AuditAction.LOGOUT,
                    obj=user,
                    detail={"reason": "session_max_age"},
                )
            finally:
                _current_ip.reset(token)
