"""Who does what in supervision: the supervisor arranges a leader's ownership, an
instruction is closed only on the instructing leader's or a supervisor's confirmation, the
handler is offered no 摘牌, the 六定 form names everything missing at once, and its
people pickers list only people of the units concerned."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinfang.core.errors import TransitionNotAllowed
from xinfang.org.choices import Role
from xinfang.supervision import services
from xinfang.supervision.errors import SupervisionInvalid
from xinfang.supervision.forms import ListedForm, OwnershipForm
from xinfang.supervision.models import CaseOwnership, Instruction
from xinfang.supervision.tests.conftest import Crew
from xinfang.supervision.tests.factories import matter

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _instruction(crew: Crew, p: Any) -> Instruction:
    return services.record_instruction(
        actor=crew.supervisor,
        petition=p,
        supervising_unit=crew.cast.county,
        leader_name="县长",
        leader=crew.county_leader,
        text="请妥善处理",
        due=timezone.localdate() + timedelta(days=10),
    )


def test_the_supervisor_arranges_a_leaders_ownership(crew: Crew) -> None:
    p = matter(crew.cast)
    ownership = services.assign_case_owner(
        actor=crew.supervisor, petition=p, leader=crew.county_leader, note="县领导包案"
    )
    assert ownership.leader == crew.county_leader and ownership.created_by == crew.supervisor


def test_a_handler_cannot_arrange_a_leaders_ownership(crew: Crew) -> None:
    p = matter(crew.cast)
    with pytest.raises(TransitionNotAllowed):
        services.assign_case_owner(actor=crew.handler_a, petition=p, leader=crew.county_leader)
    assert not CaseOwnership.objects.exists()


def test_the_handlers_report_does_not_close_an_instruction(crew: Crew) -> None:
    p = matter(crew.cast)
    instruction = _instruction(crew, p)
    services.report_instruction(instruction, actor=crew.handler_a, note="已答复群众")
    with pytest.raises(TransitionNotAllowed):
        services.complete_instruction(instruction, actor=crew.handler_a, note="办完了")
    instruction.refresh_from_db()
    assert instruction.status == "open" and instruction.completion_note == "已答复群众"


def test_the_instructing_leader_confirms_the_instruction(crew: Crew) -> None:
    p = matter(crew.cast)
    instruction = _instruction(crew, p)
    services.report_instruction(instruction, actor=crew.handler_a, note="已答复群众")
    services.complete_instruction(instruction, actor=crew.county_leader, note="同意")
    instruction.refresh_from_db()
    assert instruction.status == "completed" and instruction.completed_by == crew.county_leader


def test_nothing_to_confirm_before_the_report(crew: Crew) -> None:
    instruction = _instruction(crew, matter(crew.cast))
    with pytest.raises(SupervisionInvalid, match="尚未报告"):
        services.complete_instruction(instruction, actor=crew.supervisor)


def test_the_handler_sees_the_report_form_but_no_delisting_or_confirmation(crew: Crew) -> None:
    cast = crew.cast
    p = matter(cast)
    services.list_supervision(
        actor=crew.supervisor,
        petition=p,
        lead_leader=crew.county_leader,
        responsible_unit=cast.unit_a,
        responsible_person=crew.handler_a,
        supervising_unit=cast.county,
        supervisor=crew.supervisor,
        deadline=timezone.localdate() + timedelta(days=30),
        reason="涉及人数多",
    )
    _instruction(crew, p)
    url = reverse("supervision:matter_panel", args=[p.pk])
    handler_page = _client(crew.handler_a).get(url).content.decode()
    assert "摘牌</summary>" not in handler_page
    assert "报告批示落实情况" in handler_page and "确认批示已落实" not in handler_page
    supervisor_page = _client(crew.supervisor).get(url).content.decode()
    assert "摘牌</summary>" in supervisor_page and "确认批示已落实" in supervisor_page


def test_the_report_and_the_confirmation_through_the_page(crew: Crew) -> None:
    p = matter(crew.cast)
    instruction = _instruction(crew, p)
    url = reverse("supervision:record_act", args=["instruction", instruction.pk])
    _client(crew.handler_a).post(url, {"step": "report", "text": "已答复"})
    _client(crew.handler_a).post(url, {"step": "complete", "text": "确认"})
    instruction.refresh_from_db()
    assert instruction.status == "open" and instruction.completion_note == "已答复"
    _client(crew.supervisor).post(url, {"step": "complete", "text": "确认"})
    instruction.refresh_from_db()
    assert instruction.status == "completed"


def test_the_listed_form_names_every_missing_field_on_the_first_try(crew: Crew) -> None:
    p = matter(crew.cast)
    response = _client(crew.supervisor).post(
        reverse("supervision:record_create", args=[p.pk, "listed"]), {}
    )
    body = response.content.decode()
    assert "缺少：包案领导、责任单位、责任人、督办单位、督办人、办结时限、挂牌事由" in body


def test_the_listed_people_pickers_offer_only_people_of_the_units_concerned(
    crew: Crew,
) -> None:
    cast = crew.cast
    p = matter(cast)
    form = ListedForm(user=crew.supervisor, petition=p)
    persons = set(form.fields["responsible_person"].queryset)
    assert crew.handler_a in persons and crew.handler_b not in persons
    leader_b = cast.user_with(Role.UNIT_LEADER, cast.unit_b, "leader-b")
    leaders = set(form.fields["lead_leader"].queryset)
    assert crew.county_leader in leaders and leader_b not in leaders
    assert crew.supervisor in set(form.fields["supervisor"].queryset)
    assert crew.handler_a not in set(form.fields["supervisor"].queryset)
    units = list(form.fields["responsible_unit"].queryset)
    assert cast.unit_a in units and cast.unit_b not in units and cast.county not in units


def test_the_ownership_picker_lists_the_leaders_over_the_responsible_unit(crew: Crew) -> None:
    p = matter(crew.cast)
    leader_b = crew.cast.user_with(Role.UNIT_LEADER, crew.cast.unit_b, "leader-b")
    leaders = set(OwnershipForm(user=crew.supervisor, petition=p).fields["leader"].queryset)
    assert {crew.county_leader, crew.leader_a} <= leaders and leader_b not in leaders


def test_unit_pickers_are_the_ordered_tree(crew: Crew) -> None:
    cast = crew.cast
    p = matter(cast)
    form = ListedForm(user=crew.supervisor, petition=p)
    labels = [label for _value, label in form.fields["supervising_unit"].choices][1:]
    assert labels[0] == "\u3000" * cast.county.depth + cast.county.name
    assert "\u3000" * cast.village_a.depth + cast.village_a.name in labels
    assert labels.index("\u3000" * cast.unit_a.depth + cast.unit_a.name) < labels.index(
        "\u3000" * cast.village_a.depth + cast.village_a.name
    )


def test_a_dated_instruction_needs_its_report_before_it_counts_as_done(crew: Crew) -> None:
    instruction = _instruction(crew, matter(crew.cast))
    late = timezone.localdate() + timedelta(days=11)
    services.report_instruction(instruction, actor=crew.handler_a, note="已答复")
    assert list(Instruction.objects.overdue(late)) == [instruction]
