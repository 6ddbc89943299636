"""Writes to the organisation: units, accounts and grants. Each one is audited.

The admin goes through these too (``shell/org_admin.py``): a change made there is in the audit
chain with its before and after, in the same transaction as the change itself.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from xinfang.core import audit
from xinfang.core.audit import snapshot
from xinfang.core.models import AuditAction
from xinfang.org.access import forget_grants
from xinfang.org.choices import AccountKind
from xinfang.org.models import RoleGrant, Unit, User


@transaction.atomic
def create_unit(
    *, actor: Any, name: str, level: str, parent: Unit | None = None, **fields: Any
) -> Unit:
    unit = Unit(name=name, level=level, parent=parent, **fields)
    unit.full_clean(exclude=["path"])
    unit.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=unit, after=snapshot(unit))
    return unit


def _stored_snapshot(obj: Model) -> dict[str, Any] | None:
    """The row as the database holds it now (``None`` for an object not saved yet)."""
    if obj.pk is None:
        return None
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(stored) if stored is not None else None


@transaction.atomic
def save_unit(*, actor: Any, unit: Unit) -> Unit:
    """Create or change a unit as edited (in the admin, say), with before and after."""
    before = _stored_snapshot(unit)
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.refresh_from_db()
    action = AuditAction.CREATE if before is None else AuditAction.CHANGE
    audit.record(actor=actor, action=action, obj=unit, before=before, after=snapshot(unit))
    return unit


@transaction.atomic
def delete_unit(*, actor: Any, unit: Unit) -> None:
    """Remove a unit; one that still has sub-units, staff or grants is protected."""
    audit.record(actor=actor, action=AuditAction.DELETE, obj=unit, before=snapshot(unit))
    unit.delete()


def _set_initial_password(user: User, password: str | None, must_change: bool) -> None:
    # No password: the account waits for its activation link (``org.activation``).
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.must_change_password = must_change and password is not None


@transaction.atomic
def create_staff(
    *,
    actor: Any,
    username: str,
    password: str | None,
    full_name: str,
    unit: Unit,
    title: str = "",
    phone: str = "",
    is_staff: bool = False,
    must_change_password: bool = False,
) -> User:
    """A staff account. ``password=None`` leaves it to be activated by a one-time link;
    ``must_change_password`` makes an initial password good for the first sign-in only."""
    user = User(
        username=username,
        full_name=full_name,
        unit=unit,
        title=title,
        kind=AccountKind.STAFF,
        is_staff=is_staff,
    )
    user.phone = phone
    _set_initial_password(user, password, must_change_password)
    user.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=user, after=snapshot(user))
    return user


@transaction.atomic
def create_citizen(
    *,
    actor: Any,
    phone: str,
    password: str | None,
    full_name: str = "",
    id_number: str = "",
    must_change_password: bool = False,
) -> User:
    """A citizen account signs in with its phone number; the user name is internal.

    The phone number (and the ID number, if given) are stored only encrypted; an invalid ID
    number raises :class:`~xinfang.core.errors.InvalidIdNumber` with a Chinese message.
    """
    user = User(kind=AccountKind.CITIZEN, full_name=full_name)
    user.phone = phone
    user.id_number = id_number
    if User.objects.filter(kind=AccountKind.CITIZEN, phone_digest=user.phone_digest).exists():
        raise ValidationError({"phone": _("该手机号码已注册，请直接登录。")})
    user.username = f"citizen-{user.phone_digest[:24]}"
    _set_initial_password(user, password, must_change_password)
    user.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=user, after=snapshot(user))
    return user


@transaction.atomic
def save_account(*, actor: Any, user: User) -> User:
    """Change an existing account as edited (name, unit, title, active…), audited."""
    before = _stored_snapshot(user)
    if before is None:
        raise ValueError("save_account changes existing accounts; use create_staff/citizen")
    user.save()
    audit.record(
        actor=actor, action=AuditAction.CHANGE, obj=user, before=before, after=snapshot(user)
    )
    forget_grants(user)
    return user


@transaction.atomic
def delete_account(*, actor: Any, user: User) -> None:
    """Remove an account and its grants (each grant's removal audited too)."""
    for grant in list(user.grants.all()):
        revoke_role(actor=actor, grant=grant)
    audit.record(actor=actor, action=AuditAction.DELETE, obj=user, before=snapshot(user))
    user.delete()


@transaction.atomic
def activate_account(*, user: User, password: str) -> User:
    """The account's owner chose a password through the activation link (audited as theirs)."""
    user.set_password(password)
    user.save(update_fields=["password", "must_change_password"])
    audit.record(actor=user, action=AuditAction.CHANGE, obj=user, detail={"activated": True})
    return user


@transaction.atomic
def grant_role(*, actor: Any, user: User, role: str, unit: Unit) -> RoleGrant:
    grant, created = RoleGrant.objects.get_or_create(user=user, role=role, unit=unit)
    if created:
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=grant,
            after={"user": user.pk, "role": role, "unit": unit.pk},
        )
    forget_grants(user)
    return grant


@transaction.atomic
def revoke_role(*, actor: Any, grant: RoleGrant) -> None:
    before = {"user": grant.user_id, "role": grant.role, "unit": grant.unit_id}
    audit.record(actor=actor, action=AuditAction.DELETE, obj=grant, before=before)
    grant.delete()
    forget_grants(grant.user)
