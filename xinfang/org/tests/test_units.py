"""The unit tree: materialized paths, one indexed query for a subtree, moves."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from xinfang.org import services
from xinfang.org.choices import UnitLevel
from xinfang.org.models import Unit
from xinfang.shell.testing import Cast

pytestmark = pytest.mark.django_db


def test_path_and_depth_follow_the_tree(cast: Cast) -> None:
    assert cast.county.path == f"{cast.county.pk}/" and cast.county.depth == 0
    assert cast.village_a.path == f"{cast.county.pk}/{cast.unit_a.pk}/{cast.village_a.pk}/"
    assert cast.village_a.depth == 2
    assert cast.village_a.ancestor_ids() == [cast.county.pk, cast.unit_a.pk, cast.village_a.pk]
    assert cast.village_a.is_within(cast.unit_a) and not cast.village_a.is_within(cast.unit_b)


def test_subtree_is_exactly_the_subtree(cast: Cast) -> None:
    assert set(Unit.objects.subtree(cast.unit_a)) == {cast.unit_a, cast.village_a}
    assert set(Unit.objects.subtree(cast.county)) == set(Unit.objects.all())
    assert set(Unit.objects.subtree(cast.village_a)) == {cast.village_a}


def test_sibling_with_a_longer_id_prefix_is_not_in_the_subtree(cast: Cast) -> None:
    # "…/70002/" and "…/700023/": a plain prefix match on "…/70002" would mix them up.
    two = Unit.objects.create(pk=70002, name="二镇", level=UnitLevel.TOWNSHIP, parent=cast.county)
    twenty_three = Unit.objects.create(
        pk=700023, name="二十三镇", level=UnitLevel.TOWNSHIP, parent=cast.county
    )
    child = Unit.objects.create(name="二镇一村", level=UnitLevel.VILLAGE, parent=two)
    other_child = Unit.objects.create(
        name="二十三镇一村", level=UnitLevel.VILLAGE, parent=twenty_three
    )
    assert two.path == f"{cast.county.pk}/70002/"
    assert set(Unit.objects.subtree(two)) == {two, child}
    assert set(Unit.objects.subtree(twenty_three)) == {twenty_three, other_child}


def test_everything_under_a_unit_is_one_query(cast: Cast, django_assert_num_queries: Any) -> None:
    for i in range(30):
        services.create_unit(
            actor=None, name=f"网格{i}", level=UnitLevel.GRID, parent=cast.village_a
        )
    with django_assert_num_queries(1):
        units = list(Unit.objects.subtree(cast.unit_a))
    assert len(units) == 32


def test_subtree_query_uses_the_path_index(cast: Cast) -> None:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A handful of rows would make any planner scan the table; ask for the index.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Unit.objects.subtree(cast.unit_a).explain()
    assert "org_unit_path" in plan, plan


def test_moving_a_unit_moves_its_subtree(cast: Cast) -> None:
    grid = Unit.objects.create(name="甲村网格", level=UnitLevel.GRID, parent=cast.village_a)
    village = Unit.objects.get(pk=cast.village_a.pk)
    village.parent = cast.unit_b
    village.save()
    grid.refresh_from_db()
    assert village.path == f"{cast.unit_b.path}{village.pk}/"
    assert grid.path == f"{village.path}{grid.pk}/" and grid.depth == 3
    assert set(Unit.objects.subtree(cast.unit_b)) == {cast.unit_b, village, grid}
    assert set(Unit.objects.subtree(cast.unit_a)) == {cast.unit_a}


def test_unit_cannot_move_under_its_own_subtree(cast: Cast) -> None:
    unit = Unit.objects.get(pk=cast.unit_a.pk)
    unit.parent = cast.village_a
    with pytest.raises(ValidationError, match="上级单位不能是本单位或其下级单位"):
        unit.full_clean()
    with pytest.raises(ValidationError):
        unit.save()
    unit.refresh_from_db()
    assert unit.parent_id == cast.county.pk


def test_create_unit_is_audited_with_its_fields(cast: Cast) -> None:
    from xinfang.core.models import AuditEntry

    unit = services.create_unit(
        actor=None,
        name="丙村",
        level=UnitLevel.VILLAGE,
        parent=cast.unit_a,
        admin_code="339901001001",
        category="B",
        address="丙村村委会",
        contact_person="王主任",
        contact_phone="0571-88888888",
    )
    entry = AuditEntry.objects.get(object_type="org.unit", object_id=str(unit.pk))
    assert entry.after["admin_code"] == "339901001001"
    assert entry.after["category"] == "B"
