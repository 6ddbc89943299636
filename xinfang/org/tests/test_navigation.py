"""Navigation entries and in-page links follow the check of the view they lead to."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from xinfang.org import navigation
from xinfang.org.choices import Role
from xinfang.org.guards import require_roles, view_allows
from xinfang.shell.testing import Cast

pytestmark = pytest.mark.django_db


def _labels(user: Any) -> set[str]:
    return {item["label"] for item in navigation.items_for(user)}


def test_navigation_entry_follows_the_views_own_roles(cast: Cast) -> None:
    # petitions:register is require_roles(REGISTRAR, ADMINISTRATOR): no second list here.
    assert "登记信访" in _labels(cast.user_with(Role.REGISTRAR, cast.unit_a))
    assert "登记信访" not in _labels(cast.user_with(Role.HANDLER, cast.unit_a))
    assert "审计日志" not in _labels(cast.user_with(Role.HANDLER, cast.unit_a))
    assert "审计日志" in _labels(cast.user_with(Role.ADMINISTRATOR, cast.unit_a))


def test_navigation_item_carries_no_role_list() -> None:
    assert set(navigation.NavItem.__dataclass_fields__) == {"label", "url_name", "visible"}
    with pytest.raises(TypeError):
        navigation.NavItem("登记信访", "petitions:petition_register", (Role.REGISTRAR,))  # type: ignore[misc]


def test_view_allows_reads_the_predicate_through_outer_decorators(cast: Cast) -> None:
    # ledgers:shift_absence is require_POST(require_roles(handler, leader, supervisor)).
    assert view_allows(cast.user_with(Role.SUPERVISOR, cast.unit_a), "ledgers:shift_absence", 1)
    assert not view_allows(cast.user_with(Role.REGISTRAR, cast.unit_a), "ledgers:shift_absence", 1)
    assert not view_allows(cast.user_with(Role.REGISTRAR, cast.unit_a), "no-such-route")


def test_require_roles_predicate_is_the_check_it_enforces(cast: Cast) -> None:
    view = require_roles(Role.DUTY_OFFICER)(lambda request: None)
    assert view.allows(cast.user_with(Role.DUTY_OFFICER, cast.unit_a))  # type: ignore[attr-defined]
    assert not view.allows(cast.no_grant)  # type: ignore[attr-defined]


def _render(source: str, user: Any, **context: Any) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load permissions %}" + source)
    return template.render(Context({"request": request, **context})).strip()


def test_may_open_and_may_act_template_tags(cast: Cast) -> None:
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    open_tag = '{% may_open "ledgers:dispute_create" as ok %}{{ ok }}'
    assert _render(open_tag, handler) == "True"
    assert _render(open_tag, cast.user_with(Role.REGISTRAR, cast.unit_a)) == "False"
    act_tag = '{% may_act "handle" unit as ok %}{{ ok }}'
    assert _render(act_tag, handler, unit=cast.village_a) == "True"
    assert _render(act_tag, handler, unit=cast.unit_b) == "False"


def test_a_page_is_resolved_once_not_on_every_render(cast: Cast, monkeypatch) -> None:
    from xinfang.org import guards

    calls = []
    real = guards.resolve
    monkeypatch.setattr(guards, "resolve", lambda *a, **k: calls.append(a) or real(*a, **k))
    guards._predicate.cache_clear()
    supervisor = cast.user_with(Role.SUPERVISOR, cast.unit_a)
    registrar = cast.user_with(Role.REGISTRAR, cast.unit_a)
    for _ in range(3):
        assert view_allows(supervisor, "ledgers:shift_absence", 1)
        assert not view_allows(registrar, "ledgers:shift_absence", 1)
    assert len(calls) == 1
