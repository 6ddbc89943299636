"""Permission cases of the core routes (the audit log's case lives with the org routes)."""

from xinfang.org.choices import Role
from xinfang.shell.testing import RouteCase, register

register(
    # Any staff member may compute a period, grants or not; citizens and visitors may not.
    RouteCase(
        "shell:deadline_calculator",
        role=Role.HANDLER,
        list_view=True,
        no_grant_status=200,
        data=lambda _obj: {"start": "2026-09-01", "days": "30", "mode": "calendar"},
    ),
)
