"""Permission cases of the organisation routes."""

from typing import Any

from xinfang.core import audit
from xinfang.core.models import AuditAction
from xinfang.org.choices import Role
from xinfang.shell.testing import Cast, RouteCase, register


def _audited_change_in_unit_a(cast: Cast) -> Any:
    """An entry written by someone working in unit A's subtree (the marker of the log)."""
    actor = cast.user_with(Role.HANDLER, cast.village_a, username="audited-actor")
    return audit.record(actor=actor, action=AuditAction.CHANGE, obj=cast.village_a)


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
        "shell:audit_list",
        role=Role.ADMINISTRATOR,
        list_view=True,
        make=_audited_change_in_unit_a,
        marker=lambda entry: f"{entry.object_type} {entry.object_repr}",
    ),
)

register(
    # The staff member's own second factor: every staff account has the page, and it shows
    # only their own device (no other unit's object to hide).
    RouteCase("two_factor", role=Role.HANDLER, list_view=True, no_grant_status=200),
    # The code step of sign-in: nobody is half-way through a sign-in here, so it sends
    # everyone back to the login page (covered by org/tests/test_two_factor.py).
    RouteCase(
        "login_code",
        role=Role.HANDLER,
        list_view=True,
        ok_status=302,
        no_grant_status=302,
    ),
)


def _account_to_activate(cast: Cast) -> Any:
    from xinfang.org import services

    return services.create_staff(
        actor=None, username="to-activate", password=None, full_name="待激活", unit=cast.unit_a
    )


def _activation_kwargs(user: Any) -> dict[str, str]:
    from xinfang.org.activation import activation_token

    return {"token": activation_token(user)}


register(
    # A capability link: whoever holds it sets the account's password, once, signed in or
    # not; the account's name is shown to them alone (the link is the secret).
    RouteCase(
        "activate_account",
        role=Role.HANDLER,
        make=_account_to_activate,
        kwargs=_activation_kwargs,
        anonymous="public",
    ),
)
