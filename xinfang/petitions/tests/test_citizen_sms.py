"""The petitioner's SMS: one at acceptance, extension, answer and review opinion, only if
they opted in, and never carrying the summary, a name, the query code or an accusation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from xinfang.core.models import Message
from xinfang.core.outbox import dispatch
from xinfang.petitions.choices import Kind, Status
from xinfang.petitions.models import Petition
from xinfang.petitions.services import PetitionerData, extend_handling
from xinfang.petitions.tests.factories import petitioner_proof, register
from xinfang.petitions.workflow import transition

SUMMARY = "CANARY-SMS-SUMMARY-道路积水"
NAME = "CANARY-SMS-NAME"
ACCUSED = "CANARY-SMS-ACCUSED"
PHONE = "13955550123"
ANSWER = {
    "outcome": "support",
    "facts": "经查属实。",
    "reasons": "属于本单位职责。",
    "legal_basis": "《信访工作条例》第三十二条",
}


@pytest.fixture
def sms_file(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "sms.jsonl"
    settings.XINFANG_SMS_URL = ""
    settings.XINFANG_SMS_FILE = str(path)
    settings.XINFANG_PORTAL_URL = "https://xf.example.gov.cn/portal/"
    return path


def _sent(path: Path) -> list[dict[str, str]]:
    dispatch()
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _registered(people: Any, *, opt_in: bool, **kwargs: Any) -> tuple[Petition, str]:
    cast = people.cast
    reg = register(
        cast,
        actor=people.town_registrar,
        unit=cast.village_a,
        summary=SUMMARY,
        petitioners=[PetitionerData(name=NAME, phone=PHONE)],
        sms_opt_in=opt_in,
        **kwargs,
    )
    Petition.objects.filter(pk=reg.petition.pk).update(responsible_unit=cast.village_a)
    return Petition.objects.get(pk=reg.petition.pk), reg.query_code


def test_each_of_the_four_events_sends_exactly_one_sms(people, sms_file) -> None:
    cast = people.cast
    handler = cast.user_with("handler", cast.village_a, "vh")
    leader = cast.user_with("unit_leader", cast.village_a, "vl")
    p, code = _registered(people, opt_in=True)
    assert _sent(sms_file) == []  # registration itself is no SMS event
    p = transition(p, Status.ACCEPTED, actor=handler)
    assert [m["text"] for m in _sent(sms_file)][-1].count("已受理") == 1
    extend_handling(p, actor=leader, days=10, reason="需要现场核查")
    p = Petition.objects.get(pk=p.pk)
    p = transition(p, Status.ANSWERED, actor=leader, **ANSWER)
    p = transition(
        p, Status.REVIEW_REQUESTED, actor=None, petitioner=petitioner_proof(p), reason="不服"
    )
    p = transition(p, Status.REVIEWED, actor=people.leader_a, **ANSWER)
    sent = _sent(sms_file)
    assert [s["phone"] for s in sent] == [PHONE] * 4
    events = ["已受理", "办理期限已延长", "已出具处理意见", "已出具复查意见"]
    for sms, event in zip(sent, events, strict=True):
        assert event in sms["text"] and p.number in sms["text"]
        assert "2026-09-01" in sms["text"] and "https://xf.example.gov.cn/portal/" in sms["text"]
        for canary in (SUMMARY, NAME, code, "道路积水"):
            assert canary not in sms["text"]
    # Queued once per event: a second dispatch or job run adds nothing.
    assert len(_sent(sms_file)) == 4
    assert Message.objects.filter(kind="citizen_sms").count() == 4


def test_an_opted_out_citizen_gets_no_sms(people, sms_file) -> None:
    cast = people.cast
    p, _code = _registered(people, opt_in=False)
    p = transition(p, Status.ACCEPTED, actor=cast.user_with("handler", cast.village_a, "vh"))
    assert _sent(sms_file) == []
    assert not Message.objects.filter(kind="citizen_sms").exists()


def test_opt_in_without_a_phone_is_not_kept(people, sms_file) -> None:
    reg = register(
        people.cast,
        actor=people.town_registrar,
        petitioners=[PetitionerData(name=NAME)],
        sms_opt_in=True,
    )
    assert not reg.petition.sms_opt_in


def test_an_accusations_sms_carries_no_accusation_content(people, sms_file) -> None:
    cast = people.cast
    reg = register(
        cast,
        unit=cast.county,
        actor=people.registrar,
        kind=Kind.ACCUSATION,
        summary=SUMMARY,
        full_text=f"检举 {ACCUSED} 的问题",
        accused_unit=cast.department,
        accused_person=ACCUSED,
        petitioners=[PetitionerData(name=NAME, phone=PHONE)],
        sms_opt_in=True,
    )
    p = transition(reg.petition, Status.ROUTED, actor=people.registrar, to_unit=people.discipline)
    p = transition(p, Status.ACCEPTED, actor=people.discipline_leader)
    sent = _sent(sms_file)
    assert len(sent) == 1 and "已受理" in sent[0]["text"]
    for canary in (SUMMARY, NAME, ACCUSED, reg.query_code, cast.department.name):
        assert canary not in sent[0]["text"]
    # The SMS is no inbox message: nobody's inbox, the accused unit's least of all, has it.
    assert not Message.objects.filter(kind="citizen_sms", recipient_unit__isnull=False).exists()


def test_the_opt_in_is_offered_on_both_submission_forms(people) -> None:
    portal = Client().get(reverse("portal:submit")).content.decode()
    assert 'name="sms_opt_in"' in portal
    staff = Client()
    staff.force_login(people.town_registrar)
    assert 'name="sms_opt_in"' in staff.get(reverse("petitions:petition_register")).content.decode()
