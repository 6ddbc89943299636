"""The assessment pages: the unit sees only its own facts; what-if; the ranked page with the
small-sample guard and the change against the previous period; xlsx and the PDF 通报."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from xinfang.assessment import services
from xinfang.assessment.models import Period, Subject
from xinfang.assessment.publication import ranking
from xinfang.assessment.tests.platform import office, period, unit_leader
from xinfang.core.workflow import SYSTEM
from xinfang.org.navigation import items_for
from xinfang.shell.testing import Cast, sign_in

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    sign_in(c, user)
    return c


def _with_facts(cast: Cast, status: str = "appeals") -> Period:
    p = period(cast, status="collecting")
    for unit, note in ((cast.unit_a, "甲镇逾期答复一件"), (cast.unit_b, "乙镇逾期答复一件")):
        services.enter_fact(
            actor=SYSTEM, period=p, unit=unit, item="2.1", day=date(2026, 8, 4), note=note
        )
    steps = ["open_declaration", "start_review", "open_appeals", "close", "publish"]
    targets = ["declaration", "review", "appeals", "closed", "published"]
    for step, target in zip(steps, targets, strict=True):
        services.take_step(p, step, actor=SYSTEM, reason="测试")
        if target == status:
            break
    return p


def test_the_assessment_office_reaches_the_module_from_its_navigation(cast: Cast) -> None:
    labels = [i["label"] for i in items_for(office(cast))]
    assert "考评" in labels


def test_a_unit_sees_only_its_own_facts(cast: Cast) -> None:
    p = _with_facts(cast)
    page = _client(unit_leader(cast)).get(reverse("assessment:fact_list", args=[p.pk]))
    body = page.content.decode()
    assert "甲镇逾期答复一件" in body and "乙镇逾期答复一件" not in body
    other = _client(unit_leader(cast)).get(
        reverse("assessment:unit_detail", args=[p.pk, cast.unit_b.pk])
    )
    assert other.status_code == 404


def test_a_unit_reads_each_fact_with_its_rule_and_the_why_of_its_points(cast: Cast) -> None:
    p = _with_facts(cast)
    page = _client(unit_leader(cast)).get(
        reverse("assessment:unit_detail", args=[p.pk, cast.unit_a.pk])
    )
    body = page.content.decode()
    assert "信访事项未在60日内" in body and "第三十四条" in body  # the rule and its article
    assert "初步结果" in body and 'id="score">98' in body
    assert "申诉理由" in body  # the appeal form, in the appeal phase


def test_what_if_shows_the_change_if_pending_appeals_are_upheld(cast: Cast) -> None:
    p = _with_facts(cast)
    fact = p.facts.get(unit=cast.unit_a)
    services.file_appeal(actor=unit_leader(cast), fact=fact, reason="已按期答复")
    page = _client(office(cast)).get(reverse("assessment:what_if_page", args=[p.pk]))
    rows = page.context["rows"]
    # 甲镇 would gain its 2 points and 乙镇, tied first now, would drop to second.
    assert [(r["name"], r["score"], r["score_if"], r["rank"], r["rank_if"]) for r in rows] == [
        ("甲镇", 98, 100, 1, 1),
        ("乙镇", 98, 98, 1, 2),
    ]


def test_a_unit_with_too_few_matters_is_flagged_and_not_ranked(cast: Cast) -> None:
    p = _with_facts(cast, "appeals")
    # unit_b's rates rest on 3 matters, unit_a's on none: with a minimum of 2 only unit_b ranks.
    Subject.objects.filter(period=p, unit=cast.unit_b).update(sample=3)
    p.scheme.min_matters = 2
    p.scheme.save(update_fields=["min_matters"])
    services.take_step(p, "close", actor=SYSTEM, reason="测试")
    rows = {r.name: r for r in ranking(p).categories["A"]}
    assert rows["甲镇"].small_sample and rows["甲镇"].place is None
    assert rows["乙镇"].place == 1
    body = _client(office(cast)).get(reverse("assessment:result_list", args=[p.pk])).content
    assert "样本不足，不参与排名" in body.decode()


def test_the_ranked_page_shows_the_change_against_the_previous_period(cast: Cast) -> None:
    before = _with_facts(cast, "published")
    july = services.open_period(
        actor=SYSTEM,
        scheme=before.scheme,
        title="9月",
        start=date(2026, 9, 1),
        end=date(2026, 9, 30),
    )
    services.take_step(july, "collect", actor=SYSTEM)
    for step in ("open_declaration", "start_review", "open_appeals", "close", "publish"):
        services.take_step(july, step, actor=SYSTEM, reason="测试")
    rows = {r.name: r for r in ranking(july).categories["A"]}
    assert rows["甲镇"].change == 2  # 98 in August, 100 in September


def test_results_export_to_xlsx_per_category_and_to_a_pdf_notice(cast: Cast) -> None:
    p = _with_facts(cast, "published")
    c = _client(unit_leader(cast))
    xlsx = c.get(reverse("assessment:result_xlsx", args=[p.pk]))
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["A类", "C类"]
    sheet = book["A类"]
    assert sheet.cell(3, 1).value == "名次" and sheet.cell(4, 2).value in {"甲镇", "乙镇"}
    pdf = c.get(reverse("assessment:result_pdf", args=[p.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_results_before_publication_are_hidden_from_the_units(cast: Cast) -> None:
    p = _with_facts(cast, "closed")
    assert (
        _client(unit_leader(cast)).get(reverse("assessment:result_list", args=[p.pk])).status_code
        == 404
    )
    api = _client(unit_leader(cast)).get(f"/api/assessment/periods/{p.pk}/results")
    assert api.status_code == 404
    assert (
        _client(office(cast)).get(reverse("assessment:result_list", args=[p.pk])).status_code == 200
    )


def test_the_period_list_api_names_rulebook_and_status(cast: Cast) -> None:
    p = _with_facts(cast, "appeals")
    body = _client(office(cast)).get("/api/assessment/periods/").json()
    assert [(x["id"], x["rulebook"], x["status"]) for x in body] == [
        (p.pk, "model-2022", "appeals")
    ]


def test_a_unit_declares_and_appeals_through_the_api(cast: Cast) -> None:
    p = period(cast, status="declaration")
    c = _client(unit_leader(cast))
    made = c.post(
        f"/api/assessment/periods/{p.pk}/facts",
        {"unit": cast.unit_a.pk, "item": "3.1", "date": "2026-08-20", "note": "自查未回访"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["status"] == "declared"
    refused = c.post(
        f"/api/assessment/periods/{p.pk}/facts",
        {"unit": cast.unit_a.pk, "item": "3.1", "date": "2026-08-20", "extra": 1},
        content_type="application/json",
    )
    assert refused.status_code == 422


def test_below_the_pass_mark_once_in_a_year_loses_the_annual_honours(cast: Cast) -> None:
    august = period(cast, status="collecting")
    for item, quantity in (("2.1", 15), ("1.1", 20)):  # −30 and −20: 50, below the 60 pass mark
        services.enter_fact(
            actor=SYSTEM,
            period=august,
            unit=cast.unit_a,
            item=item,
            day=date(2026, 8, 4),
            quantity=quantity,
        )
    for step in ("open_declaration", "start_review", "open_appeals", "close", "publish"):
        services.take_step(august, step, actor=SYSTEM, reason="测试")
    september = services.open_period(
        actor=SYSTEM,
        scheme=august.scheme,
        title="9月",
        start=date(2026, 9, 1),
        end=date(2026, 9, 30),
    )
    for step in ("collect", "open_declaration", "start_review", "open_appeals", "close", "publish"):
        services.take_step(september, step, actor=SYSTEM, reason="测试")
    rows = {r.name: r for r in ranking(september).categories["A"]}
    assert rows["甲镇"].score == 100 and rows["甲镇"].honours_lost == "2026年8月考评"
    assert rows["乙镇"].honours_lost is None
