"""The Art. 30 rule lives in one module (``petitions.confidentiality``).

Its pure core, :func:`inside_accused`, is checked here on paths; the suite's other tests
check each caller (routing, review, supervision, registration, facts, scopes). The last test
keeps a fifth copy of the rule from appearing elsewhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xinfang.petitions.confidentiality import inside_accused

COUNTY, TOWN, VILLAGE = "/1/", "/1/2/", "/1/2/3/"
DISCIPLINE, DISCIPLINE_OFFICE = "/1/9/", "/1/9/10/"


@pytest.mark.parametrize("path", [COUNTY + "4/", TOWN, VILLAGE])
def test_the_accused_unit_and_everything_below_it_are_inside(path: str) -> None:
    accused = COUNTY if path.startswith(COUNTY + "4/") else TOWN
    assert inside_accused(path, accused, [DISCIPLINE])


def test_a_unit_beside_or_above_the_accused_is_outside() -> None:
    assert not inside_accused(COUNTY, TOWN, [])
    assert not inside_accused("/1/5/", TOWN, [])
    assert not inside_accused("/1/22/", "/1/2/", [])  # a path prefix is not an ancestor


@pytest.mark.parametrize("path", [DISCIPLINE, DISCIPLINE_OFFICE])
def test_a_discipline_body_below_the_accused_and_its_offices_are_independent(path: str) -> None:
    assert not inside_accused(path, COUNTY, [DISCIPLINE])


def test_an_accused_discipline_body_is_inside_itself() -> None:
    assert inside_accused(DISCIPLINE, DISCIPLINE, [DISCIPLINE])
    assert inside_accused(DISCIPLINE_OFFICE, DISCIPLINE, [DISCIPLINE])


def test_no_accused_unit_means_nobody_is_inside() -> None:
    assert not inside_accused(TOWN, "", [])


PACKAGE = Path(__file__).resolve().parents[2]
# What compares a unit, a path or a person with a matter's accused, or applies the discipline
# body's exception: the rule itself, wherever it is written.
COPY_OF_THE_RULE = re.compile(
    r"is_discipline_body"
    r"|startswith\([^)]*accused"
    r"|accused\w*(\.path)?\.startswith"
    r"|accused_unit(_id)?\s*(==|!=|\bin\b)"
    r"|(==|!=)\s*[\w.]*accused_unit"
    r"|accused_user\.unit"
)
ALLOWED = {
    "petitions/confidentiality.py": "the one home of the rule",
    "org/models.py": "the field itself",
    "org/demo.py": "demo data marks the discipline body",
    "org/importing.py": "the organisation workbook sets the field",
}


def test_no_copy_of_the_accused_rule_outside_its_module() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if "/tests/" in f"/{relative}" or "/migrations/" in relative or relative in ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if COPY_OF_THE_RULE.search(line):
                found.append(f"xinfang/{relative}:{number}: {line.strip()}")
    assert not found, "use petitions.confidentiality (Art. 30) instead of:\n" + "\n".join(found)


@pytest.mark.django_db
def test_route_targets_offer_exactly_the_units_the_rule_allows(people) -> None:
    from xinfang.org.choices import Role
    from xinfang.org.models import Unit
    from xinfang.petitions.choices import Kind, Status
    from xinfang.petitions.confidentiality import may_receive_q, unit_is_accused
    from xinfang.petitions.forms import StepForm
    from xinfang.petitions.tests.factories import make_petition
    from xinfang.petitions.workflow import step_between

    cast = people.cast
    accused_person = cast.user_with(Role.HANDLER, cast.unit_b, "accused-clerk")
    p = make_petition(
        cast,
        unit=cast.county,
        actor=people.registrar,
        kind=Kind.ACCUSATION,
        accused_unit=cast.unit_a,
        accused_person="乙镇某干部",
        accused_user=accused_person,
    )
    step = step_between(p.status, Status.ROUTED)
    assert step is not None
    offered = set(StepForm(step=step, petition=p).fields["to_unit"].queryset)  # type: ignore[attr-defined]
    # The picker offers the sensible targets (petitions/routing.py), every one allowed.
    assert offered and not any(unit_is_accused(p, u) for u in offered)
    assert offered <= set(Unit.objects.filter(may_receive_q(p), is_active=True))
    assert not {cast.unit_a, cast.village_a, cast.unit_b} & offered
    assert {cast.department, people.discipline} <= offered


@pytest.mark.django_db
def test_notices_reach_a_discipline_body_inside_the_accused_unit_but_not_the_accused(
    people,
) -> None:
    # An accusation against the county government goes to the county discipline body: its
    # notices must reach it (the outbox refused them, missing the exception), and still
    # never the county itself, nor the accused person's own unit (Art. 30).
    from xinfang.core.models import Message
    from xinfang.core.outbox import queue
    from xinfang.org.choices import Role

    cast = people.cast
    person = cast.user_with(Role.HANDLER, cast.unit_b, "accused-clerk")
    about = {"kind": "reminder", "text": "检举", "accused_unit_id": cast.county.pk}
    assert queue(key="d:1", unit_id=people.discipline.pk, **about) is not None
    assert queue(key="d:2", unit_id=cast.county.pk, **about) is None
    assert queue(key="d:3", unit_id=cast.unit_b.pk, accused_user_id=person.pk, **about) is None
    person_only = {"kind": "reminder", "text": "检举", "accused_user_id": person.pk}
    assert queue(key="d:4", unit_id=cast.unit_b.pk, **person_only) is None
    assert queue(key="d:5", unit_id=cast.unit_a.pk, **person_only) is not None
    assert set(Message.objects.values_list("key", flat=True)) == {"d:1", "d:5"}
