"""Test support shared by every app: the cast of users and the permission matrix.

Every route is registered in :data:`PERMISSION_CASES` by its app's
``tests/permission_cases.py``; ``core/tests/test_permission_matrix.py`` runs each one as
anonymous, a staff member with no grant, the granted user and a user of another unit, and a
meta-test fails when a named route has no case. Routes that need no case (sign-in, the
admin, which has its own tests) are listed in :data:`EXEMPT_ROUTES` with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from xinfang.org.choices import Role, UnitLevel
from xinfang.org.models import RoleGrant, Unit, User

PASSWORD = "Test-pass-2026"  # noqa: S105 - test accounts only


@dataclass
class Cast:
    """A fixed cast: a county with two townships, a department, and users around them.

    ``unit_a`` is where the granted user works; ``unit_b`` is its sibling (the "other
    unit"); ``department`` is a functional department under the county.
    """

    county: Unit
    unit_a: Unit
    village_a: Unit
    unit_b: Unit
    department: Unit
    no_grant: User
    extra: dict[str, Any] = field(default_factory=dict)

    def user_with(self, role: str, unit: Unit, username: str | None = None) -> User:
        name = username or f"{role}-{unit.pk}"
        user, _ = User.objects.get_or_create(
            username=name, defaults={"full_name": name, "unit": unit}
        )
        if _:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        RoleGrant.objects.get_or_create(user=user, role=role, unit=unit)
        return user


def build_cast() -> Cast:
    county = Unit.objects.create(name="测试县", level=UnitLevel.COUNTY, admin_code="339901")
    unit_a = Unit.objects.create(name="甲镇", level=UnitLevel.TOWNSHIP, parent=county)
    village_a = Unit.objects.create(name="甲村", level=UnitLevel.VILLAGE, parent=unit_a)
    unit_b = Unit.objects.create(name="乙镇", level=UnitLevel.TOWNSHIP, parent=county)
    department = Unit.objects.create(
        name="测试县自然资源局", level=UnitLevel.DEPARTMENT, parent=county
    )
    no_grant = User.objects.create(username="no-grant", full_name="无授权", unit=county)
    no_grant.set_password(PASSWORD)
    no_grant.save(update_fields=["password"])
    return Cast(county, unit_a, village_a, unit_b, department, no_grant)


@dataclass(frozen=True)
class RouteCase:
    """How to exercise one route in the permission matrix.

    ``make`` creates the object the route shows, inside ``cast.unit_a``, and returns it;
    ``kwargs`` turns it into URL arguments. ``marker`` is text that the granted user sees
    and nobody else may. ``list_view`` routes answer 200 to the other unit too, without the
    marker. ``anonymous`` is what a visitor who is not signed in gets: "login" (redirect),
    "404", "401" (API) or "public".
    """

    url_name: str
    role: str
    make: Callable[[Cast], Any] | None = None
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    marker: Callable[[Any], str] | None = None
    method: str = "get"
    data: Callable[[Any], dict[str, Any]] | None = None
    ok_status: int = 200
    anonymous: str = "login"
    list_view: bool = False
    no_grant_status: int = 404
    grant_unit: str = "unit_a"
    headers: dict[str, str] = field(default_factory=dict)
    id: str = ""

    @property
    def case_id(self) -> str:
        return self.id or self.url_name


PERMISSION_CASES: list[RouteCase] = []

EXEMPT_ROUTES: dict[str, str] = {
    "home": "redirects by account type; covered by org/tests/test_views.py",
    "login": "the sign-in page itself; covered by org/tests/test_login.py",
    "logout": "signing out; covered by org/tests/test_login.py",
    "password_change": "own account only; covered by org/tests/test_login.py",
    "password_change_done": "own account only; static page",
}
EXEMPT_PREFIXES: dict[str, str] = {
    "admin:": "the Django admin: XinfangAdminSite tests in core/tests/test_admin.py",
    "api:openapi-json": "the public OpenAPI schema; covered by core/tests/test_api.py",
    "api:api-root": "ninja's root, lists nothing; covered by core/tests/test_api.py",
}


def register(*cases: RouteCase) -> None:
    PERMISSION_CASES.extend(cases)


ROLE_ANY = Role.HANDLER


def sign_in(client: Any, user: User) -> None:
    """``client.force_login(user)`` with the second factor passed, for a user who must have
    one (administrators): tests of other pages need a complete sign-in. Tests of signing in
    itself go through the login pages (org/tests/test_two_factor.py)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from xinfang.org.twofactor import second_factor_required

    client.force_login(user)
    if second_factor_required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
