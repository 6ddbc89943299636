"""Staff pages: registration, list filters and search, detail actions, due list, query counts."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from xinfang.petitions.choices import Kind, Status
from xinfang.petitions.models import Attachment, Petition
from xinfang.petitions.tests.factories import make_petition, refresh

PDF = b"%PDF-1.4\n%%EOF\n"


def detail_url(pk: int) -> str:
    return reverse("petitions:petition_detail", args=[pk])


def extend_url(pk: int) -> str:
    return reverse("petitions:petition_extend", args=[pk])


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_registrar_registers_a_letter_with_cosigners_and_attachment(people) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _client(people.town_registrar)
    assert client.get(reverse("petitions:petition_register")).status_code == 200
    data = {
        "registering_unit": people.cast.unit_a.pk,
        "channel": "letter",
        "kind": "appeal",
        "received_on": "2026-08-20",
        "summary": "反映甲镇集市占道经营",
        "people-TOTAL_FORMS": "2",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "1",
        "people-MAX_NUM_FORMS": "50",
        "people-0-role": "primary",
        "people-0-name": "钱一",
        "people-0-phone": "13912345678",
        "people-1-role": "cosigner",
        "people-1-name": "孙二",
        "people-1-wants_confidentiality": "on",
        "attachments": SimpleUploadedFile("来信.pdf", PDF),
    }
    response = client.post(reverse("petitions:petition_register"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    p = Petition.objects.get()
    assert p.received_on == date(2026, 8, 20) and p.is_confidential
    assert p.petitioners.count() == 2 and Attachment.objects.filter(petition=p).count() == 1
    assert p.registrar == people.town_registrar and p.responsible_unit == people.cast.unit_a
    page = client.get(response["Location"])
    assert "查询码" in page.content.decode()


def test_register_shows_chinese_errors(people) -> None:
    client = _client(people.town_registrar)
    response = client.post(
        reverse("petitions:petition_register"),
        {
            "registering_unit": people.cast.unit_a.pk,
            "channel": "letter",
            "kind": "accusation",
            "received_on": "2026-08-20",
            "summary": "检举",
            "people-TOTAL_FORMS": "1",
            "people-INITIAL_FORMS": "0",
            "people-0-role": "primary",
            "people-0-name": "某",
        },
    )
    assert response.status_code == 200 and "被检举控告的单位或人员" in response.content.decode()


def test_list_filters_search_and_paginates_with_bounded_queries(
    people, django_assert_max_num_queries
) -> None:
    for i in range(30):
        make_petition(people.cast, actor=people.town_registrar, summary=f"反映路灯问题{i}")
    make_petition(
        people.cast, actor=people.town_registrar, summary="举报违建", kind=Kind.SUGGESTION
    )
    client = _client(people.handler_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("petitions:petition_list"))
    assert response.status_code == 200 and "共 31 件" in response.content.decode()
    page2 = client.get(reverse("petitions:petition_list") + "?page=2&q=路灯")
    assert "第 2 / 2 页" in page2.content.decode()
    only = client.get(reverse("petitions:petition_list") + "?kind=suggestion").content.decode()
    assert "举报违建" in only and "路灯问题1<" not in only
    overdue = client.get(reverse("petitions:petition_list") + "?overdue=on").content.decode()
    assert "没有符合条件" in overdue


def test_due_list_shows_due_soon_and_overdue_with_bounded_queries(
    people, django_assert_max_num_queries
) -> None:
    today = timezone.localdate()
    soon = make_petition(
        people.cast, actor=people.town_registrar, received_on=today - timedelta(days=10)
    )
    late = make_petition(
        people.cast, actor=people.town_registrar, received_on=today - timedelta(days=40)
    )
    later = make_petition(people.cast, actor=people.town_registrar)
    client = _client(people.handler_a)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("petitions:due_list")).content.decode()
    assert soon.summary in body and late.summary in body and later.summary not in body
    assert "已超期" in body


def test_due_list_pages_a_long_list_and_counts_it_once(people, monkeypatch) -> None:
    from xinfang.petitions import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    today = timezone.localdate()
    made = [
        make_petition(
            people.cast,
            actor=people.town_registrar,
            summary=f"临期事项{i}号",
            received_on=today - timedelta(days=40 + i),
        )
        for i in range(3)
    ]
    client = _client(people.handler_a)

    def due_page(query: str = "") -> tuple[Any, int]:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("petitions:due_list") + query).context["page_obj"]
        counts = sum("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
        return page, counts

    (first, first_counts), (second, _) = due_page(), due_page("?page=2")
    assert first.paginator.count == 3 and first.has_next()
    shown = [p.pk for p in first] + [p.pk for p in second]
    assert sorted(shown) == sorted(p.pk for p in made)
    assert first_counts == 2  # the due list and the pending matters
    # A list that fits on one page is read once: only the pending matters are counted.
    Petition.objects.filter(pk=made[0].pk).update(next_due=None)
    short, short_counts = due_page()
    assert short.paginator.count == 2 and not short.has_next() and short_counts == 1


def test_detail_offers_only_the_steps_the_user_may_take(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    body = _client(people.handler_a).get(detail_url(p.pk)).content.decode()
    assert "受理并书面告知" in body and "出具信访处理意见书" not in body
    assert _client(people.handler_b).get(detail_url(p.pk)).status_code == 404


def test_htmx_step_moves_the_matter_and_redirects(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    url = reverse("petitions:petition_step", args=[p.pk, "accept"])
    response = _client(people.handler_a).post(
        url, {"accept-notice": "受理"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204 and response["HX-Redirect"].endswith(f"/{p.pk}/")
    assert refresh(p).status == Status.ACCEPTED


def test_refused_step_shows_the_reason_in_the_form(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    url = reverse("petitions:petition_step", args=[p.pk, "not_accept"])
    response = _client(people.handler_a).post(
        url, {"not_accept-reason": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert refresh(p).status == Status.REGISTERED


def test_extension_page_flow(people) -> None:
    from xinfang.petitions.workflow import transition

    p = transition(
        make_petition(people.cast, actor=people.town_registrar),
        Status.ACCEPTED,
        actor=people.handler_a,
    )
    client = _client(people.leader_a)
    assert "延长办理期限" in client.get(detail_url(p.pk)).content.decode()
    response = client.post(extend_url(p.pk), {"ext-days": "40", "ext-reason": "x"})
    assert response.status_code == 400 and refresh(p).extension_days == 0
    client.post(
        extend_url(p.pk),
        {"ext-days": "30", "ext-reason": "需要鉴定"},
    )
    assert refresh(p).extension_days == 30


def test_dashboard_panel_counts(people) -> None:
    make_petition(
        people.cast,
        actor=people.town_registrar,
        received_on=timezone.localdate() - timedelta(days=40),
    )
    body = _client(people.handler_a).get(reverse("dashboard")).content.decode()
    assert "信访事项期限" in body and "已超期 1 件" in body
