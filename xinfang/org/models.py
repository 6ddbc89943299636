"""Units (the organisation tree), accounts and role grants."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _

from xinfang.core.personal_data import ProtectedField
from xinfang.core.querysets import RestrictedQuerySet
from xinfang.org.choices import AccountKind, Role, UnitLevel
from xinfang.org.querysets import UnitQuerySet, any_subtree_q, subtree_q


class PathField(models.CharField):
    """A materialized path compared byte by byte on every database.

    The subtree range ``[path, path + "~")`` relies on plain code-point order. PostgreSQL
    clusters created with a glibc locale (``en_US.UTF-8``, ``zh_CN.UTF-8``) ignore
    punctuation when comparing text, which would make "1/2/5/" sort after "1/2~"; the "C"
    collation keeps the range (and its index scan) exact. SQLite compares bytes already.
    """

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class Unit(models.Model):
    """A node of the organisation tree (county → township → community → grid, departments).

    ``path`` is the materialized path of primary keys (``"1/7/42/"``): the subtree of a unit
    is the index range ``[path, path + "~")``.
    """

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=20, choices=UnitLevel.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级单位"),
    )
    path = PathField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    admin_code = models.CharField(_("行政区划/机构代码"), max_length=20, blank=True)
    category = models.CharField(_("考评类别"), max_length=10, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("办公电话"), max_length=30, blank=True)
    is_petition_office = models.BooleanField(_("信访工作机构"), default=False)
    is_discipline_body = models.BooleanField(_("纪检监察机关"), default=False)
    # 政法机关 (政法委、法院、检察院): the default target of a litigation-related matter.
    is_legal_affairs_body = models.BooleanField(_("政法机关"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self) -> str:
        return self.name

    @transaction.atomic
    def save(self, *args: Any, **kwargs: Any) -> None:
        creating = self.pk is None
        old_path = ""
        if not creating:
            old_path = Unit.objects.filter(pk=self.pk).values_list("path", flat=True).first() or ""
        super().save(*args, **kwargs)
        new_path = f"{self._parent_path()}{self.pk}/"
        if new_path == old_path or (creating and self.path == new_path):
            return
        if old_path and new_path.startswith(old_path):
            raise ValidationError(_("上级单位不能是本单位或其下级单位。"))
        # A new unit, or one moved under another parent: its path and every descendant's
        # path change together (the prefix is swapped in one UPDATE).
        delta = new_path.count("/") - (old_path.count("/") if old_path else 0)
        if old_path:
            Unit.objects.filter(subtree_q(old_path)).exclude(pk=self.pk).update(
                path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
                depth=F("depth") + delta,
            )
        self.path = new_path
        self.depth = new_path.count("/") - 1
        Unit.objects.filter(pk=self.pk).update(path=self.path, depth=self.depth)

    def clean(self) -> None:
        super().clean()
        parent = self.parent if self.parent_id is not None else None
        if self.pk is not None and self.path and parent and parent.path.startswith(self.path):
            raise ValidationError({"parent": _("上级单位不能是本单位或其下级单位。")})

    def _parent_path(self) -> str:
        if self.parent_id is None:
            return ""
        parent_path = Unit.objects.filter(pk=self.parent_id).values_list("path", flat=True)
        return parent_path.first() or ""

    def ancestor_ids(self) -> list[int]:
        """Primary keys from the root down to this unit (inclusive)."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def is_within(self, other: Unit) -> bool:
        return self.path.startswith(other.path)


class XinfangUserManager(UserManager["User"]):
    def get_queryset(self) -> RestrictedQuerySet[User]:
        return UserQuerySet(self.model, using=self._db)

    def restrict(self, user: Any, action: str = "view") -> RestrictedQuerySet[User]:
        return self.get_queryset().restrict(user, action)


class UserQuerySet(RestrictedQuerySet["User"]):
    def scope_q(self, user: Any, action: str) -> Q | None:
        from xinfang.org.access import granted_paths

        paths = granted_paths(user, "admin" if action != "view" else "view")
        q = any_subtree_q(paths, "unit__path")
        return q | Q(pk=user.pk) if q is not None else Q(pk=user.pk)


class User(AbstractUser):
    """A staff member or a citizen. Citizens sign in with their phone number."""

    kind = models.CharField(
        _("账号类型"), max_length=10, choices=AccountKind.choices, default=AccountKind.STAFF
    )
    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        verbose_name=_("所在单位"),
    )
    title = models.CharField(_("职务"), max_length=50, blank=True)
    # An initial password set by an administrator is for the first sign-in only: the
    # account reaches nothing but "change password" until its owner chose one.
    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=False)
    phone = ProtectedField("phone", verbose_name="手机号码")
    # A citizen's resident ID number, when the citizen gives it (real-name petitions).
    id_number = ProtectedField("id_number", verbose_name="身份证号码")
    # Columns added by ProtectedField, declared for type checkers.
    phone_token: str
    phone_digest: str
    phone_masked: str
    id_number_token: str
    id_number_digest: str
    id_number_masked: str

    objects: ClassVar[XinfangUserManager] = XinfangUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        indexes = [models.Index(fields=["kind", "phone_digest"])]
        constraints = [
            # A citizen signs in with the phone number: one account per number.
            models.UniqueConstraint(
                fields=["phone_digest"],
                condition=Q(kind="citizen"),
                name="unique_citizen_phone",
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        # Whoever sets a password now knows it; the services set the flag again afterwards
        # for an initial password an administrator chose.
        super().set_password(raw_password)
        self.must_change_password = False

    @property
    def is_citizen(self) -> bool:
        return self.kind == AccountKind.CITIZEN


class RoleGrant(models.Model):
    """A role held on a unit and everything under it."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="grants", verbose_name=_("用户")
    )
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="grants", verbose_name=_("单位")
    )
    granted_at = models.DateTimeField(_("授权时间"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="unique_role_grant")
        ]
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.unit}"


class ApiToken(models.Model):
    """A staff member's API token (only its digest is stored)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"
