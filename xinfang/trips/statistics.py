"""Trips per organizing unit and year (出访统计), and the same rows as xlsx."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from xinfang.trips.choices import ACTIVE_STATUSES, TripStatus
from xinfang.trips.models import TripRequest

__all__ = ["COLUMNS", "UnitYear", "statistics", "xlsx_rows"]

COLUMNS = [
    "组团单位",
    "年度",
    "出访请示",
    "批准团组",
    "出访人次",
    "在外天数",
    "经同意例外",
    "报告逾期",
    "护照逾期交回",
]


@dataclass
class UnitYear:
    unit: str
    year: int
    requests: int = 0
    approved: int = 0
    person_trips: int = 0
    days: int = 0
    exceptions: int = 0
    report_late: int = 0
    passport_late: int = 0

    def row(self) -> list[object]:
        return [
            self.unit,
            self.year,
            self.requests,
            self.approved,
            self.person_trips,
            self.days,
            self.exceptions,
            self.report_late,
            self.passport_late,
        ]


def statistics(trips: Iterable[TripRequest], today: date) -> list[UnitYear]:
    """One row per organizing unit and year of departure; drafts are not counted. Expects
    ``unit``, ``members`` and ``exceptions`` loaded (one query each)."""
    rows: dict[tuple[str, int], UnitYear] = {}
    for trip in trips:
        if trip.status == TripStatus.DRAFT:
            continue
        key = (trip.unit.path, trip.depart_on.year)
        r = rows.setdefault(key, UnitYear(trip.unit.name, trip.depart_on.year))
        r.requests += 1
        r.exceptions += len(trip.exceptions.all())
        if trip.status in ACTIVE_STATUSES - {TripStatus.SUBMITTED}:
            r.approved += 1
            r.person_trips += len(trip.members.all())
            r.days += trip.days
        r.report_late += int(trip.report_late or trip.report_overdue(today))
        r.passport_late += int(trip.passport_late or trip.passport_overdue(today))
    return [rows[k] for k in sorted(rows, key=lambda k: (-k[1], k[0]))]


def xlsx_rows(rows: Iterable[UnitYear]) -> list[list[object]]:
    return [r.row() for r in rows]
