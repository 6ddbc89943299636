"""Models of the citizen portal.

Matters are petitions rows written by ``xinfang.petitions.services``; the portal keeps what
is its own: the Open311 clients allowed to create requests (and whether each is trusted with
query codes), the petition office's public information (条例 Art. 18) with its Open311
setting, the public title an office gives a matter for the public feed, and the verification
of a citizen account's phone (the key to "my matters").
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinfang.core.querysets import RestrictedQuerySet
from xinfang.org.querysets import any_subtree_q


class Open311ClientQuerySet(RestrictedQuerySet["Open311Client"]):
    """Clients are managed by administrators of the receiving unit's subtree."""

    def scope_q(self, user: Any, action: str) -> Q | None:
        from xinfang.org.access import granted_paths

        return any_subtree_q(granted_paths(user, "admin"), "unit__path")

    def active(self) -> Open311ClientQuerySet:
        return self.filter(is_active=True, unit__is_active=True)


class Open311Client(models.Model):
    """An outside system (a 12345 hotline, a city app) allowed to create requests through
    Open311 GeoReport v2 with its ``api_key``.

    Only the SHA-256 digest of the key is stored (the key has 256 random bits, so a fast
    hash is enough); the clear key is shown once when the client is created. Requests it
    creates are registered as online matters at ``unit`` (first-question responsibility:
    the receiving unit stays responsible until it hands the matter over).
    """

    name = models.CharField(_("接入系统名称"), max_length=100)
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("接收单位"),
        help_text=_("该系统提交的诉求登记到此单位"),
    )
    key_prefix = models.CharField(_("密钥前缀"), max_length=12, editable=False)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    # A trusted client (the office's own hotline system) passes the query code to the
    # petitioner; any other client never sees it (the petitioner gets it by SMS).
    trusted = models.BooleanField(
        _("可信系统"), default=False, help_text=_("可信系统在创建诉求时获得查询码并负责转交信访人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    objects: ClassVar[Open311ClientQuerySet] = Open311ClientQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("Open311 接入系统")
        verbose_name_plural = _("Open311 接入系统")

    def __str__(self) -> str:
        return f"{self.name}（{self.key_prefix}…）"


class OfficeProfileQuerySet(RestrictedQuerySet["OfficeProfile"]):
    """Profiles are edited by administrators of the office's subtree; everyone reads them."""

    def scope_q(self, user: Any, action: str) -> Q | None:
        from xinfang.org.access import granted_paths

        return any_subtree_q(granted_paths(user, "admin"), "unit__path")


class OfficeProfile(models.Model):
    """What a petition office publishes on the portal (条例 Art. 18): its address, the
    complaint phone, reception times and places, and the units whose public leader-reception
    schedule it links to; and, for Open311, whether its jurisdiction takes requests without
    an api_key."""

    unit = models.OneToOneField(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("信访工作机构"),
    )
    address = models.CharField(_("通信地址"), max_length=200)
    complaint_phone = models.CharField(_("投诉电话"), max_length=60)
    reception_hours = models.TextField(
        _("来访接待时间"), help_text=_("例如：工作日上午8:30—12:00，下午2:30—5:30")
    )
    reception_places = models.TextField(_("来访接待地点"))
    schedule_units = models.ManyToManyField(
        "org.Unit",
        blank=True,
        related_name="+",
        verbose_name=_("公开领导接访日程的单位"),
    )
    open311_anonymous = models.BooleanField(
        _("Open311 允许无密钥提交"),
        default=False,
        help_text=_("本辖区的 Open311 诉求可不带 api_key 提交（登记到本机构）"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[OfficeProfileQuerySet] = OfficeProfileQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("信访工作机构公开信息")
        verbose_name_plural = _("信访工作机构公开信息")

    def __str__(self) -> str:
        return str(self.unit)


class PublicTitleQuerySet(RestrictedQuerySet["PublicTitle"]):
    def scope_q(self, user: Any, action: str) -> Q | None:
        from xinfang.petitions.models import Petition

        return Q(petition__in=Petition.objects.restrict(user, action).values("pk"))


class PublicTitle(models.Model):
    """The title an office gives a matter for the public Open311 feed: says what the
    matter is about without anyone's name, house number or words (the feed never shows
    what the petitioner wrote)."""

    petition = models.OneToOneField(
        "petitions.Petition", on_delete=models.CASCADE, related_name="public_title"
    )
    title = models.CharField(_("公开标题"), max_length=60)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[PublicTitleQuerySet] = PublicTitleQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("公开标题")
        verbose_name_plural = _("公开标题")

    def __str__(self) -> str:
        return self.title


class PhoneVerification(models.Model):
    """A citizen account's proof of holding its phone: a six-digit code sent by SMS
    (through the outbox), stored as a keyed digest, five tries, ten minutes."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    code_digest = models.CharField(max_length=64, blank=True, editable=False)
    phone_digest = models.CharField(max_length=64, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("手机号码验证")
        verbose_name_plural = _("手机号码验证")

    def __str__(self) -> str:
        return f"{self.user_id} {self.verified_at or '—'}"
