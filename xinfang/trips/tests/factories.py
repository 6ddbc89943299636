"""Factories of the trips tests: requests are built through the services, as the pages do."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from xinfang.org.models import Unit
from xinfang.trips.choices import Rank, TripType
from xinfang.trips.models import PlanItem, TripPlan, TripRequest
from xinfang.trips.services import MemberInput, TripInput, create_trip


class _Anyone:
    """An actor allowed everything, for arranging a test (the services check grants)."""

    pk = None
    is_superuser = True
    is_authenticated = True
    is_citizen = False

    def __str__(self) -> str:
        return "测试"


ARRANGER = _Anyone()


def plan_item(unit: Unit, year: int | None = None, purpose: str = "考察") -> PlanItem:
    year = year or timezone.localdate().year
    plan, _ = TripPlan.objects.get_or_create(
        unit=unit, year=year, defaults={"filed_on": date(year - 1, 11, 5)}
    )
    return PlanItem.objects.create(plan=plan, purpose=purpose, countries="德国", head_count=3)


def trip(
    unit: Unit,
    *,
    title: str = "赴德国考察团",
    countries: Sequence[str] = ("德国",),
    depart_in: int = 40,
    days: int = 6,
    visa_in: int = 25,
    members: Sequence[tuple[str, str]] = (("刘建国", Rank.SECTION), ("陈晓", Rank.STAFF)),
    trip_type: str = TripType.VISIT,
    in_plan: bool = True,
    **extra: Any,
) -> TripRequest:
    """A draft that keeps every default rule unless told otherwise."""
    today = timezone.localdate()
    depart = today + timedelta(days=depart_in)
    return create_trip(
        actor=ARRANGER,
        unit=unit,
        data=TripInput(
            title=title,
            purpose="考察土地整治经验",
            trip_type=trip_type,
            countries=tuple(countries),
            depart_on=depart,
            return_on=depart + timedelta(days=days - 1),
            visa_apply_on=today + timedelta(days=visa_in),
            plan_item=plan_item(unit, depart.year) if in_plan else None,
            **extra,
        ),
        members=[MemberInput(name, rank, unit) for name, rank in members],
    )
