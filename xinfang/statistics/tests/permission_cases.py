"""Permission cases of every statistics route (pages, public pages, API)."""

from __future__ import annotations

from typing import Any

from xinfang.org.choices import Role
from xinfang.petitions.models import Petition
from xinfang.petitions.tests.factories import make_petition
from xinfang.shell.testing import Cast, RouteCase, register
from xinfang.statistics.models import RankingPublication
from xinfang.statistics.ranking import Weights
from xinfang.statistics.services import publish_ranking

MONTH = "2026-09"
RANKING = {
    "level": "village",
    "month": MONTH,
    "w_timely": 1,
    "w_completion": 1,
    "w_satisfaction": 1,
    "min_sample": 1,
}


def _matter(cast: Cast) -> Petition:
    return make_petition(cast, summary="统计矩阵标记事项")


def _publication(cast: Cast, *, public: bool = False) -> RankingPublication:
    from datetime import date

    return publish_ranking(
        actor=cast.user_with(Role.UNIT_LEADER, cast.unit_a, "matrix-stats-leader"),
        root=cast.unit_a,
        level="village",
        month=date(2026, 9, 1),
        weights=Weights(),
        min_sample=1,
        public=public,
    )


def _unit(p: Petition) -> dict[str, Any]:
    return {"pk": p.responsible_unit_id}


API = {"anonymous": "401"}
PUBLIC = {"anonymous": "public"}

register(
    RouteCase("statistics:statistics_home", role=Role.HANDLER, list_view=True, ok_status=302),
    RouteCase(
        "statistics:statistics_overview",
        role=Role.HANDLER,
        make=_matter,
        kwargs=_unit,
        marker=lambda p: "甲村",
    ),
    RouteCase("statistics:statistics_export", role=Role.HANDLER, make=_matter, kwargs=_unit),
    RouteCase(
        "statistics:figure_list",
        role=Role.HANDLER,
        make=_matter,
        kwargs=lambda p: {"pk": p.responsible_unit_id, "figure": "received"},
        marker=lambda p: p.summary,
    ),
    RouteCase(
        "statistics:ranking",
        role=Role.HANDLER,
        make=_matter,
        kwargs=_unit,
        marker=lambda p: "甲村",
    ),
    RouteCase(
        "statistics:ranking_publish",
        role=Role.UNIT_LEADER,
        make=_matter,
        kwargs=_unit,
        method="post",
        data=lambda p: RANKING,
        ok_status=302,
    ),
    RouteCase(
        "statistics:statistics_recount",
        role=Role.UNIT_LEADER,
        make=_matter,
        kwargs=_unit,
        method="post",
        data=lambda p: {"month": MONTH},
        ok_status=302,
    ),
    RouteCase("statistics:recurring_list", role=Role.HANDLER, make=_matter, kwargs=_unit),
    RouteCase(
        "statistics:annual_report_page",
        role=Role.HANDLER,
        make=_matter,
        kwargs=lambda p: {"pk": p.responsible_unit_id, "year": 2026},
        marker=lambda p: "第四十一条",
    ),
    RouteCase(
        "statistics:annual_report_download",
        role=Role.HANDLER,
        make=_matter,
        kwargs=lambda p: {"pk": p.responsible_unit_id, "year": 2026, "fmt": "xlsx"},
    ),
    RouteCase(
        "statistics:ranking_publication",
        role=Role.HANDLER,
        make=_publication,
        kwargs=lambda pub: {"pk": pub.pk},
        marker=lambda pub: "甲村",
    ),
    RouteCase("statistics:public_index", role=Role.HANDLER, **PUBLIC),
    RouteCase(
        "statistics:public_statistics",
        role=Role.HANDLER,
        make=lambda cast: cast.county,
        kwargs=lambda county: {"pk": county.pk},
        **PUBLIC,
    ),
    RouteCase(
        "statistics:public_ranking",
        role=Role.HANDLER,
        make=lambda cast: _publication(cast, public=True),
        kwargs=lambda pub: {"pk": pub.pk},
        **PUBLIC,
    ),
    # API
    RouteCase(
        "api:statistics_figures",
        role=Role.HANDLER,
        make=_matter,
        kwargs=_unit,
        marker=lambda p: '"received"',
        **API,
    ),
    RouteCase(
        "api:statistics_matters",
        role=Role.HANDLER,
        make=_matter,
        kwargs=_unit,
        data=lambda p: {"figure": "received"},
        marker=lambda p: p.number,
        **API,
    ),
    RouteCase(
        "api:statistics_annual",
        role=Role.HANDLER,
        make=_matter,
        kwargs=lambda p: {"pk": p.responsible_unit_id, "year": 2026},
        marker=lambda p: '"figure": "received"',
        **API,
    ),
    RouteCase(
        "api:statistics_ranking",
        role=Role.HANDLER,
        make=_matter,
        kwargs=_unit,
        data=lambda p: {"level": "village", "month": "2026-09-01"},
        marker=lambda p: '"rank_change"',
        **API,
    ),
)
