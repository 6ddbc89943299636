"""Grid geometry, addresses, staffing pairs, patrols, the daily log, meetings and reviews.

Grids stay ``org.Unit(level="grid")`` under their community (``level="village"``); this
app adds what the unit tree does not hold. Nothing here describes a person to watch
(domain.md, principle 4): a patrol is a record a worker makes of their own work, not a
trace; a log item records what a resident raised, without identity unless the resident
leaves a contact, which is kept sealed like a petitioner's phone.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.core.personal_data import ProtectedField
from xinfang.core.workflow import TransitionLog
from xinfang.grids.choices import BoundaryRole, LogItemStatus, LogItemTopic, MeetingOutcome
from xinfang.grids.querysets import (
    AddressQuerySet,
    BoundaryQuerySet,
    CommunityScopedQuerySet,
    GridScopedQuerySet,
    LogItemQuerySet,
    StreetScopedQuerySet,
)

USER = settings.AUTH_USER_MODEL


class Boundary(models.Model):
    """The polygon of a community or a grid (GeoJSON geometry, WGS-84 longitude/latitude)."""

    unit = models.OneToOneField(
        "org.Unit", on_delete=models.CASCADE, related_name="boundary", verbose_name=_("单位")
    )
    role = models.CharField(_("类型"), max_length=10, choices=BoundaryRole.choices)
    code = models.CharField(_("网格编码"), max_length=30, blank=True)
    geometry = models.JSONField(_("边界（GeoJSON,WGS-84）"))
    area_m2 = models.FloatField(_("面积（平方米）"))
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[BoundaryQuerySet] = BoundaryQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("网格边界")
        verbose_name_plural = _("网格边界")

    def __str__(self) -> str:
        return f"{self.unit} {self.code}".strip()


class Address(models.Model):
    """A building or door address with its households, placed in a grid by its location."""

    community = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    grid = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("网格"),
    )
    external_id = models.CharField(_("地址编号"), max_length=40)
    label = models.CharField(_("地址"), max_length=200, blank=True)
    lon = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))
    households = models.PositiveIntegerField(_("户数"), default=1)

    objects: ClassVar[AddressQuerySet] = AddressQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "external_id"], name="grids_address_unique_id"
            )
        ]
        verbose_name = _("地址")
        verbose_name_plural = _("地址")

    def __str__(self) -> str:
        return self.label or self.external_id


class WorkerPair(models.Model):
    """Two grid workers in AB roles on one grid: each stands in for the other (AB岗)."""

    grid = models.ForeignKey(
        "org.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("网格")
    )
    a = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+", verbose_name=_("A岗"))
    b = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+", verbose_name=_("B岗"))

    objects: ClassVar[GridScopedQuerySet] = GridScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["grid", "a", "b"], name="grids_pair_unique"),
            models.CheckConstraint(condition=~models.Q(a=models.F("b")), name="grids_pair_two"),
        ]
        verbose_name = _("AB岗")
        verbose_name_plural = _("AB岗")

    def __str__(self) -> str:
        return f"{self.grid} AB岗"


class Patrol(models.Model):
    """One patrol as the worker records it: day, start, end, grid, notes — never a track."""

    worker = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("网格员")
    )
    grid = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("网格")
    )
    day = models.DateField(_("日期"), db_index=True)
    started = models.TimeField(_("开始时间"))
    ended = models.TimeField(_("结束时间"))
    notes = models.TextField(_("巡查情况"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[GridScopedQuerySet] = GridScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-day", "-started"]
        indexes = [models.Index(fields=["worker", "day"])]
        verbose_name = _("巡查记录")
        verbose_name_plural = _("巡查记录")

    def __str__(self) -> str:
        return f"{self.grid} {self.day:%Y-%m-%d}"

    @property
    def minutes(self) -> int:
        return (self.ended.hour * 60 + self.ended.minute) - (
            self.started.hour * 60 + self.started.minute
        )


class LogItem(models.Model):
    """An item of the daily log (民情日志): what a resident raised and what became of it."""

    grid = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("网格")
    )
    patrol = models.ForeignKey(
        Patrol, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    day = models.DateField(_("日期"), db_index=True)
    topic = models.CharField(_("类别"), max_length=20, choices=LogItemTopic.choices)
    summary = models.TextField(_("反映内容"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    # Optional and sealed: a resident who wants an answer by phone leaves it (Art. 30 care).
    contact = ProtectedField("phone", verbose_name="联系电话（可选）")
    contact_token: str
    contact_digest: str
    contact_masked: str
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=LogItemStatus.choices,
        default=LogItemStatus.OPEN,
        db_index=True,
    )
    version = models.PositiveIntegerField(default=0, editable=False)  # the engine's CAS
    handed_to = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("转交单位"),
    )
    deadline = models.DateField(_("办理期限"), null=True, blank=True, db_index=True)
    result = models.TextField(_("办理结果"), blank=True)
    result_returned = models.BooleanField(_("已反馈群众"), default=False)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    petition = models.OneToOneField(
        "petitions.Petition",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grid_log_item",
        verbose_name=_("转为信访事项"),
    )
    dispute = models.OneToOneField(
        "ledgers.Dispute",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grid_log_item",
        verbose_name=_("转为矛盾纠纷"),
    )
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[LogItemQuerySet] = LogItemQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-day", "-pk"]
        verbose_name = _("民情日志")
        verbose_name_plural = _("民情日志")

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.summary[:30]}"


class LogItemTransition(TransitionLog):
    """One step of a log item (handed on, raised, resolved, converted)."""

    item = models.ForeignKey(LogItem, on_delete=models.CASCADE, related_name="transitions")


class DailyMeeting(models.Model):
    """The community's daily meeting (当日清), recorded once it has closed the day's items.

    A row exists only for a meeting that gave every open item of the community a
    disposition (:func:`xinfang.grids.services.hold_meeting`): resolved at the meeting,
    handed to a unit or raised to the street. Its :class:`MeetingItem` rows say what it
    did with each item, and which items handed on earlier it carried over on their own clock.
    """

    community = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("社区")
    )
    day = models.DateField(_("日期"))
    notes = models.TextField(_("会议情况"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[CommunityScopedQuerySet] = CommunityScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "day"], name="grids_meeting_once_a_day")
        ]
        verbose_name = _("当日清会议")
        verbose_name_plural = _("当日清会议")

    def __str__(self) -> str:
        return f"{self.community} {self.day:%Y-%m-%d}"


class MeetingItem(models.Model):
    """One item of the community's log as the daily meeting left it."""

    meeting = models.ForeignKey(DailyMeeting, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(
        LogItem, on_delete=models.PROTECT, related_name="meeting_entries", verbose_name=_("事项")
    )
    outcome = models.CharField(_("会议处理"), max_length=10, choices=MeetingOutcome.choices)
    # The item's own clock as the meeting left it (handed, raised or carried over).
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("承办单位"),
    )
    deadline = models.DateField(_("办理期限"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "item"], name="grids_meeting_item_once")
        ]
        verbose_name = _("当日清事项")
        verbose_name_plural = _("当日清事项")

    def __str__(self) -> str:
        return f"{self.meeting} {self.get_outcome_display()}"


class WeeklyReview(models.Model):
    """The street office's weekly review of its communities' grids (周例会)."""

    street = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("街道")
    )
    week_start = models.DateField(_("周一日期"))
    notes = models.TextField(_("讲评情况"), blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[StreetScopedQuerySet] = StreetScopedQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["street", "week_start"], name="grids_review_once_a_week"
            )
        ]
        verbose_name = _("街道周讲评")
        verbose_name_plural = _("街道周讲评")

    def __str__(self) -> str:
        return f"{self.street} {self.week_start:%Y-%m-%d} 周"
