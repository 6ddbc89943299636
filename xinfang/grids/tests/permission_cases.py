"""Every grids route in the permission matrix (shell/tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any

from xinfang.grids.tests import factories as f
from xinfang.org.choices import Role
from xinfang.shell.testing import Cast, RouteCase, register


def _community(cast: Cast) -> Any:
    return f.community(cast)


def _item(cast: Cast) -> Any:
    return f.log_item(f.community(cast), summary="甲村路灯不亮PC")


unit_pk = lambda c: {"pk": c.unit.pk}  # noqa: E731
grid_pk = lambda c: {"pk": c.grid.pk}  # noqa: E731
pk = lambda obj: {"pk": obj.pk}  # noqa: E731
W = Role.GRID_WORKER

register(
    RouteCase(
        "grids:pair_create",
        Role.GRID_HEAD,
        make=_community,
        kwargs=unit_pk,
        method="post",
        ok_status=302,
    ),
    RouteCase("grids:grid_draw", W, make=_community, kwargs=unit_pk, method="post", ok_status=302),
    RouteCase(
        "grids:address_import", W, make=_community, kwargs=unit_pk, method="post", ok_status=302
    ),
    RouteCase(
        "grids:community_list", W, make=_community, marker=lambda c: c.unit.name, list_view=True
    ),
    RouteCase(
        "grids:community_detail", W, make=_community, kwargs=unit_pk, marker=lambda c: c.unit.name
    ),
    RouteCase(
        "grids:community_geojson", W, make=_community, kwargs=unit_pk, marker=lambda c: "G11"
    ),
    RouteCase(
        "grids:boundary_import", W, make=_community, kwargs=unit_pk, method="post", ok_status=302
    ),
    RouteCase(
        "grids:meeting_record",
        Role.GRID_HEAD,
        make=_item,
        kwargs=lambda i: {"pk": i.grid.parent_id},
        marker=lambda i: i.summary,
    ),
    RouteCase(
        "grids:meeting_record",
        Role.GRID_HEAD,
        make=_item,
        kwargs=lambda i: {"pk": i.grid.parent_id},
        method="post",
        data=lambda i: {f"i{i.pk}-step": "resolve", f"i{i.pk}-result": "会上办结"},
        ok_status=302,
        id="grids:meeting_record:post",
    ),
    RouteCase(
        "grids:review_record",
        Role.GRID_SUPERVISOR,
        make=lambda cast: cast.unit_a,
        kwargs=pk,
        method="post",
        ok_status=302,
    ),
    RouteCase("grids:patrol_create", W, list_view=True),
    RouteCase("grids:log_item_list", W, make=_item, marker=lambda i: i.summary, list_view=True),
    RouteCase("grids:log_item_create", W, list_view=True),
    RouteCase("grids:log_item_detail", W, make=_item, kwargs=pk, marker=lambda i: i.summary),
    RouteCase(
        "grids:log_item_transition",
        W,
        make=_item,
        kwargs=pk,
        method="post",
        data=lambda i: {"step": "resolve", "resolve-result": "已修复", "resolve-returned": "on"},
        ok_status=302,
    ),
    RouteCase("grids:areas_geojson", W, make=_community, anonymous="public"),
    RouteCase("grids:notice_board", W, make=_community, kwargs=grid_pk, anonymous="public"),
    RouteCase("grids:notice_board_pdf", W, make=_community, kwargs=grid_pk, anonymous="public"),
)
