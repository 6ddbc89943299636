"""Scoped roles: grants on subtrees, restrict(), 404 for out-of-scope objects, navigation."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import Client, RequestFactory

from xinfang.core.querysets import get_object_for_user
from xinfang.org import services
from xinfang.org.access import can, forget_grants, granted_paths, has_role, user_roles
from xinfang.org.choices import Role
from xinfang.org.guards import require_roles
from xinfang.org.models import RoleGrant, Unit, User
from xinfang.org.navigation import items_for, navigation
from xinfang.org.querysets import any_subtree_q
from xinfang.shell.testing import PASSWORD, Cast, sign_in

pytestmark = pytest.mark.django_db


def test_granted_paths_follow_roles_and_actions(cast: Cast) -> None:
    user = cast.user_with(Role.HANDLER, cast.unit_a)
    RoleGrant.objects.create(user=user, role=Role.DUTY_OFFICER, unit=cast.unit_b)
    forget_grants(user)
    assert granted_paths(user, "view") == sorted([cast.unit_a.path, cast.unit_b.path])
    assert granted_paths(user, "handle") == [cast.unit_a.path]
    assert granted_paths(user, "duty") == [cast.unit_b.path]
    assert granted_paths(user, "admin") == []
    assert granted_paths(user, Role.DUTY_OFFICER) == [cast.unit_b.path]
    assert granted_paths(user, "no-such-action") == []
    assert user_roles(user) == {Role.HANDLER, Role.DUTY_OFFICER}


def test_grants_on_inactive_units_do_not_count(cast: Cast) -> None:
    user = cast.user_with(Role.HANDLER, cast.unit_a)
    Unit.objects.filter(pk=cast.unit_a.pk).update(is_active=False)
    forget_grants(user)
    assert granted_paths(user) == []


def test_can_covers_the_subtree_only(cast: Cast) -> None:
    user = cast.user_with(Role.HANDLER, cast.unit_a)
    assert can(user, "handle", cast.unit_a.path)
    assert can(user, "handle", cast.village_a.path)
    assert not can(user, "handle", cast.unit_b.path)
    assert not can(user, "handle", cast.county.path)
    assert not can(user, "admin", cast.unit_a.path)


def test_has_role(cast: Cast) -> None:
    user = cast.user_with(Role.UNIT_LEADER, cast.unit_a)
    assert has_role(user, Role.UNIT_LEADER, Role.HANDLER)
    assert not has_role(user, Role.ADMINISTRATOR)
    assert not has_role(cast.no_grant, Role.HANDLER)
    superuser = User.objects.create(username="root", is_superuser=True)
    assert has_role(superuser, Role.ADMINISTRATOR)


def test_any_subtree_q_drops_nested_paths() -> None:
    q = any_subtree_q(["1/2/", "1/2/5/", "1/3/"])
    assert q is not None and len(q.children) == 2
    assert any_subtree_q([]) is None


def test_restrict_units(cast: Cast) -> None:
    user = cast.user_with(Role.ADMINISTRATOR, cast.unit_a)
    assert set(Unit.objects.restrict(user, "admin")) == {cast.unit_a, cast.village_a}
    assert set(Unit.objects.restrict(user, "view")) == {cast.unit_a, cast.village_a}
    assert not Unit.objects.restrict(user, "handle").exists()
    assert not Unit.objects.restrict(cast.no_grant).exists()
    from django.contrib.auth.models import AnonymousUser

    assert not Unit.objects.restrict(AnonymousUser()).exists()
    assert not Unit.objects.restrict(None).exists()


def test_restrict_users(cast: Cast) -> None:
    admin = cast.user_with(Role.ADMINISTRATOR, cast.unit_a, username="admin-a")
    inside = User.objects.create(username="inside", unit=cast.village_a)
    outside = User.objects.create(username="outside", unit=cast.unit_b)
    citizen = services.create_citizen(actor=None, phone="13700000001", password=PASSWORD)
    visible = set(User.objects.restrict(admin, "admin"))
    assert inside in visible and admin in visible
    assert outside not in visible and citizen not in visible
    # Anyone sees their own account.
    assert set(User.objects.restrict(cast.no_grant)) == {cast.no_grant}


def test_out_of_scope_and_missing_objects_are_both_404(cast: Cast) -> None:
    user = cast.user_with(Role.HANDLER, cast.unit_a)
    assert get_object_for_user(Unit.objects, user, pk=cast.village_a.pk) == cast.village_a
    for pk in (cast.unit_b.pk, 999999, "not-a-number"):
        with pytest.raises(Http404):
            get_object_for_user(Unit.objects, user, pk=pk)
    with pytest.raises(Http404):
        get_object_for_user(Unit.objects, user, action="admin", pk=cast.unit_a.pk)


def test_require_roles_answers_404_never_403(cast: Cast) -> None:
    @require_roles(Role.SUPERVISOR)
    def view(request: object) -> object:
        from django.http import HttpResponse

        return HttpResponse("ok")

    request = RequestFactory().get("/x/")
    request.user = cast.user_with(Role.HANDLER, cast.unit_a)
    with pytest.raises(Http404):
        view(request)
    request.user = cast.user_with(Role.SUPERVISOR, cast.unit_b)
    assert view(request).status_code == 200
    citizen = services.create_citizen(actor=None, phone="13700000002", password=PASSWORD)
    request.user = citizen
    with pytest.raises(Http404):
        view(request)


def _labels(user: User) -> list[str]:
    return [item["label"] for item in items_for(user)]


def test_navigation_shows_only_what_roles_allow(cast: Cast) -> None:
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    admin = cast.user_with(Role.ADMINISTRATOR, cast.unit_a)
    assert "工作台" in _labels(handler)
    assert "单位与人员" not in _labels(handler) and "审计日志" not in _labels(handler)
    assert {"工作台", "单位与人员", "审计日志"} <= set(_labels(admin))
    citizen = services.create_citizen(actor=None, phone="13700000003", password=PASSWORD)
    assert _labels(citizen) == []

    request = RequestFactory().get("/")
    request.user = handler
    assert navigation(request)["show_admin"] is False
    request.user = admin
    assert navigation(request)["show_admin"] is True


def test_navigation_is_rendered_per_user(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.user_with(Role.HANDLER, cast.unit_a))
    body = client.get("/dashboard/").content.decode()
    assert "工作台" in body and "审计日志" not in body and "系统管理" not in body
    sign_in(client, cast.user_with(Role.ADMINISTRATOR, cast.unit_a))
    body = client.get("/dashboard/").content.decode()
    assert "审计日志" in body and "系统管理" in body


def test_factories_encrypt_phone_given_as_keyword(cast: Cast) -> None:
    from xinfang.org.tests.factories import CitizenFactory, RoleGrantFactory, StaffFactory

    citizen = CitizenFactory(phone="13512345678")
    stored = User.objects.get(pk=citizen.pk)
    assert stored.phone == "135****5678" and "13512345678" not in stored.phone_token
    assert stored.check_password(PASSWORD)
    staff = StaffFactory(unit=cast.unit_b)
    RoleGrantFactory(user=staff, unit=cast.unit_b, role=Role.HANDLER)
    assert set(Unit.objects.restrict(staff)) == {cast.unit_b}
