"""Assessment facts from the grids: missing patrols, logs, meetings and reviews; late items.

Each is a :class:`xinfang.core.facts.Fact` under a ``grids.*`` duty key (:data:`ITEMS`,
documented in docs/assessment.md, "Duty keys"). Offices are measured, people protected:
a missing patrol is a fact of the grid (a working day on which none of its workers
recorded a patrol), never of a named worker; a supervisor's missing weekly patrol is a
fact of the street. Only staffed grids owe patrols and logs
(a grid with a worker's grant on it or on its community); only days before today count,
and only working days of years the official calendar covers (哈办发〔2011〕14号: daily
patrols and logs, the community's 当日清 every working day, the street's weekly review).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from xinfang.core.calendar import legal_calendar
from xinfang.core.facts import Fact, FactWindow, Provider, covering, record_ref, unit_subject
from xinfang.grids.cadence import missing_days, missing_weeks, working_days
from xinfang.grids.choices import LogItemStatus
from xinfang.grids.models import DailyMeeting, LogItem, Patrol, WeeklyReview
from xinfang.org.choices import Role, UnitLevel
from xinfang.org.models import RoleGrant, Unit
from xinfang.org.querysets import any_subtree_q

__all__ = ["ITEMS", "PROVIDER", "derive_facts", "grid_facts"]

_SOURCE = "grids.facts"

ITEMS: dict[str, str] = {
    "grids.patrol.missing": "网格当日无巡查记录",
    "grids.log.missing": "网格当日无民情日志",
    "grids.meeting.missing": "社区当日清会议未召开",
    "grids.review.missing": "街道网格周讲评未开展",
    "grids.supervision.missing": "街道督导员当周未巡查网格",
    "grids.item.overdue": "转交事项逾期未办结",
}


def _fact(unit: Unit, key: str, day: date, note: str, evidence: str) -> tuple[str, Fact]:
    return unit.path, Fact(
        unit_subject(unit), key, day, note=note, evidence=evidence, source=_SOURCE
    )


def _staffed_grids(paths: list[str] | None) -> list[Unit]:
    grids = Unit.objects.filter(level=UnitLevel.GRID, is_active=True).select_related("parent")
    if paths is not None:
        grids = grids.filter(any_subtree_q(paths) or Q(pk__in=[]))
    workers = RoleGrant.objects.filter(role__in=[Role.GRID_WORKER, Role.GRID_HEAD])
    staffed = set(workers.values_list("unit_id", flat=True))
    return [g for g in grids if g.pk in staffed or g.parent_id in staffed]


def derive_facts(start: date, end: date, paths: list[str] | None = None) -> list[tuple[str, Fact]]:
    """Every grids fact dated in ``[start, end]`` (days before today only), with the path of
    the unit that owed it."""
    today = timezone.localdate()
    end = min(end, today - timedelta(days=1))
    if end < start:
        return []
    calendar = legal_calendar()
    owed = working_days(start, end, calendar.is_working_day)
    facts: list[tuple[str, Fact]] = []
    grids = _staffed_grids(paths)
    grid_ids = [g.pk for g in grids]
    patrolled: dict[int, set[date]] = defaultdict(set)
    for grid_id, day in Patrol.objects.filter(
        grid_id__in=grid_ids, day__gte=start, day__lte=end
    ).values_list("grid_id", "day"):
        patrolled[grid_id].add(day)
    logged: dict[int, set[date]] = defaultdict(set)
    for grid_id, day in LogItem.objects.filter(
        grid_id__in=grid_ids, day__gte=start, day__lte=end
    ).values_list("grid_id", "day"):
        logged[grid_id].add(day)
    for grid in grids:
        ref = record_ref("org.Unit", grid.pk)
        for day in missing_days(owed, patrolled[grid.pk]):
            facts.append(
                _fact(grid, "grids.patrol.missing", day, f"{grid.name} {day} 无巡查记录", ref)
            )
        for day in missing_days(owed, logged[grid.pk]):
            facts.append(
                _fact(grid, "grids.log.missing", day, f"{grid.name} {day} 无民情日志", ref)
            )

    communities = {g.parent_id: g.parent for g in grids if g.parent is not None}
    met: dict[int, set[date]] = defaultdict(set)
    for community_id, day in DailyMeeting.objects.filter(
        community_id__in=communities, day__gte=start, day__lte=end
    ).values_list("community_id", "day"):
        met[community_id].add(day)
    for community in communities.values():
        ref = record_ref("org.Unit", community.pk)
        for day in missing_days(owed, met[community.pk]):
            facts.append(
                _fact(
                    community,
                    "grids.meeting.missing",
                    day,
                    f"{community.name} {day} 未开当日清会议",
                    ref,
                )
            )

    streets = {c.parent_id: c.parent for c in communities.values() if c.parent is not None}
    reviewed: dict[int, set[date]] = defaultdict(set)
    for street_id, day in WeeklyReview.objects.filter(
        street_id__in=streets, week_start__gte=start - timedelta(days=6), week_start__lte=end
    ).values_list("street_id", "week_start"):
        reviewed[street_id].add(day)
    for street in streets.values():
        ref = record_ref("org.Unit", street.pk)
        for monday, sunday in missing_weeks(start, end, reviewed[street.pk]):
            facts.append(
                _fact(
                    street,
                    "grids.review.missing",
                    sunday,
                    f"{street.name} {monday}—{sunday} 未开周讲评",
                    ref,
                )
            )

    facts += _supervision_facts(start, end, paths)

    late = LogItem.objects.filter(
        status=LogItemStatus.HANDED, deadline__gte=start - timedelta(days=1), deadline__lt=end
    ).select_related("handed_to")
    if paths is not None:
        late = late.filter(any_subtree_q(paths, "handed_to__path") or Q(pk__in=[]))
    for item in late:
        if item.handed_to is None or item.deadline is None:
            continue  # a handed item always has both; the columns are nullable for open ones
        facts.append(
            _fact(
                item.handed_to,
                "grids.item.overdue",
                item.deadline + timedelta(days=1),
                f"民情日志 {item.pk} 应于 {item.deadline} 前办结",
                record_ref("grids.LogItem", item.pk),
            )
        )
    return facts


def _supervision_facts(start: date, end: date, paths: list[str] | None) -> list[tuple[str, Fact]]:
    """A street whose grid supervisor (督导员, patrols at least weekly) recorded no patrol
    in the street's grids in a Monday–Sunday week: a fact of the street, once a week, never
    naming the supervisor."""
    grants = RoleGrant.objects.filter(
        role=Role.GRID_SUPERVISOR, unit__level=UnitLevel.TOWNSHIP, unit__is_active=True
    ).select_related("unit")
    if paths is not None:
        grants = grants.filter(any_subtree_q(paths, "unit__path") or Q(pk__in=[]))
    supervisors: dict[int, set[int]] = defaultdict(set)
    streets: dict[int, Unit] = {}
    for grant in grants:
        supervisors[grant.unit_id].add(grant.user_id)
        streets[grant.unit_id] = grant.unit
    patrolled: dict[tuple[int, int], set[date]] = defaultdict(set)
    rows = Patrol.objects.filter(
        worker_id__in={u for users in supervisors.values() for u in users},
        day__gte=start,
        day__lte=end,
    ).values_list("worker_id", "grid__path", "day")
    for worker_id, grid_path, day in rows:
        for street_id, street in streets.items():
            if grid_path.startswith(street.path) and worker_id in supervisors[street_id]:
                patrolled[(street_id, worker_id)].add(day)
    facts: list[tuple[str, Fact]] = []
    for street_id, street in sorted(streets.items(), key=lambda s: s[1].path):
        weeks = sorted(
            {
                week
                for user_id in supervisors[street_id]
                for week in missing_weeks(start, end, patrolled[(street_id, user_id)])
            }
        )
        ref = record_ref("org.Unit", street_id)
        for monday, sunday in weeks:
            note = f"{street.name} {monday}—{sunday} 督导员未巡查网格"
            facts.append(_fact(street, "grids.supervision.missing", sunday, note, ref))
    return facts


def grid_facts(w: FactWindow, subjects: Sequence[Any]) -> list[Fact]:
    """The registered provider: facts of the subjects' subtrees, each counted for every
    subject whose subtree holds the unit that owed it."""
    units = list(subjects)
    if not units:
        return []
    order = {u.path: i for i, u in enumerate(units)}
    rows = [
        (order[s.path], replace(fact, subject=unit_subject(s)))
        for path, fact in derive_facts(w.start, w.as_of, [u.path for u in units])
        for s in covering(path, units)
    ]
    rows.sort(key=lambda r: r[0])
    return [fact for _i, fact in rows]


PROVIDER = Provider("grids", ITEMS, grid_facts)
