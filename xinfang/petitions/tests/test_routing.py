"""The route form's targets and its proposed default (条例 Arts. 22, 30, 31)."""

from __future__ import annotations

import pytest

from xinfang.org.choices import UnitLevel
from xinfang.org.models import Unit
from xinfang.petitions.choices import Kind, Status
from xinfang.petitions.forms import StepForm
from xinfang.petitions.routing import proposed_target, route_targets, routing_anchor
from xinfang.petitions.tests.factories import make_petition
from xinfang.petitions.workflow import step_between

pytestmark = pytest.mark.django_db


def _route_form(p):
    step = step_between(p.status, Status.ROUTED)
    assert step is not None
    return StepForm(step=step, petition=p).fields["to_unit"]


@pytest.fixture
def tree(cast):
    province = Unit.objects.create(name="测试省", level=UnitLevel.PROVINCE)
    city = Unit.objects.create(name="测试市", level=UnitLevel.CITY, parent=province)
    cast.county.parent = city
    cast.county.save()
    office = Unit.objects.create(
        name="测试县信访局", level=UnitLevel.DEPARTMENT, parent=cast.county, is_petition_office=True
    )
    grid = Unit.objects.create(name="甲村第1网格", level=UnitLevel.GRID, parent=cast.village_a)
    city_discipline = Unit.objects.create(
        name="测试市纪委监委", level=UnitLevel.DEPARTMENT, parent=city, is_discipline_body=True
    )
    city_bureau = Unit.objects.create(name="测试市住建局", level=UnitLevel.DEPARTMENT, parent=city)
    legal = Unit.objects.create(
        name="测试县人民法院",
        level=UnitLevel.DEPARTMENT,
        parent=cast.county,
        is_legal_affairs_body=True,
    )
    committee = Unit.objects.create(
        name="测试县委政法委",
        level=UnitLevel.DEPARTMENT,
        parent=cast.county,
        is_legal_affairs_body=True,
    )
    for unit in (cast.unit_a, cast.village_a, cast.unit_b, cast.department):
        unit.refresh_from_db()
    return {
        "province": province,
        "city": city,
        "office": office,
        "grid": grid,
        "city_discipline": city_discipline,
        "city_bureau": city_bureau,
        "court": legal,
        "committee": committee,
    }


def test_a_county_bureau_routes_within_its_county(cast, tree) -> None:
    assert routing_anchor(tree["office"]) == Unit.objects.get(pk=cast.county.pk)
    assert routing_anchor(cast.village_a) == cast.unit_a


def test_a_county_clerk_is_offered_neither_grids_nor_the_province(cast, tree, people) -> None:
    p = make_petition(cast, unit=tree["office"], actor=people.registrar)
    offered = list(_route_form(p).queryset)
    assert tree["grid"] not in offered and tree["province"] not in offered
    assert tree["city"] not in offered and tree["office"] not in offered
    assert {cast.unit_a, cast.village_a, cast.department} <= set(offered)


def test_the_targets_come_in_tree_order_and_indented(cast, tree, people) -> None:
    p = make_petition(cast, unit=tree["office"], actor=people.registrar)
    field = _route_form(p)
    offered = list(field.queryset)
    assert [u.path for u in offered] == sorted(u.path for u in offered)
    labels = {u.pk: field.label_from_instance(u) for u in offered}
    assert (
        labels[cast.unit_a.pk] == "\u3000甲镇" and labels[cast.village_a.pk] == "\u3000\u3000甲村"
    )


def test_an_accusation_proposes_the_county_discipline_body(cast, tree, people) -> None:
    p = make_petition(
        cast,
        unit=tree["office"],
        actor=people.registrar,
        kind=Kind.ACCUSATION,
        accused_unit=cast.department,
    )
    field = _route_form(p)
    assert proposed_target(p) == people.discipline
    assert field.initial == people.discipline.pk
    assert field.label_from_instance(people.discipline).endswith("（建议）")


def test_an_accusation_against_a_city_bureau_proposes_the_city_body(cast, tree, people) -> None:
    p = make_petition(
        cast,
        unit=tree["office"],
        actor=people.registrar,
        kind=Kind.ACCUSATION,
        accused_unit=tree["city_bureau"],
    )
    assert proposed_target(p) == tree["city_discipline"]
    assert tree["city_discipline"] in set(route_targets(p, proposed_target(p)))


def test_an_accused_person_without_unit_leads_to_the_body_of_their_own_unit(
    cast, tree, people
) -> None:
    p = make_petition(
        cast,
        unit=tree["office"],
        actor=people.registrar,
        kind=Kind.ACCUSATION,
        accused_person="某干部",
        accused_user=cast.user_with("handler", cast.unit_a, "accused-a"),
    )
    assert proposed_target(p) == people.discipline
    assert cast.unit_a not in set(route_targets(p))


def test_the_accused_unit_and_its_subtree_are_never_offered(cast, tree, people) -> None:
    p = make_petition(
        cast,
        unit=tree["office"],
        actor=people.registrar,
        kind=Kind.ACCUSATION,
        accused_unit=cast.unit_a,
    )
    offered = set(_route_form(p).queryset)
    assert not {cast.unit_a, cast.village_a} & offered
    assert people.discipline in offered


def test_a_litigation_related_matter_proposes_the_political_legal_committee(
    cast, tree, people
) -> None:
    p = make_petition(cast, unit=tree["office"], actor=people.registrar)
    assert proposed_target(p) is None
    p.litigation_related = True
    assert proposed_target(p) == tree["committee"]
    assert _route_form(p).initial == tree["committee"].pk
