"""Who may do what where: role grants on unit subtrees.

``granted_paths(user, action)`` is the single answer every scoped queryset builds on. The
grants of a user are read once per request object and cached on it.
"""

from __future__ import annotations

from typing import Any

from xinfang.org.choices import Role

ALL_ROLES = frozenset(Role)

# Actions the domain apps ask about, and the roles that allow them.
ACTION_ROLES: dict[str, frozenset[str]] = {
    "view": ALL_ROLES,
    "register": frozenset({Role.REGISTRAR, Role.ADMINISTRATOR}),
    "handle": frozenset({Role.HANDLER, Role.UNIT_LEADER}),
    "lead": frozenset({Role.UNIT_LEADER}),
    "supervise": frozenset({Role.SUPERVISOR, Role.UNIT_LEADER}),
    "receive": frozenset({Role.RECEIVING_LEADER}),
    "duty": frozenset({Role.DUTY_OFFICER, Role.UNIT_LEADER}),
    "grid": frozenset({Role.GRID_WORKER, Role.GRID_HEAD, Role.GRID_SUPERVISOR}),
    "assess": frozenset({Role.ASSESSMENT_OFFICER}),
    "admin": frozenset({Role.ADMINISTRATOR}),
    # Entering an office's backlog from its general register (documents.register_import).
    "import_register": frozenset({Role.ADMINISTRATOR}),
}


def _grants(user: Any) -> list[tuple[str, str]]:
    cached = getattr(user, "_xinfang_grants", None)
    if cached is None:
        from xinfang.org.models import RoleGrant

        cached = list(
            RoleGrant.objects.filter(user_id=user.pk, unit__is_active=True).values_list(
                "role", "unit__path"
            )
        )
        user._xinfang_grants = cached
    return cached


def roles_for(action: str) -> frozenset[str]:
    try:
        return ACTION_ROLES[action]
    except KeyError:
        return frozenset({action}) if action in ALL_ROLES else frozenset()


def granted_paths(user: Any, action: str = "view") -> list[str]:
    """Paths of the unit subtrees where ``user`` may perform ``action``."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    allowed = roles_for(action)
    return sorted({path for role, path in _grants(user) if role in allowed})


def user_roles(user: Any) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return {role for role, _path in _grants(user)}


def has_role(user: Any, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles)) or bool(getattr(user, "is_superuser", False))


def can(user: Any, action: str, unit_path: str) -> bool:
    """May ``user`` perform ``action`` on something that belongs to the unit at ``unit_path``?"""
    if getattr(user, "is_superuser", False):
        return True
    return any(unit_path.startswith(path) for path in granted_paths(user, action))


def forget_grants(user: Any) -> None:
    """Drop the cached grants (after granting or revoking in the same request)."""
    if hasattr(user, "_xinfang_grants"):
        del user._xinfang_grants
