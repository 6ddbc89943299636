"""A county leader in a real browser (Playwright on Debian's Chromium): the ranking, a
township's on-time rate down to the matters, the annual report's PDF."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.shell.testing import PASSWORD
from xinfang.statistics.aggregates import refresh_months
from xinfang.statistics.periods import months_between
from xinfang.statistics.tests.conftest import Year

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _login(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")


def test_a_county_leader_ranks_drills_down_to_the_matters_and_downloads_the_report(  # type: ignore[no-untyped-def]
    page, year: Year
) -> None:
    refresh_months(months_between(date(2026, 1, 1), date(2026, 9, 1)))
    c = year.cast
    _login(page, year.county_leader.username)
    page.click("nav >> text=统计分析")
    page.wait_for_selector("h1:has-text('测试县')")
    # The charts draw (ECharts, vendored, under the page's script policy).
    page.wait_for_selector("#chart-units canvas")
    page.click("main >> text=月度排名")
    page.fill("input[name=month]", "2026-06")
    page.fill("input[name=min_sample]", "1")
    page.click("main form.filters button[type=submit]")
    row = page.locator("#ranking tbody tr", has_text="甲镇")
    assert row.locator("td").first.inner_text() in ("1", "2")
    # 按期办结率 of 甲镇: the denominator (the matters measured) opens their list.
    row.locator("td").nth(3).locator("a").nth(1).click()
    page.wait_for_selector("h1:has-text('办理（应计）')")
    measured = [
        p
        for p in year.matters
        if p.responsible_unit_id in (c.unit_a.pk, c.village_a.pk)
        and p.answered_on
        and date(2026, 6, 1) <= p.answered_on <= date(2026, 6, 30)
    ]
    assert measured
    for p in measured:
        assert p.summary in page.inner_text("main")
    page.click(f"main >> text={measured[0].number}")
    page.wait_for_selector(f"text={measured[0].summary}")
    assert f"/petitions/{measured[0].pk}/" in page.url
    # The annual report of the county, as PDF.
    page.goto(f"/statistics/unit/{c.county.pk}/annual/2026/")
    with page.expect_download() as download:
        page.click("#download-pdf")
    assert download.value.suggested_filename.endswith("年度报告.pdf")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
