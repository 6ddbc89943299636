"""View guards: who may open a page, asked of the view itself (roles from ``org.access``).

``require_roles`` answers 404 (never 403) to a signed-in user without the role and sends a
visitor to the sign-in page; the view carries the same check as ``allows(user)`` so links
and forms pointing at it are shown by the very same rule (:func:`view_allows`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, partial, wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import NoReverseMatch, Resolver404, get_urlconf, resolve, reverse

from xinfang.org.access import has_role

__all__ = ["View", "require_roles", "require_staff", "roles_allow", "view_allows"]

View = Callable[..., HttpResponse]


def roles_allow(user: Any, roles: tuple[str, ...]) -> bool:
    """The check of :func:`require_roles`: a signed-in staff member holding one of ``roles``
    (any staff member when ``roles`` is empty)."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "is_citizen", False):
        return False
    return not roles or has_role(user, *roles)


def require_roles(*roles: str) -> Callable[[View], View]:
    """Staff-only view for the given roles. Anonymous → login; anyone else → 404, never 403.

    The view carries its check as ``allows(user)`` so that links and forms pointing at it
    are shown by the very same rule (:func:`view_allows`, the ``may_open`` template tag).
    """

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not roles_allow(user, roles):
                raise Http404
            return view(request, *args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        wrapped.allows = partial(roles_allow, roles=roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


_NOT_REVERSED = object()


@lru_cache(maxsize=2048)
def _predicate(urlconf: Any, url_name: str, args: tuple[Any, ...]) -> Any:
    """The ``allows`` of the view ``url_name`` reverses to (``None``: open to all;
    ``_NOT_REVERSED``: no such page). The URL configuration does not change while the
    process runs, so every navigation entry and link is resolved once, not on each render;
    the configuration is part of the key for tests that swap it."""
    try:
        match = resolve(reverse(url_name, args=args, urlconf=urlconf), urlconf=urlconf)
    except (NoReverseMatch, Resolver404):
        return _NOT_REVERSED
    return getattr(match.func, "allows", None)


def view_allows(user: Any, url_name: str, *args: Any) -> bool:
    """May ``user`` open the page named ``url_name``? Asked of the view itself.

    ``functools.wraps`` copies ``allows`` through outer decorators (``require_POST``), so the
    resolved function answers with the predicate it enforces. A view that declares none is
    open to whoever sees the link (public pages, the sign-in pages); a name that does not
    reverse is never shown.
    """
    key = (get_urlconf() or settings.ROOT_URLCONF, url_name, args)
    try:
        allows = _predicate(*key)
    except TypeError:  # an unhashable argument: resolved without the cache
        allows = _predicate.__wrapped__(*key)
    if allows is _NOT_REVERSED:
        return False
    return allows is None or bool(allows(user))


def require_staff(view: View) -> View:
    return require_roles()(view)
