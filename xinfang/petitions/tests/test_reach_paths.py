"""A matter's visibility follows the units on its chain when the organisation changes: a
village moved to another township takes its matters with it (migration 0015's trigger)."""

from __future__ import annotations

import pytest

from xinfang.org.choices import Role
from xinfang.petitions.models import Petition, PetitionReach
from xinfang.petitions.tests.factories import make_petition
from xinfang.shell.testing import Cast

pytestmark = pytest.mark.django_db


def test_a_moved_villages_matters_are_seen_by_its_new_township_and_no_longer_by_the_old(
    cast: Cast,
) -> None:
    petition = make_petition(cast, unit=cast.village_a)
    old_township = cast.user_with(Role.REGISTRAR, cast.unit_a, "old-township")
    new_township = cast.user_with(Role.REGISTRAR, cast.unit_b, "new-township")
    assert Petition.objects.restrict(old_township).filter(pk=petition.pk).exists()
    assert not Petition.objects.restrict(new_township).filter(pk=petition.pk).exists()

    cast.village_a.parent = cast.unit_b
    cast.village_a.save()

    cast.village_a.refresh_from_db()
    assert cast.village_a.path.startswith(cast.unit_b.path)
    assert set(
        PetitionReach.objects.filter(petition=petition).values_list("unit_path", flat=True)
    ) == {cast.village_a.path}
    assert Petition.objects.restrict(new_township).filter(pk=petition.pk).exists()
    assert not Petition.objects.restrict(old_township).filter(pk=petition.pk).exists()


def test_moving_a_township_rewrites_the_reach_of_its_villages_too(cast: Cast) -> None:
    petition = make_petition(cast, unit=cast.village_a)
    cast.unit_a.parent = cast.department  # a whole subtree moves in one UPDATE
    cast.unit_a.save()

    village_path = type(cast.village_a).objects.get(pk=cast.village_a.pk).path
    assert village_path.startswith(cast.department.path)
    reach = PetitionReach.objects.get(petition=petition, unit=cast.village_a)
    assert reach.unit_path == village_path
