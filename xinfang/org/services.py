"""Writes to the organisation: units, accounts and grants. Each one is audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
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


@transaction.atomic
def create_staff(
    *,
    actor: Any,
    username: str,
    password: str,
    full_name: str,
    unit: Unit,
    title: str = "",
    phone: str = "",
    is_staff: bool = False,
) -> User:
    user = User(
        username=username,
        full_name=full_name,
        unit=unit,
        title=title,
        kind=AccountKind.STAFF,
        is_staff=is_staff,
    )
    user.phone = phone
    user.set_password(password)
    user.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=user, after=snapshot(user))
    return user


@transaction.atomic
def create_citizen(
    *, actor: Any, phone: str, password: str, full_name: str = "", id_number: str = ""
) -> User:
    """A citizen account signs in with its phone number; the user name is internal.

    The phone number (and the ID number, if given) are stored only encrypted; an invalid ID
    number raises :class:`~xinfang.core.errors.InvalidIdNumber` with a Chinese message.
    """
    user = User(kind=AccountKind.CITIZEN, full_name=full_name)
    user.phone = phone
    user.id_number = id_number
    if User.objects.filter(kind=AccountKind.CITIZEN, phone_digest=user.phone_digest).exists():
        raise ValidationError({"phone": _("该手机号码已注册,请直接登录。")})
    user.username = f"citizen-{user.phone_digest[:24]}"
    user.set_password(password)
    user.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=user, after=snapshot(user))
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
