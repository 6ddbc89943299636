"""The grids app's writes: boundaries, addresses, staffing, patrols and the daily log.

Every function takes the acting user, runs in one transaction and writes the audit row.
The seed's rules (哈办发〔2011〕14号) are cited where they apply.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

import numpy as np
import shapely
from django.db import IntegrityError, transaction
from django.utils import timezone
from shapely.geometry import mapping, shape

from xinfang.core import audit
from xinfang.core.audit import snapshot
from xinfang.core.calendar import legal_calendar
from xinfang.core.errors import NotFoundOrForbidden, XinfangError
from xinfang.core.models import AuditAction
from xinfang.core.personal_data import reveal
from xinfang.core.workflow import SYSTEM
from xinfang.grids import workflow
from xinfang.grids.assignment import AddressRow, GridIndex
from xinfang.grids.cadence import PatrolMeasure, measure_patrols, working_days
from xinfang.grids.choices import MEETING_STEPS, BoundaryRole, LogItemStatus, MeetingOutcome
from xinfang.grids.errors import GeometryInvalid, GridsError, MeetingIncomplete, StaffingInvalid
from xinfang.grids.geometry import Boundary as Polygon
from xinfang.grids.geometry import (
    LocalProjection,
    Tiling,
    TilingReport,
    check_tiling,
    validate_polygon,
)
from xinfang.grids.models import (
    Address,
    Boundary,
    DailyMeeting,
    LogItem,
    MeetingItem,
    Patrol,
    WeeklyReview,
    WorkerPair,
)
from xinfang.grids.staffing import ancestor_paths
from xinfang.ledgers.choices import DisputeSource
from xinfang.ledgers.models import Dispute
from xinfang.ledgers.services.screening import register_dispute
from xinfang.org import services as org_services
from xinfang.org.access import can
from xinfang.org.choices import Role, UnitLevel
from xinfang.org.models import RoleGrant, Unit, User
from xinfang.petitions.choices import Channel, Kind
from xinfang.petitions.models import Petition
from xinfang.petitions.services import PetitionerData, register_petition

__all__ = [
    "Disposition",
    "MeetingAgenda",
    "draw_grid",
    "hand_on_item",
    "hold_meeting",
    "import_addresses",
    "import_tiling",
    "item_to_dispute",
    "item_to_petition",
    "meeting_agenda",
    "pair_workers",
    "raise_item",
    "record_log_item",
    "record_patrol",
    "resolve_item",
    "staff_grid",
    "tiling_of",
]


def check(actor: Any, action: str, unit: Unit) -> None:
    """The actor holds ``action`` over ``unit`` (SYSTEM: commands and the demo)."""
    if actor is SYSTEM:
        return
    if not can(actor, action, unit.path):
        raise NotFoundOrForbidden("对象不存在或您无权操作")


def _community(unit: Unit) -> Unit:
    if unit.level != UnitLevel.VILLAGE:
        raise GridsError(f"{unit.name} 不是村（社区），网格只能划在村（社区）之内")
    return unit


# Boundaries -------------------------------------------------------------------------


def tiling_of(community: Unit) -> Tiling | None:
    """The stored boundary of ``community`` and its grids (``None`` before an import)."""
    rows = list(
        (
            Boundary.objects.filter(unit=community)
            | Boundary.objects.filter(unit__parent=community, role=BoundaryRole.GRID)
        ).select_related("unit")
    )
    outline = next((b for b in rows if b.role == BoundaryRole.COMMUNITY), None)
    if outline is None:
        return None
    grids = sorted(
        (
            Polygon("grid", b.code, b.unit.name, shape(b.geometry))
            for b in rows
            if b.role == BoundaryRole.GRID
        ),
        key=lambda g: g.code,
    )
    return Tiling(Polygon("community", "", community.name, shape(outline.geometry)), tuple(grids))


@transaction.atomic
def import_tiling(
    *,
    actor: Any,
    community: Unit,
    tiling: Tiling,
    attach: Mapping[str, Unit] | None = None,
    detail: Mapping[str, Any] | None = None,
) -> TilingReport:
    """Store ``tiling`` as the boundaries of ``community`` and return its check.

    A faulty tiling is stored too, so that it can be seen on the map and fixed there; the
    report says what to fix. Grids are matched by code; a new code makes a new grid unit
    (or takes the grid ``attach`` names for it). Grids of the community missing from the
    file keep their unit but lose their boundary. ``detail`` is added to the audit entry.
    """
    check(actor, "grid", _community(community))
    report = check_tiling(tiling)
    projection = LocalProjection.centred_on(tiling.community.geometry)
    Boundary.objects.update_or_create(
        unit=community,
        defaults={
            "role": BoundaryRole.COMMUNITY,
            "code": "",
            "geometry": mapping(tiling.community.geometry),
            "area_m2": report.community_m2,
        },
    )
    existing = {
        b.code: b for b in Boundary.objects.filter(unit__parent=community, role=BoundaryRole.GRID)
    }
    for polygon in tiling.grids:
        found = existing.pop(polygon.code, None)
        if found is not None:
            grid = found.unit
        elif attach and polygon.code in attach:
            grid = attach[polygon.code]
        else:
            name = polygon.name or f"{community.name}{polygon.code}网格"
            grid = Unit.objects.filter(parent=community, name=name).first() or (
                org_services.create_unit(
                    actor=actor if actor is not SYSTEM else None,
                    name=name,
                    level=UnitLevel.GRID,
                    parent=community,
                )
            )
        Boundary.objects.update_or_create(
            unit=grid,
            defaults={
                "role": BoundaryRole.GRID,
                "code": polygon.code,
                "geometry": mapping(polygon.geometry),
                "area_m2": projection.area_m2(polygon.geometry),
            },
        )
    for gone in existing.values():
        gone.delete()
    audit.record(
        actor=actor if actor is not SYSTEM else None,
        action=AuditAction.CHANGE,
        obj=community,
        detail={
            "grids_boundaries": [g.code for g in tiling.grids],
            "faults": report.lines(),
            **(detail or {}),
        },
    )
    _reassign_addresses(community)
    return report


@transaction.atomic
def draw_grid(
    *,
    actor: Any,
    community: Unit,
    code: str,
    geometry: Mapping[str, Any],
    name: str = "",
    grid: Unit | None = None,
) -> TilingReport:
    """Add a grid polygon drawn on the community map and return the community's check.

    The drawn grid gets ``code`` and either becomes a new grid unit under the community
    (named ``name``) or gives its shape to ``grid``, an existing grid of the community
    without a boundary. It is stored through :func:`import_tiling`, the same check as a
    file: an invalid polygon is refused naming the grid, overlaps and gaps are reported.
    """
    check(actor, "grid", _community(community))
    tiling = tiling_of(community)
    if tiling is None:
        raise GridsError("尚无社区边界：请先导入社区边界，再在其中绘制网格")
    code = code.strip()
    if not code:
        raise GridsError("请填写网格编码")
    taken = next((g for g in tiling.grids if g.code == code), None)
    if taken is not None:
        raise GridsError(f"网格编码 {code} 已被「{taken.name}」使用")
    attach: dict[str, Unit] = {}
    if grid is not None:
        if grid.parent_id != community.pk or grid.level != UnitLevel.GRID:
            raise GridsError(f"{grid.name} 不是本社区的网格")
        if Boundary.objects.filter(unit=grid).exists():
            raise GridsError(f"{grid.name}已有边界：请在地图上编辑它的顶点")
        name, attach = grid.name, {code: grid}
    else:
        name = name.strip() or f"{community.name}{code}网格"
        if Boundary.objects.filter(unit__parent=community, unit__name=name).exists():
            raise GridsError(f"网格名称「{name}」已被使用")
    label = Polygon("grid", code, name, shapely.Point()).label
    try:
        drawn = shape(geometry)
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException) as exc:
        raise GeometryInvalid(label, "无法读取绘制的多边形") from exc
    validate_polygon(drawn, label)
    grids = sorted((*tiling.grids, Polygon("grid", code, name, drawn)), key=lambda g: g.code)
    return import_tiling(
        actor=actor,
        community=community,
        tiling=Tiling(tiling.community, tuple(grids)),
        attach=attach,
        detail={"drawn_on_map": code},
    )


# Addresses --------------------------------------------------------------------------


def grid_index(community: Unit) -> tuple[GridIndex, dict[str, Unit]]:
    rows = Boundary.objects.filter(unit__parent=community, role=BoundaryRole.GRID).select_related(
        "unit"
    )
    units = {b.code: b.unit for b in rows}
    return GridIndex((b.code, shape(b.geometry)) for b in rows), units


def _reassign_addresses(community: Unit) -> None:
    addresses = list(Address.objects.filter(community=community))
    if not addresses:
        return
    index, units = grid_index(community)
    codes = index.codes_of(
        np.array([a.lon for a in addresses]), np.array([a.lat for a in addresses])
    )
    for address, code in zip(addresses, codes, strict=True):
        address.grid = units.get(code)
    Address.objects.bulk_update(addresses, ["grid"], batch_size=1000)


@transaction.atomic
def import_addresses(*, actor: Any, community: Unit, rows: Sequence[AddressRow]) -> int:
    """Add or update ``community``'s addresses (by id) and place each in its grid."""
    check(actor, "grid", _community(community))
    known = {a.external_id: a for a in Address.objects.filter(community=community)}
    new: list[Address] = []
    for row in rows:
        address = known.get(row.id) or Address(community=community, external_id=row.id)
        address.lon, address.lat = row.lon, row.lat
        address.label, address.households = row.label, row.households
        if address.pk is None:
            new.append(address)
        else:
            address.save()
    Address.objects.bulk_create(new, batch_size=1000)
    _reassign_addresses(community)
    audit.record(
        actor=actor if actor is not SYSTEM else None,
        action=AuditAction.CHANGE,
        obj=community,
        detail={"addresses_imported": len(rows), "new": len(new)},
    )
    return len(rows)


# Staffing ---------------------------------------------------------------------------

GRID_STAFF_ROLES = (Role.GRID_HEAD, Role.GRID_WORKER)


@transaction.atomic
def staff_grid(*, actor: Any, user: User, grid: Unit, role: str) -> RoleGrant:
    """Grant ``role`` (grid head or worker) on ``grid``; a worker may cover several grids."""
    if role not in GRID_STAFF_ROLES:
        raise StaffingInvalid("网格只配格长或网格员；督导员由街道（乡镇）授权")
    if grid.level != UnitLevel.GRID:
        raise StaffingInvalid(f"{grid.name} 不是网格")
    check(actor, "admin", grid)
    return org_services.grant_role(actor=actor, user=user, role=role, unit=grid)


def holds_on(user: User, role: str, grid: Unit) -> bool:
    """``user`` holds ``role`` on ``grid`` or on a unit above it."""
    return RoleGrant.objects.filter(
        user=user, role=role, unit__path__in=ancestor_paths(grid)
    ).exists()


@transaction.atomic
def pair_workers(*, actor: Any, grid: Unit, a: User, b: User) -> WorkerPair:
    """Pair two workers of ``grid`` in AB roles: each stands in when the other is away.

    The community sets its AB roles: its grid head (or an administrator) pairs them."""
    if actor is not SYSTEM and not (
        can(actor, Role.GRID_HEAD, grid.path) or can(actor, "admin", grid.path)
    ):
        raise NotFoundOrForbidden("对象不存在或您无权操作")
    if a.pk == b.pk:
        raise StaffingInvalid("AB岗须为两名不同的网格员")
    for person in (a, b):
        if not holds_on(person, Role.GRID_WORKER, grid):
            raise StaffingInvalid(f"{person.full_name or person.username} 不是该网格的网格员")
    pair, created = WorkerPair.objects.get_or_create(grid=grid, a=a, b=b)
    if created:
        audit.record(
            actor=actor if actor is not SYSTEM else None,
            action=AuditAction.CREATE,
            obj=pair,
            after=snapshot(pair),
        )
    return pair


# Patrols and the daily log ---------------------------------------------------------


@transaction.atomic
def record_patrol(
    *, actor: Any, grid: Unit, day: date, started: time, ended: time, notes: str = ""
) -> Patrol:
    """Record one patrol of ``actor`` in ``grid`` (a record of work, not a location trace)."""
    check(actor, "grid", grid)
    if grid.level != UnitLevel.GRID:
        raise GridsError(f"{grid.name} 不是网格")
    if day > timezone.localdate():
        raise GridsError("不能登记未来日期的巡查")
    if ended <= started:
        raise GridsError("巡查结束时间须晚于开始时间")
    patrol = Patrol.objects.create(
        worker=actor, grid=grid, day=day, started=started, ended=ended, notes=notes.strip()
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=patrol, after=snapshot(patrol))
    return patrol


def patrol_measure(worker: Any, today: date) -> PatrolMeasure:
    """The worker's own patrols this month up to yesterday, against the seed's two rules
    (at least one patrol each working day; a third of working time in the grid)."""
    start = today.replace(day=1)
    end = today - timedelta(days=1)
    days = working_days(start, end, legal_calendar().is_working_day) if end >= start else []
    patrols = Patrol.objects.filter(worker=worker, day__gte=start, day__lte=end)
    return measure_patrols(((p.day, p.minutes) for p in patrols), days)


@transaction.atomic
def record_log_item(
    *,
    actor: Any,
    grid: Unit,
    topic: str,
    summary: str,
    place: str = "",
    contact: str = "",
    day: date | None = None,
    patrol: Patrol | None = None,
) -> LogItem:
    """Record what a resident raised; no identity is kept unless they leave a contact."""
    check(actor, "grid", grid)
    if not summary.strip():
        raise GridsError("反映内容不能为空")
    item = LogItem(
        grid=grid,
        patrol=patrol,
        day=day or timezone.localdate(),
        topic=topic,
        summary=summary.strip(),
        place=place.strip(),
        recorded_by=actor,
    )
    item.contact = contact.strip()
    item.full_clean()
    item.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=item, after=snapshot(item))
    return item


def hand_on_item(
    *, actor: Any, item: LogItem, unit: Unit, deadline: date, reason: str = ""
) -> LogItem:
    """Hand ``item`` to ``unit`` to handle by ``deadline`` (the engine writes the step)."""
    return workflow.transition(
        item,
        "hand_on",
        actor=actor,
        reason=reason,
        data={"unit_id": unit.pk, "deadline": deadline},
    )


def raise_item(*, actor: Any, item: LogItem, deadline: date, reason: str = "") -> LogItem:
    """Raise ``item`` to the street office for coordination (大事不出社区 failed locally)."""
    community = item.grid.parent
    street = community.parent if community is not None else None
    return workflow.transition(
        item,
        "raise",
        actor=actor,
        reason=reason,
        data={"unit_id": street.pk if street else 0, "deadline": deadline},
    )


def resolve_item(*, actor: Any, item: LogItem, result: str, returned: bool) -> LogItem:
    """Record the result of ``item`` and whether it went back to the resident."""
    return workflow.transition(
        item, "resolve", actor=actor, reason=result, data={"result_returned": returned}
    )


def _contact_of(item: LogItem, actor: Any) -> str:
    # The resident left it to be answered; carrying it into the matter is a logged read.
    return reveal(item, "contact", actor=actor, reason="民情日志转为信访事项或矛盾纠纷")


@transaction.atomic
def item_to_petition(
    *,
    actor: Any,
    item: LogItem,
    registering_unit: Unit,
    petitioner_name: str,
    kind: str = Kind.APPEAL,
) -> Petition:
    """Register ``item`` as a petition matter in one step (条例 Art. 18), linked both ways.

    A matter needs a petitioner (Art. 17): the resident who raised it gives a name when
    they want it pursued as a petition; the log item itself never stored one.
    """
    workflow.WORKFLOW.check(actor, item, workflow.STEPS["to_petition"])
    registration = register_petition(
        actor=actor,
        registering_unit=registering_unit,
        channel=Channel.VISIT,
        kind=kind,
        summary=item.summary,
        place=item.place,
        received_on=item.day,
        petitioners=[PetitionerData(name=petitioner_name, phone=_contact_of(item, actor))],
        source_reference=f"民情日志 {item.pk}",
        propose_matches=True,
    )
    workflow.transition(
        item, "to_petition", actor=actor, data={"petition_id": registration.petition.pk}
    )
    return registration.petition


@transaction.atomic
def item_to_dispute(
    *,
    actor: Any,
    item: LogItem,
    unit: Unit,
    domain: str,
    parties: str,
    risk_level: str,
    responsible_person: str,
    deadline: date,
) -> Dispute:
    """Enter ``item`` in ``unit``'s dispute ledger in one step, linked both ways."""
    workflow.WORKFLOW.check(actor, item, workflow.STEPS["to_dispute"])
    dispute = register_dispute(
        actor=actor,
        unit=unit,
        contact_phone=_contact_of(item, actor),
        source=DisputeSource.OTHER,
        domain=domain,
        place=item.place or item.grid.name,
        subject=item.summary,
        parties=parties,
        risk_level=risk_level,
        found_on=item.day,
        responsible_person=responsible_person,
        deadline=deadline,
        note=f"来自民情日志 {item.pk}（{item.grid.name}）",
    )
    workflow.transition(item, "to_dispute", actor=actor, data={"dispute_id": dispute.pk})
    return dispute


@dataclass(frozen=True)
class Disposition:
    """What the daily meeting decides for one open item: a step of the item workflow.

    ``step`` is "resolve" (``result``, ``returned``), "hand_on" (``unit``, ``deadline``)
    or "raise" (``deadline``; the unit is the street)."""

    step: str
    result: str = ""
    returned: bool = False
    unit: Unit | None = None
    deadline: date | None = None
    reason: str = ""


@dataclass(frozen=True)
class MeetingAgenda:
    """The items before the community's daily meeting: those it must dispose of, and those
    already handed on or raised (they keep their own deadline and are carried over)."""

    to_dispose: list[LogItem]
    carried: list[LogItem]


def item_label(item: LogItem) -> str:
    return f"民情日志 {item.pk}（{item.grid.name}：{item.summary[:20]}）"


def meeting_agenda(community: Unit, day: date) -> MeetingAgenda:
    """The open items of ``community``'s grids recorded on or before ``day``: the day's
    items, and any an earlier meeting did not see (recorded after it, or no meeting held)."""
    items = list(
        LogItem.objects.open()
        .filter(grid__parent=community, day__lte=day)
        .select_related("grid", "handed_to")
        .order_by("day", "pk")
    )
    return MeetingAgenda(
        to_dispose=[i for i in items if i.status == LogItemStatus.OPEN],
        carried=[i for i in items if i.status != LogItemStatus.OPEN],
    )


def _dispose(actor: Any, item: LogItem, d: Disposition) -> LogItem:
    if d.step == "resolve":
        return resolve_item(actor=actor, item=item, result=d.result, returned=d.returned)
    if d.deadline is None:
        raise GridsError("须填写办理期限")
    if d.step == "hand_on":
        if d.unit is None:
            raise GridsError("须选择转交单位")
        return hand_on_item(
            actor=actor, item=item, unit=d.unit, deadline=d.deadline, reason=d.reason
        )
    if d.step == "raise":
        return raise_item(actor=actor, item=item, deadline=d.deadline, reason=d.reason)
    raise GridsError("未知的处理方式")


@transaction.atomic
def hold_meeting(
    *,
    actor: Any,
    community: Unit,
    dispositions: Mapping[int, Disposition],
    notes: str = "",
) -> DailyMeeting:
    """Record today's daily meeting (当日清) of ``community`` with what it did to each item.

    Every open item of the community's grids recorded today or earlier gets its
    disposition through the item workflow (哈办发〔2011〕14号: 当日事当日清): resolved at the
    meeting with the result told to the resident, handed to a unit with a deadline, or
    raised to the street. Items handed on or raised before keep their own deadline and
    are listed as carried over. The meeting is recorded as held only when every item has
    its disposition: otherwise nothing is written and :class:`MeetingIncomplete` names the
    items left. One transaction: a step refused for one item records nothing at all.
    """
    check(actor, "grid", _community(community))
    today = timezone.localdate()
    if DailyMeeting.objects.filter(community=community, day=today).exists():
        raise GridsError("今天的当日清会议已登记")
    agenda = meeting_agenda(community, today)
    left = [item_label(i) for i in agenda.to_dispose if i.pk not in dispositions]
    if left:
        raise MeetingIncomplete(left)
    known = {i.pk for i in agenda.to_dispose}
    stray = sorted(set(dispositions) - known)
    if stray:
        raise GridsError(
            "以下事项不在今天的当日清议程中（已处理或不属本社区）："
            + "、".join(f"民情日志 {pk}" for pk in stray)
        )
    try:
        with transaction.atomic():
            meeting = DailyMeeting.objects.create(
                community=community, day=today, notes=notes.strip(), recorded_by=actor
            )
    except IntegrityError as exc:  # recorded by someone else a moment ago
        raise GridsError("今天的当日清会议已登记") from exc
    rows: list[MeetingItem] = []
    for item in agenda.to_dispose:
        try:
            done = _dispose(actor, item, dispositions[item.pk])
        except XinfangError as exc:
            raise GridsError(f"{item_label(item)}：{exc}") from exc
        rows.append(
            MeetingItem(
                meeting=meeting,
                item=done,
                outcome=MEETING_STEPS[dispositions[item.pk].step],
                unit=done.handed_to,
                deadline=done.deadline,
            )
        )
    rows += [
        MeetingItem(
            meeting=meeting,
            item=item,
            outcome=MeetingOutcome.CARRIED,
            unit=item.handed_to,
            deadline=item.deadline,
        )
        for item in agenda.carried
    ]
    MeetingItem.objects.bulk_create(rows)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=meeting,
        after=snapshot(meeting),
        detail={
            "items": {str(r.item.pk): str(r.outcome) for r in rows},
        },
    )
    return meeting


@transaction.atomic
def record_review(*, actor: Any, street: Unit, notes: str = "") -> WeeklyReview:
    """The street's weekly review of its grids, for the current Monday–Sunday week."""
    check(actor, "grid", street)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    review, created = WeeklyReview.objects.get_or_create(
        street=street, week_start=monday, defaults={"notes": notes.strip(), "recorded_by": actor}
    )
    if not created:
        raise GridsError("本周的网格讲评已登记")
    audit.record(actor=actor, action=AuditAction.CREATE, obj=review, after=snapshot(review))
    return review


def units_at(lat: float, lon: float) -> list[Unit]:
    """The community and the grid whose stored boundaries hold the point (a proposal)."""
    point = shapely.Point(lon, lat)
    found = [
        (boundary.role != BoundaryRole.COMMUNITY, boundary.unit)
        for boundary in Boundary.objects.select_related("unit").order_by("pk")
        if shape(boundary.geometry).intersects(point)
    ]
    return [unit for _is_grid, unit in sorted(found, key=lambda pair: pair[0])]
