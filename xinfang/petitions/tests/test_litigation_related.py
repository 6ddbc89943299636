"""条例 Arts. 20, 22, 28: a 涉法涉诉 matter — flagged by the registrar or implied by its
type — goes to the 政法 body's procedure and is never accepted as an ordinary petition."""

from __future__ import annotations

import pytest

from xinfang.core.models import AuditEntry
from xinfang.petitions.choices import HandlingProcedure, Status
from xinfang.petitions.errors import GuardFailed
from xinfang.petitions.models import MatterType
from xinfang.petitions.procedure import set_litigation_related
from xinfang.petitions.tests.factories import make_petition, refresh
from xinfang.petitions.workflow import transition


@pytest.fixture
def court_judgment() -> MatterType:
    group = MatterType.objects.create(code="T-ZF", name="政法")
    return MatterType.objects.create(
        code="T-ZF-01", name="不服县法院民事判决", parent=group, litigation_related=True
    )


def test_a_matter_type_can_imply_litigation_related(people, court_judgment) -> None:
    p = make_petition(people.cast, actor=people.town_registrar, matter_type=court_judgment)
    assert p.litigation_related


def test_the_registrar_flags_a_matter_at_registration(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar, litigation_related=True)
    assert p.litigation_related


def test_a_litigation_related_matter_is_not_accepted_as_an_ordinary_petition(
    people, court_judgment
) -> None:
    p = make_petition(people.cast, actor=people.town_registrar, matter_type=court_judgment)
    with pytest.raises(GuardFailed, match="第二十条、第二十二条、第二十八条"):
        transition(p, Status.ACCEPTED, actor=people.handler_a)
    assert refresh(p).status == Status.REGISTERED


def test_the_body_handles_it_by_the_litigation_procedure_instead(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar, litigation_related=True)
    p = transition(p, Status.ACCEPTED, actor=people.handler_a, procedure=HandlingProcedure.OWN)
    assert p.handling_procedure == HandlingProcedure.OWN and p.handle_due is None


def test_the_registrar_sets_the_flag_before_acceptance_audited(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    set_litigation_related(p, actor=people.town_registrar, value=True, reason="不服法院判决")
    assert refresh(p).litigation_related
    entry = AuditEntry.objects.filter(detail__reason="不服法院判决").get()
    assert entry.after == {"litigation_related": True}
    with pytest.raises(GuardFailed):
        transition(refresh(p), Status.ACCEPTED, actor=people.handler_a)


def test_the_flag_is_not_changed_after_acceptance(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    p = transition(p, Status.ACCEPTED, actor=people.handler_a)
    with pytest.raises(GuardFailed, match="受理前"):
        set_litigation_related(p, actor=people.town_registrar, value=True, reason="补记")
