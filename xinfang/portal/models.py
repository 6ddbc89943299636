"""Models of the citizen portal: the Open311 clients allowed to create requests.

The portal's citizen pages store nothing of their own (matters are petitions rows written by
``xinfang.petitions.services``); Open311 needs to know which outside system may create
requests and for which receiving unit.
"""

from __future__ import annotations

from typing import Any, ClassVar

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
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    objects: ClassVar[Open311ClientQuerySet] = Open311ClientQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("Open311 接入系统")
        verbose_name_plural = _("Open311 接入系统")

    def __str__(self) -> str:
        return f"{self.name}({self.key_prefix}…)"
