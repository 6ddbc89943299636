"""A reception record becomes a matter at the front desk (the petition office of the
reception's unit), and the leader's instruction in it becomes a tracked 批示."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from xinfang.core.errors import TransitionNotAllowed
from xinfang.ledgers import services
from xinfang.ledgers.models import Reception
from xinfang.ledgers.tests import factories as f
from xinfang.org.choices import Role, UnitLevel
from xinfang.org.models import Unit
from xinfang.supervision.models import Instruction

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(cast) -> Unit:
    """The county's petition office (县信访局), the front desk of the county's receptions."""
    return Unit.objects.create(
        name="测试县信访局", level=UnitLevel.DEPARTMENT, parent=cast.county, is_petition_office=True
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, reception: Reception, **extra):
    return client.post(
        reverse("ledgers:reception_register_petition", args=[reception.pk]),
        {"petitioner_name": "张某", "kind": "appeal", **extra},
        follow=True,
    )


def test_the_front_desk_registers_a_county_reception_as_a_matter(cast, office) -> None:
    reception = f.ReceptionFactory(unit=cast.county, visitor_count=1)
    registrar = cast.user_with(Role.REGISTRAR, office, "front-desk")
    page = _client(registrar).get(reverse("ledgers:reception_detail", args=[reception.pk]))
    assert page.status_code == 200 and "登记为信访事项" in page.content.decode()
    _post(_client(registrar), reception)
    reception.refresh_from_db()
    assert reception.petition is not None
    assert reception.petition.registering_unit == office


def test_the_leaders_instruction_becomes_a_tracked_instruction(cast, office) -> None:
    leader = cast.user_with(Role.RECEIVING_LEADER, cast.county, "wang")
    slot = f.ReceptionSlotFactory(unit=cast.county, leader=leader)
    reception = f.ReceptionFactory(
        unit=cast.county, slot=slot, leader_name="王副县长", instructions="请甲镇一周内答复"
    )
    registrar = cast.user_with(Role.REGISTRAR, office, "front-desk")
    _post(_client(registrar), reception, instruction_due="2026-09-08")
    reception.refresh_from_db()
    instruction = Instruction.objects.get(petition=reception.petition)
    assert (instruction.leader_name, instruction.text, instruction.due) == (
        "王副县长",
        "请甲镇一周内答复",
        date(2026, 9, 8),
    )
    assert instruction.leader == leader and instruction.supervising_unit == office


def test_an_instruction_without_a_chosen_due_gets_fifteen_days(cast, office) -> None:
    reception = f.ReceptionFactory(unit=cast.county, received_on=date(2026, 9, 1))
    registrar = cast.user_with(Role.REGISTRAR, office, "front-desk")
    services.register_reception_as_petition(
        actor=registrar, reception=reception, petitioner_name="张某"
    )
    assert Instruction.objects.get().due == date(2026, 9, 16)


def test_a_reception_without_instruction_records_no_instruction(cast, office) -> None:
    reception = f.ReceptionFactory(unit=cast.county, instructions="")
    registrar = cast.user_with(Role.REGISTRAR, office, "front-desk")
    services.register_reception_as_petition(
        actor=registrar, reception=reception, petitioner_name="张某"
    )
    assert not Instruction.objects.exists()


def test_the_receiving_leader_does_not_register_the_matter(cast, office) -> None:
    reception = f.ReceptionFactory(unit=cast.county)
    leader = cast.user_with(Role.RECEIVING_LEADER, cast.county, "county-leader")
    with pytest.raises(TransitionNotAllowed, match="登记人员"):
        services.register_reception_as_petition(
            actor=leader, reception=reception, petitioner_name="张某"
        )
    page = _client(leader).get(reverse("ledgers:reception_detail", args=[reception.pk]))
    assert "登记为信访事项</button>" not in page.content.decode()


def test_a_registrar_of_another_office_does_not_see_the_reception(cast, office) -> None:
    reception = f.ReceptionFactory(unit=cast.county)
    other = cast.user_with(Role.REGISTRAR, cast.unit_b, "b-registrar")
    url = reverse("ledgers:reception_detail", args=[reception.pk])
    assert _client(other).get(url).status_code == 404
    _post(_client(other), reception)
    reception.refresh_from_db()
    assert reception.petition is None
