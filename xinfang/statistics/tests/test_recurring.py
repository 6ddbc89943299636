"""Recurring problems: matter type × place per month, counts only, rare pairs hidden."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.petitions.models import MatterType
from xinfang.shell.testing import Cast
from xinfang.statistics.recurring import recurring_problems
from xinfang.statistics.tests.factories import matter

pytestmark = pytest.mark.django_db


def test_a_pair_recurring_over_months_is_proposed_with_its_trend(cast: Cast) -> None:
    roads = MatterType.objects.create(code="R1", name="道路")
    for day in (date(2026, 6, 3), date(2026, 7, 3), date(2026, 8, 3), date(2026, 8, 20)):
        matter(cast, cast.unit_a, day, matter_type=roads, place="甲镇东村")
    months, problems = recurring_problems(cast.county, date(2026, 8, 31), months=3)
    assert months == [date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 1)]
    (found,) = problems
    assert (found.matter_type, found.place, found.counts, found.trend) == (
        "道路",
        "甲镇东村",
        [1, 1, 2],
        "上升",
    )


def test_a_rare_pair_is_not_shown(cast: Cast) -> None:
    roads = MatterType.objects.create(code="R1", name="道路")
    # Two matters in two months: below three in all, so it could point at one person.
    matter(cast, cast.unit_a, date(2026, 7, 3), matter_type=roads, place="甲镇西村")
    matter(cast, cast.unit_a, date(2026, 8, 3), matter_type=roads, place="甲镇西村")
    # Three matters in one month: not recurring.
    for _ in range(3):
        matter(cast, cast.unit_a, date(2026, 8, 5), matter_type=roads, place="甲镇北村")
    _, problems = recurring_problems(cast.county, date(2026, 8, 31), months=3)
    assert problems == []


def test_another_units_matters_are_not_counted(cast: Cast) -> None:
    roads = MatterType.objects.create(code="R1", name="道路")
    for day in (date(2026, 6, 3), date(2026, 7, 3), date(2026, 8, 3)):
        matter(cast, cast.unit_b, day, matter_type=roads, place="乙镇")
    _, problems = recurring_problems(cast.unit_a, date(2026, 8, 31), months=3)
    assert problems == []
