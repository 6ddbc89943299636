"""The statistics pages: figures linked to their matters, the ranking published by the
unit's leaders, public pages without personal data or accusations."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from xinfang.org.choices import Role
from xinfang.shell.testing import sign_in
from xinfang.statistics.aggregates import refresh_months
from xinfang.statistics.models import RankingPublication
from xinfang.statistics.periods import months_between
from xinfang.statistics.tests.conftest import Year

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    sign_in(client, user)  # type: ignore[arg-type]
    return client


def test_the_overview_links_each_townships_figures_to_their_matters(year: Year) -> None:
    c = year.cast
    client = _client(year.county_leader)
    response = client.get(
        reverse("statistics:statistics_overview", args=[c.county.pk]), {"period": "2026"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    link = reverse("statistics:figure_list", args=[c.unit_a.pk, "on_time_completion.numerator"])
    assert f"{link}?period=2026" in html
    drill = client.get(link, {"period": "2026"}).content.decode()
    on_time = [
        p
        for p in year.matters
        if p.responsible_unit_id in (c.unit_a.pk, c.village_a.pk)
        and p.answered_on
        and p.handle_due
        and p.answered_on <= p.handle_due
    ]
    assert on_time and all(p.summary in drill for p in on_time)
    assert "echarts.min.js" in html and "statistics-chart-data" in html


def test_the_overview_counts_a_whole_subtree_in_a_bounded_number_of_queries(
    year: Year, django_assert_max_num_queries: object
) -> None:
    client = _client(year.county_leader)
    url = reverse("statistics:statistics_overview", args=[year.cast.county.pk])
    with django_assert_max_num_queries(60):  # type: ignore[operator]
        assert client.get(url, {"period": "2026"}).status_code == 200


def test_a_period_that_does_not_parse_shows_a_message_not_an_error(year: Year) -> None:
    client = _client(year.county_leader)
    response = client.get(
        reverse("statistics:statistics_overview", args=[year.cast.county.pk]), {"period": "明年"}
    )
    assert response.status_code == 200
    assert "统计期间格式不正确" in response.content.decode()


def test_the_overview_exports_its_table_as_xlsx(year: Year) -> None:
    from openpyxl import load_workbook

    client = _client(year.county_leader)
    response = client.get(
        reverse("statistics:statistics_export", args=[year.cast.county.pk]), {"period": "2026"}
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    by_unit = {r[0]: r for r in rows[1:]}
    assert by_unit["合计"][1] == 9
    assert by_unit["甲镇"][1] == 4


def test_a_drill_down_lists_only_what_its_reader_may_see(year: Year) -> None:
    c = year.cast
    reader = c.user_with(Role.HANDLER, c.unit_b, "stats-reader-b")
    client = _client(reader)
    url = reverse("statistics:figure_list", args=[c.unit_a.pk, "received"])
    assert client.get(url, {"period": "2026"}).status_code == 404


def _publish(year: Year, *, public: bool) -> RankingPublication:
    c = year.cast
    refresh_months(months_between(date(2026, 5, 1), date(2026, 6, 30)))
    client = _client(year.county_leader)
    response = client.post(
        reverse("statistics:ranking_publish", args=[c.county.pk]),
        {
            "level": "township",
            "month": "2026-06",
            "w_timely": 1,
            "w_completion": 1,
            "w_satisfaction": 1,
            "min_sample": 1,
            **({"public": "on"} if public else {}),
        },
    )
    assert response.status_code == 302
    return RankingPublication.objects.get()


def test_a_leader_publishes_the_ranking_as_shown(year: Year) -> None:
    publication = _publish(year, public=False)
    assert [row["unit"] for row in publication.rows] == ["甲镇", "乙镇"]
    assert publication.rows[0]["rank"] == 1
    assert not publication.is_public
    public = Client().get(reverse("statistics:public_ranking", args=[publication.pk]))
    assert public.status_code == 404


def test_only_the_units_leaders_may_publish(year: Year) -> None:
    c = year.cast
    handler = c.user_with(Role.HANDLER, c.county, "stats-county-handler")
    response = _client(handler).post(
        reverse("statistics:ranking_publish", args=[c.county.pk]),
        {
            "level": "township",
            "month": "2026-06",
            "w_timely": 1,
            "w_completion": 1,
            "w_satisfaction": 1,
            "min_sample": 1,
        },
    )
    assert response.status_code == 404
    assert not RankingPublication.objects.exists()


def test_a_public_ranking_shows_units_and_rates_and_no_person_or_accusation(year: Year) -> None:
    publication = _publish(year, public=True)
    html = (
        Client().get(reverse("statistics:public_ranking", args=[publication.pk])).content.decode()
    )
    assert "甲镇" in html and "乙镇" in html
    for p in year.matters:
        assert p.summary not in html
        for person in p.petitioners.all():
            assert person.name not in html
    assert "检举" not in html.replace("不含任何个人信息和检举控告内容", "")


def test_the_public_statistics_page_shows_the_county_and_its_townships(year: Year) -> None:
    c = year.cast
    refresh_months(months_between(date(2025, 9, 1), date(2026, 9, 1)))
    html = (
        Client().get(reverse("statistics:public_statistics", args=[c.county.pk])).content.decode()
    )
    assert "甲镇" in html and "乙镇" in html
    assert c.department.name not in html  # townships only
    for p in year.matters:
        assert p.summary not in html


def test_the_public_statistics_page_is_only_for_counties(year: Year) -> None:
    url = reverse("statistics:public_statistics", args=[year.cast.unit_a.pk])
    assert Client().get(url).status_code == 404


def test_the_ranking_page_lists_the_level_and_marks_small_samples(year: Year) -> None:
    c = year.cast
    refresh_months([date(2026, 6, 1), date(2026, 5, 1)])
    response = _client(year.county_leader).get(
        reverse("statistics:ranking", args=[c.county.pk]), {"month": "2026-06", "min_sample": 5}
    )
    html = response.content.decode()
    assert "甲镇" in html and "乙镇" in html and "不排名" in html


def _all_pages(root, level, month, size):  # type: ignore[no-untyped-def]
    from xinfang.statistics.ranking import Weights, ranking_page

    rows, offset = [], 0
    while True:
        page = ranking_page(root, level, month, Weights(2, 1, 1), 1, offset=offset, limit=size)
        rows += page.rows
        offset += size
        if offset >= page.count:
            return page, rows


def test_the_ranking_by_pages_is_the_whole_ranking_cut_into_pages(year: Year) -> None:
    from xinfang.statistics.ranking import ALL_LEVELS, Weights, monthly_ranking

    c = year.cast
    june = date(2026, 6, 1)
    refresh_months([june, date(2026, 5, 1)])
    whole = monthly_ranking(c.county, ALL_LEVELS, june, Weights(2, 1, 1), 1).rows
    assert len(whole) > 3
    for _ in range(2):  # computed, then read from the cache: the same rows
        page, rows = _all_pages(c.county, ALL_LEVELS, june, 2)
        assert page.count == len(whole)
        assert page.ranked == sum(1 for r in whole if r.rank is not None)
        assert rows == whole


def test_a_cached_ranking_follows_a_recount_and_a_renamed_unit(year: Year) -> None:
    from xinfang.statistics.ranking import ALL_LEVELS, Weights, monthly_ranking

    c = year.cast
    june = date(2026, 6, 1)
    refresh_months([june])
    _, before = _all_pages(c.county, ALL_LEVELS, june, 50)
    received = {r.unit_id: r.received for r in before}
    from xinfang.statistics.tests.factories import matter

    matter(c, c.unit_b, date(2026, 6, 10))
    # Not recounted yet: the ranking is that of the aggregates as they are.
    _, same = _all_pages(c.county, ALL_LEVELS, june, 50)
    assert {r.unit_id: r.received for r in same} == received
    refresh_months([june])
    _, after = _all_pages(c.county, ALL_LEVELS, june, 50)
    assert {r.unit_id: r.received for r in after}[c.unit_b.pk] == received[c.unit_b.pk] + 1
    c.unit_b.name = "乙镇（更名）"
    c.unit_b.save(update_fields=["name"])
    _, renamed = _all_pages(c.county, ALL_LEVELS, june, 50)
    assert renamed == monthly_ranking(c.county, ALL_LEVELS, june, Weights(2, 1, 1), 1).rows
    assert "乙镇（更名）" in {r.name for r in renamed}


def test_the_ranking_api_answers_a_page_with_the_total_count(year: Year) -> None:
    c = year.cast
    refresh_months([date(2026, 6, 1)])
    client = _client(year.county_leader)
    url = reverse("api:statistics_ranking", args=[c.county.pk])
    first = client.get(url, {"level": "all", "month": "2026-06-01", "limit": 2}).json()
    second = client.get(
        url, {"level": "all", "month": "2026-06-01", "limit": 2, "offset": 2}
    ).json()
    assert first["count"] == second["count"] > 3
    assert len(first["items"]) == 2 and first["offset"] == 0 and first["limit"] == 2
    assert {i["unit"] for i in first["items"]}.isdisjoint(i["unit"] for i in second["items"])
    assert first["counted_at"]
    too_many = client.get(url, {"level": "all", "month": "2026-06-01", "limit": 1000})
    assert too_many.status_code == 422


def test_the_ranking_page_shows_a_page_of_the_units_and_how_many_there_are(
    year: Year, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xinfang.statistics import views

    c = year.cast
    refresh_months([date(2026, 6, 1)])
    monkeypatch.setattr(views, "RANKING_PAGE_SIZE", 1)
    client = _client(year.county_leader)
    url = reverse("statistics:ranking", args=[c.county.pk])
    html = client.get(url, {"month": "2026-06", "level": "township"}).content.decode()
    assert "共列出 2 个单位" in html and "第 1 / 2 页" in html and "下一页" in html
    second = client.get(url, {"month": "2026-06", "level": "township", "page": 2})
    assert "第 2 / 2 页" in second.content.decode()
    beyond = client.get(url, {"month": "2026-06", "level": "township", "page": 9})
    assert beyond.status_code == 302 and "page=2" in beyond["Location"]
