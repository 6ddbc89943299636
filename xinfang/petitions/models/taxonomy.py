"""The configurable two-level taxonomy of matter types (信访事项分类)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MatterTypeQuerySet(models.QuerySet["MatterType"]):
    """Matter types are reference data, readable by every staff member."""

    def active(self) -> MatterTypeQuerySet:
        return self.filter(is_active=True)

    def leaves(self) -> MatterTypeQuerySet:
        return self.filter(parent__isnull=False)


class MatterType(models.Model):
    """A category (``parent`` empty) or a type under it; administrators edit the list."""

    code = models.CharField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级分类"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    # A type such as "不服法院民事判决" makes every matter of it 涉法涉诉 (条例 Arts. 20, 22, 28).
    litigation_related = models.BooleanField(_("涉法涉诉"), default=False)

    objects = MatterTypeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("信访事项类别")
        verbose_name_plural = _("信访事项类别")

    def __str__(self) -> str:
        if self.parent_id and self.parent is not None:
            return f"{self.parent.name} / {self.name}"
        return self.name
