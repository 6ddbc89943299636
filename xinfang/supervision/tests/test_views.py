"""Pages and API of supervision: scope, the accused never sees, query counts, forms."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinfang.org.choices import Role
from xinfang.petitions.workflow import transition
from xinfang.supervision import services
from xinfang.supervision.models import ListedSupervision, SupervisionNotice
from xinfang.supervision.tests.conftest import Crew
from xinfang.supervision.tests.factories import InstructionFactory, NoticeFactory, matter

pytestmark = pytest.mark.django_db
LIST_URL = "/supervision/"

CANARY = "CANARY-督办-7f3a9c"


def panel_url(pk: int) -> str:
    return reverse("supervision:matter_panel", args=[pk])


def act_url(kind: str, pk: int) -> str:
    return reverse("supervision:record_act", args=[kind, pk])


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _accusation_with_supervision(crew: Crew) -> Any:
    """An accusation against unit_a, routed to the discipline body and supervised by the
    county, with the canary in every supervision record."""
    cast = crew.cast
    p = matter(
        cast, unit=cast.county, kind="accusation", accused_unit=cast.unit_a, summary=f"检举{CANARY}"
    )
    transition(
        p, "routed", actor=cast.user_with(Role.REGISTRAR, cast.county), to_unit=crew.discipline
    )
    services.issue_notice(
        actor=crew.supervisor,
        petition=p,
        supervising_unit=cast.county,
        reasons=CANARY,
        recommendation=CANARY,
    )
    services.send_reminder(
        actor=crew.supervisor, petition=p, supervising_unit=cast.county, note=CANARY
    )
    services.record_instruction(
        actor=crew.supervisor,
        petition=p,
        supervising_unit=cast.county,
        leader_name=CANARY,
        text=CANARY,
        due=timezone.localdate() + timedelta(days=5),
        responsible_unit=crew.discipline,
    )
    return p


def test_accused_unit_never_sees_supervision_of_an_accusation(crew: Crew) -> None:
    p = _accusation_with_supervision(crew)
    cast = crew.cast
    accused_users = [
        crew.handler_a,
        crew.leader_a,
        cast.user_with(Role.SUPERVISOR, cast.unit_a, "town-supervisor"),
        cast.user_with(Role.HANDLER, cast.village_a, "village-handler"),
    ]
    notice_pk = SupervisionNotice.objects.get(petition=p).pk
    urls = [
        LIST_URL + f"?kind={k}&state=all" for k in ("notice", "reminder", "listed", "ownership")
    ]
    urls += [
        reverse("supervision:instruction_list") + "?state=all",
        reverse("dashboard"),
        reverse("api:supervision_list") + "?kind=notice&state=all",
        reverse("api:supervision_list") + "?kind=reminder&state=all",
        reverse("api:supervision_instructions") + "?state=all",
        reverse("documents:register_page"),
    ]
    hidden = [
        panel_url(p.pk),
        reverse("documents:document_index", args=[p.pk]),
        reverse("documents:notice_pdf", args=[notice_pk]),
    ]
    for user in accused_users:
        client = _client(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert CANARY not in response.content.decode(), (user, url)
        for url in hidden:
            assert client.get(url).status_code == 404, (user, url)
        export = client.post(reverse("documents:register_export"), {"q": ""})
        assert CANARY.encode() not in export.content
    # The supervising county and the discipline body do see it.
    for user in (crew.supervisor, crew.discipline_handler):
        body = _client(user).get(LIST_URL + "?kind=notice").content.decode()
        assert CANARY in body


def test_supervising_unit_sees_its_records_and_siblings_do_not(crew: Crew) -> None:
    cast = crew.cast
    p = matter(cast, summary="甲镇事项")
    services.issue_notice(
        actor=crew.supervisor,
        petition=p,
        supervising_unit=cast.county,
        reasons="慢",
        recommendation="甲镇督办建议",
    )
    assert "甲镇督办建议" in _client(crew.handler_a).get(panel_url(p.pk)).content.decode()
    assert _client(crew.handler_b).get(panel_url(p.pk)).status_code == 404
    body = _client(crew.handler_b).get(LIST_URL).content.decode()
    assert "甲镇事项" not in body


def test_record_lists_query_count_does_not_grow(
    crew: Crew, django_assert_max_num_queries: Any
) -> None:
    cast = crew.cast
    for i in range(12):
        p = matter(cast)
        NoticeFactory(
            petition=p,
            supervising_unit=cast.county,
            responsible_unit=cast.unit_a,
            created_by=crew.supervisor,
            number=f"批量督〔2026〕{i}号",
        )
        InstructionFactory(
            petition=p,
            supervising_unit=cast.county,
            responsible_unit=cast.unit_a,
            created_by=crew.supervisor,
        )
    client = _client(crew.handler_a)
    client.get(LIST_URL)  # warm the session
    with django_assert_max_num_queries(12):
        response = client.get(LIST_URL + "?kind=notice")
    assert response.content.decode().count("批量督") == 12
    with django_assert_max_num_queries(12):
        assert client.get(reverse("supervision:instruction_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("api:supervision_list")).json()["count"] == 12


def test_list_shows_overdue_and_filters_by_state(crew: Crew) -> None:
    cast = crew.cast
    p = matter(cast, summary="超期督办事项")
    today = timezone.localdate()
    NoticeFactory(
        petition=p,
        supervising_unit=cast.county,
        responsible_unit=cast.unit_a,
        created_by=crew.supervisor,
        issued_on=today - timedelta(days=40),
        answer_due=today - timedelta(days=10),
    )
    q = matter(cast, summary="未到期督办事项")
    NoticeFactory(
        petition=q,
        supervising_unit=cast.county,
        responsible_unit=cast.unit_a,
        created_by=crew.supervisor,
    )
    client = _client(crew.handler_a)
    body = client.get(LIST_URL + "?kind=notice&state=overdue").content.decode()
    assert "超期督办事项" in body and "（已超期）" in body and "未到期督办事项" not in body
    data = client.get(reverse("api:supervision_list") + "?state=overdue").json()
    assert data["count"] == 1 and data["items"][0]["overdue"] is True


def test_listed_form_reports_missing_fields_in_chinese(crew: Crew) -> None:
    cast = crew.cast
    p = matter(cast)
    response = _client(crew.supervisor).post(
        reverse("supervision:record_create", args=[p.pk, "listed"]),
        {"listed-reason": "挂牌", "listed-supervising_unit": cast.county.pk},
    )
    assert response.status_code == 400
    assert "缺少：包案领导、责任单位、责任人、督办人、办结时限" in response.content.decode()
    assert not ListedSupervision.objects.exists()


def test_notice_answer_through_the_page(crew: Crew) -> None:
    cast = crew.cast
    p = matter(cast)
    notice = services.issue_notice(
        actor=crew.supervisor,
        petition=p,
        supervising_unit=cast.county,
        reasons="慢",
        recommendation="建议",
    )
    response = _client(crew.handler_a).post(
        act_url("notice", notice.pk),
        {"adopted": "1", "text": "已采纳"},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.adopted is True and notice.answered_on == timezone.localdate()


def _post_notice_by_api(crew: Crew, p: Any) -> Any:
    response = _client(crew.supervisor).post(
        reverse("api:supervision_notice"),
        {
            "petition": p.pk,
            "supervising_unit": crew.cast.county.pk,
            "reasons": "慢",
            "recommendation": "建议",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response


def test_api_creates_notice_with_answer_due(crew: Crew) -> None:
    cast = crew.cast
    p = matter(cast)
    response = _post_notice_by_api(crew, p)
    assert response.json()["due"] >= (timezone.localdate() + timedelta(days=30)).isoformat()
    denied = _client(crew.handler_b).post(
        reverse("api:supervision_notice"),
        {
            "petition": p.pk,
            "supervising_unit": cast.unit_b.pk,
            "reasons": "慢",
            "recommendation": "建议",
        },
        content_type="application/json",
    )
    assert denied.status_code == 404


def test_demo_hook_adds_supervision_only_to_existing_demo_matters(db: Any, capsys: Any) -> None:
    from xinfang.org.demo import build_demo_county
    from xinfang.supervision.models import CaseOwnership, Instruction, SupervisionNotice

    build_demo_county()
    assert SupervisionNotice.objects.count() == 1
    assert ListedSupervision.objects.count() == 1
    assert CaseOwnership.objects.count() == 1 and Instruction.objects.count() == 1
    assert capsys.readouterr().out == ""


def test_demo_hook_creates_nothing_without_matters(db: Any, capsys: Any) -> None:
    from xinfang.org.demo import DemoCounty
    from xinfang.org.models import Unit
    from xinfang.supervision.demo import add_demo_supervision
    from xinfang.supervision.models import SupervisionNotice

    unit = Unit.objects.create(name="空县", level="county")
    add_demo_supervision(DemoCounty(province=unit, city=unit, county=unit, units={"land": unit}))
    assert not SupervisionNotice.objects.exists()
    assert capsys.readouterr().out == ""


def test_instruction_overdue_is_derived_not_stored(crew: Crew) -> None:
    cast = crew.cast
    p = matter(cast)
    InstructionFactory(
        petition=p,
        supervising_unit=cast.county,
        responsible_unit=cast.unit_a,
        created_by=crew.supervisor,
        instructed_on=date(2026, 1, 5),
        due=date(2026, 1, 6),
    )
    body = (
        _client(crew.handler_a)
        .get(reverse("supervision:instruction_list") + "?state=overdue")
        .content.decode()
    )
    assert "请妥善处理" in body


@pytest.mark.usefixtures("year_2027_not_entered")
def test_api_notice_into_an_uncovered_year_has_a_not_before_date(crew: Crew) -> None:
    import time_machine

    cast = crew.cast
    with time_machine.travel("2026-12-15 10:00 +0800", tick=True):
        response = _post_notice_by_api(crew, matter(cast))
        # Art. 40: 30 days from 2026-12-15 end on 2027-01-14 at the earliest.
        assert response.json()["due"] is None
        assert response.json()["due_not_before"] == "2027-01-14"
        page = _client(crew.supervisor).get(LIST_URL + "?kind=notice")
    assert "待定，不早于 2027-01-14" in page.content.decode()


def test_the_panel_of_an_accusation_never_offers_the_accused_as_a_unit(crew: Crew) -> None:
    # 条例 Art. 30: no unit picker (supervising, responsible) lists the accused unit or any
    # unit below it.
    cast = crew.cast
    p = matter(cast, unit=cast.county, kind="accusation", accused_unit=cast.unit_a)
    response = _client(crew.supervisor).get(panel_url(p.pk))
    forms = response.context["create_forms"]
    offered = {
        unit
        for item in forms
        for field in item["form"].fields.values()
        if getattr(field, "queryset", None) is not None and field.queryset.model.__name__ == "Unit"
        for unit in field.queryset
    }
    assert offered and not {cast.unit_a, cast.village_a} & offered
    assert cast.county in offered
