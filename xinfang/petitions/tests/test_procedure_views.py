"""The matter page's forms for the rest of the 2022 regulation: a backlog step with its
real date, a late extension (Art. 34), recusal, co-handling (Art. 24) and the 涉法涉诉
flag (Arts. 20, 22, 28)."""

from __future__ import annotations

from datetime import date

from django.test import Client
from django.urls import reverse

from xinfang.petitions.choices import Status
from xinfang.petitions.models import CoHandling, Extension, Recusal
from xinfang.petitions.procedure import add_co_handling
from xinfang.petitions.tests.factories import make_petition, refresh
from xinfang.petitions.workflow import transition


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_step_form_takes_a_real_date_with_its_reason(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar, received_on=date(2026, 8, 3))
    url = reverse("petitions:petition_step", args=[p.pk, "accept"])
    response = _client(people.handler_a).post(
        url, {"accept-occurred_on": "2026-08-10", "accept-occurred_reason": "纸质积案补录"}
    )
    assert response.status_code == 302
    p = refresh(p)
    assert p.accepted_on == date(2026, 8, 10) and p.handle_due == date(2026, 10, 9)
    page = _client(people.handler_a).get(reverse("petitions:petition_detail", args=[p.pk]))
    assert "实际办理日期 2026-08-10" in page.content.decode()


def test_the_extension_form_takes_the_late_reason(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar, received_on=date(2026, 6, 1))
    p = transition(
        p,
        Status.ACCEPTED,
        actor=people.handler_a,
        occurred_on=date(2026, 6, 2),
        occurred_reason="纸质积案补录",
    )
    url = reverse("petitions:petition_extend", args=[p.pk])
    body = {"ext-days": "10", "ext-reason": "情况复杂"}
    assert _client(people.leader_a).post(url, body).status_code == 400  # expired 1 Aug
    body["ext-late_reason"] = "原经办人调离"
    assert _client(people.leader_a).post(url, body).status_code == 302
    assert Extension.objects.get(petition=p).is_late
    page = _client(people.leader_a).get(reverse("petitions:petition_detail", args=[p.pk]))
    assert "逾期后延期" in page.content.decode()


def test_a_handler_declares_a_recusal_from_the_page_and_loses_the_steps(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    client = _client(people.handler_a)
    detail = reverse("petitions:petition_detail", args=[p.pk])
    assert "受理并书面告知" in client.get(detail).content.decode()
    url = reverse("petitions:recusal_record", args=[p.pk])
    assert client.post(url, {"rc-reason": "信访人是本人近亲属"}).status_code == 302
    assert Recusal.objects.filter(petition=p, user=people.handler_a).exists()
    page = client.get(detail).content.decode()
    assert "信访人是本人近亲属" in page and "受理并书面告知" not in page


def test_the_co_handling_unit_signs_off_from_the_page(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    p = transition(p, Status.ACCEPTED, actor=people.handler_a)
    co = add_co_handling(p, actor=people.leader_a, unit=people.cast.unit_b, part="核实管网")
    client = _client(people.handler_b)
    assert (
        "确认办结" in client.get(reverse("petitions:petition_detail", args=[p.pk])).content.decode()
    )
    url = reverse("petitions:co_handling_sign_off", args=[p.pk, co.pk])
    assert client.post(url, {f"so{co.pk}-result": "已修复"}).status_code == 302
    assert CoHandling.objects.get(pk=co.pk).signed_off_on == date(2026, 9, 1)


def test_the_registrar_flags_litigation_from_the_page(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    url = reverse("petitions:litigation_flag", args=[p.pk])
    response = _client(people.town_registrar).post(
        url, {"lit-value": "on", "lit-reason": "不服法院判决"}
    )
    assert response.status_code == 302 and refresh(p).litigation_related
    page = _client(people.handler_a).get(reverse("petitions:petition_detail", args=[p.pk]))
    assert "涉法涉诉" in page.content.decode()


def test_the_matter_page_marks_a_proposal_after_finality(people) -> None:
    from xinfang.petitions.models import Petition
    from xinfang.petitions.tests.factories import PetitionerDataFactory

    person = PetitionerDataFactory()
    old = make_petition(
        people.cast,
        actor=people.town_registrar,
        summary="要求补偿房屋征收款项",
        petitioners=[person],
    )
    Petition.objects.filter(pk=old.pk).update(status=Status.FINAL, is_final=True)
    new = make_petition(
        people.cast,
        actor=people.town_registrar,
        summary="要求补偿房屋征收款项",
        petitioners=[PetitionerDataFactory(phone=person.phone)],
        propose_matches=True,
    )
    page = _client(people.town_registrar).get(reverse("petitions:petition_detail", args=[new.pk]))
    assert "第三十六条" in page.content.decode()
