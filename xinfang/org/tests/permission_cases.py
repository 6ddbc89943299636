"""Permission cases of the organisation routes."""

from xinfang.core.testing import RouteCase, register
from xinfang.org.choices import Role

register(
    # Staff without grants still get a dashboard that says so.
    RouteCase("dashboard", role=Role.HANDLER, list_view=True, no_grant_status=200),
    RouteCase(
        "org:unit_list",
        role=Role.ADMINISTRATOR,
        list_view=True,
        make=lambda cast: cast.village_a,
        marker=lambda unit: unit.name,
    ),
    RouteCase(
        "core:audit_list",
        role=Role.ADMINISTRATOR,
        list_view=True,
    ),
)
