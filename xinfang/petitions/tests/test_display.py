"""The matter page says where a matter stands: the stage after a review opinion, and a
timeline whose rows without a change of status do not print one."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xinfang.petitions.choices import Status
from xinfang.petitions.tests.factories import make_petition, petitioner_proof
from xinfang.petitions.views import stage_at_rest
from xinfang.petitions.workflow import transition

pytestmark = pytest.mark.django_db

ANSWER = {"outcome": "support", "facts": "属实", "reasons": "职责所在", "legal_basis": "条例"}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _reviewed(people):
    p = make_petition(people.cast, actor=people.town_registrar)
    p = transition(p, Status.ACCEPTED, actor=people.handler_a)
    p = transition(p, Status.ANSWERED, actor=people.leader_a, **ANSWER)
    p = transition(
        p, Status.REVIEW_REQUESTED, actor=None, petitioner=petitioner_proof(p), reason="不服"
    )
    return transition(p, Status.REVIEWED, actor=people.county_leader, **ANSWER)


def test_after_a_review_opinion_the_stage_names_the_petitioners_window(people) -> None:
    p = _reviewed(people)
    assert stage_at_rest(p).startswith("已出具复查意见；信访人可申请复核")
    page = _client(people.county_leader).get(reverse("petitions:petition_detail", args=[p.pk]))
    assert "当前环节：—" not in page.content.decode()
    assert "当前环节：已出具复查意见" in page.content.decode()


def test_while_an_office_period_runs_the_stage_is_its_due_date(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    assert stage_at_rest(p) == ""


def test_the_registration_row_does_not_print_a_status_change(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    body = _client(people.handler_a).get(reverse("petitions:petition_detail", args=[p.pk]))
    text = body.content.decode()
    assert "已登记 → 已登记" not in text
    transition(p, Status.ACCEPTED, actor=people.handler_a)
    text = _client(people.handler_a).get(reverse("petitions:petition_detail", args=[p.pk]))
    assert "已登记 → 已受理" in text.content.decode()
