"""Every trips route in the permission matrix (shell/tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any

from xinfang.org.choices import Role
from xinfang.shell.testing import Cast, RouteCase, register
from xinfang.trips.tests import factories as f


def _trip(cast: Cast) -> Any:
    return f.trip(cast.unit_a, title="甲镇赴德国考察团PC")


pk = lambda obj: {"pk": obj.pk}  # noqa: E731
title = lambda obj: obj.title  # noqa: E731

register(
    RouteCase("trips:trip_list", Role.HANDLER, make=_trip, marker=title, list_view=True),
    RouteCase("trips:trip_create", Role.HANDLER, list_view=True),
    RouteCase("trips:trip_detail", Role.HANDLER, make=_trip, kwargs=pk, marker=title),
    RouteCase("trips:trip_edit", Role.HANDLER, make=_trip, kwargs=pk, marker=title),
    RouteCase(
        "trips:trip_transition",
        Role.HANDLER,
        make=_trip,
        kwargs=pk,
        method="post",
        data=lambda t: {"step": "submit"},
        ok_status=302,
    ),
    RouteCase(
        "trips:trip_exception",
        Role.UNIT_LEADER,
        make=_trip,
        kwargs=pk,
        method="post",
        data=lambda t: {"code": "members_max", "reason": "工作需要"},
        ok_status=302,
    ),
    RouteCase("trips:rule_list", Role.HANDLER, list_view=True),
    RouteCase(
        "trips:rule_update",
        Role.UNIT_LEADER,
        method="post",
        data=lambda _obj: {"unit": "", "code": "members_max", "value": "5", "enabled": "on"},
        ok_status=302,
        list_view=True,
    ),
    RouteCase(
        "trips:plan_list",
        Role.HANDLER,
        make=lambda cast: f.plan_item(cast.unit_a, purpose="甲镇考察计划PC"),
        marker=lambda i: i.purpose,
        list_view=True,
    ),
    RouteCase("trips:plan_create", Role.HANDLER, list_view=True),
    RouteCase(
        "trips:trip_statistics",
        Role.HANDLER,
        make=_trip,
        list_view=True,
    ),
    RouteCase("trips:trip_statistics_export", Role.HANDLER, make=_trip, list_view=True),
)
