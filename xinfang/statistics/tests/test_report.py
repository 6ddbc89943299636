"""The Art. 41 annual report: every figure equals the count of its matters over the API;
the command writes PDF and xlsx."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from xinfang.shell.testing import sign_in
from xinfang.statistics.report import annual_report, report_lines
from xinfang.statistics.tests.conftest import Year

pytestmark = pytest.mark.django_db


def _api(client: Client, path: str, **params: object) -> dict:  # type: ignore[type-arg]
    response = client.get(f"/api/statistics{path}", params)
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def test_annual_report_totals_equal_counts_over_the_api(year: Year) -> None:
    client = Client()
    sign_in(client, year.county_leader)
    county = year.cast.county
    report = _api(client, f"/units/{county.pk}/annual/2026")
    figures = _api(client, f"/units/{county.pk}/figures", period="2026")["figures"]
    lines = [line for line in report["lines"] if line["figure"]]
    assert len(lines) > 25
    for line in lines:
        listed = _api(
            client,
            f"/units/{line['unit']}/matters",
            period="2026",
            figure=line["figure"],
            limit=1,
        )
        assert listed["count"] == line["value"], line
        if line["unit"] == county.pk:
            assert figures.get(line["figure"], 0) == line["value"], line


def test_the_report_says_when_its_aggregates_were_counted_and_a_refresh_is_exact(
    year: Year,
) -> None:
    from datetime import date

    from xinfang.statistics.tests.factories import matter

    c = year.cast
    first = annual_report(c.county, 2026)
    assert first.counted_at is not None
    assert first.as_of == date(2026, 9, 1)  # the suite's frozen day, before 31 December
    matter(c, c.unit_b, date(2026, 8, 20))
    # Read again: the figures as counted, and the report says when that was.
    again = annual_report(c.county, 2026)
    lines = {line.figure: line.value for _, line in report_lines(again)}
    assert lines["received"] == 9
    assert again.counted_at == first.counted_at
    # Refreshed (the command's --refresh, the nightly job): the new matter is in, and
    # every figure equals its drill-down list again.
    fresh = annual_report(c.county, 2026, refresh=True)
    lines = {line.figure: line.value for _, line in report_lines(fresh)}
    assert lines["received"] == 10
    client = Client()
    sign_in(client, year.county_leader)
    api = _api(client, f"/units/{c.county.pk}/annual/2026")
    assert api["counted_at"] and api["as_of"] == "2026-09-01"
    for line in api["lines"]:
        if line["figure"]:
            listed = _api(
                client,
                f"/units/{line['unit']}/matters",
                period="2026",
                figure=line["figure"],
                limit=1,
            )
            assert listed["count"] == line["value"], line


def test_the_report_names_the_sections_of_article_41(year: Year) -> None:
    report = annual_report(year.cast.county, 2026)
    titles = [s.title for s in report.sections]
    assert any("分类" in t for t in titles)
    assert any("反映问题较多的单位" in t for t in titles)
    assert any("督查督办" in t for t in titles)
    assert any("建议" in t for t in titles)
    assert any("积案" in t for t in titles)
    labels = {line.label: line.value for _, line in report_lines(report)}
    assert labels["收到信访事项总数"] == 9
    assert labels["交办事项"] == 1
    assert labels["建议已采纳"] == 1


def test_recommendations_adopted_are_the_art_29_outcomes_of_the_answers(year: Year) -> None:
    from datetime import date

    from xinfang.petitions.measures import suggestion_outcomes
    from xinfang.statistics.tests.factories import matter

    c = year.cast
    for outcome, answered in (
        ("partly", date(2026, 9, 1)),
        ("not_adopted", date(2026, 9, 1)),
        # Answered the year before: not in the 2026 report.
        ("not_adopted", date(2025, 12, 30)),
    ):
        matter(
            c,
            c.unit_b,
            answered.replace(day=1),
            accepted=answered.replace(day=1),
            answered=answered,
            kind="suggestion",
            suggestion_outcome=outcome,
        )
    report = annual_report(c.county, 2026)
    lines = {line.figure: line.value for _, line in report_lines(report)}
    outcomes = suggestion_outcomes(c.county, date(2026, 1, 1), date(2026, 12, 31))
    assert outcomes == {"adopted": 1, "partly": 1, "not_adopted": 1}
    for value, n in outcomes.items():
        assert lines[f"suggestion.{value}"] == n
    client = Client()
    sign_in(client, year.county_leader)
    listed = _api(
        client, f"/units/{c.county.pk}/matters", period="2026", figure="suggestion.not_adopted"
    )
    assert listed["count"] == 1


def test_the_report_on_screen_says_when_its_figures_were_counted(year: Year) -> None:
    client = Client()
    sign_in(client, year.county_leader)
    from django.urls import reverse

    page = client.get(reverse("statistics:annual_report_page", args=[year.cast.county.pk, 2026]))
    assert page.status_code == 200
    assert "统计于2026年9月1日" in page.content.decode()


def test_the_bodies_complained_about_never_count_accusations(year: Year) -> None:
    report = annual_report(year.cast.county, 2026)
    section = next(s for s in report.sections if "反映问题较多" in s.title)
    department = next(line for line in section.lines if line.label == year.cast.department.name)
    # Three matters at the department, one of them an accusation: two are listed.
    assert department.value == 2


def test_the_command_writes_the_pdf_by_admin_code(year: Year, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    call_command(
        "annual_report",
        unit=year.cast.county.admin_code,
        year=2026,
        out=str(out),
        stdout=io.StringIO(),
    )
    assert out.read_bytes().startswith(b"%PDF")


def test_the_command_writes_the_xlsx_by_id_with_the_reports_figures(
    year: Year, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "report.xlsx"
    call_command(
        "annual_report",
        unit=str(year.cast.county.pk),
        year=2026,
        out=str(out),
        stdout=io.StringIO(),
    )
    sheet = load_workbook(out).active
    rows = {r[1]: r[2] for r in sheet.iter_rows(values_only=True) if r and len(r) > 2}
    assert rows["收到信访事项总数"] == 9


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"unit": "999999", "year": 2026, "out": "x.pdf"}, "没有编号"),
        ({"unit": "339901", "year": 2026, "out": "x.docx"}, ".pdf"),
        ({"unit": "339901", "year": 1990, "out": "x.pdf"}, "--year"),
    ],
)
def test_the_command_refuses_what_it_cannot_write(year: Year, options: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(CommandError, match=message):
        call_command("annual_report", **options)
