"""Every assessment route in the permission matrix (shell/tests/test_permission_matrix.py).

The office's routes use a scheme assessed by ``unit_a`` (the granted assessor's unit; the
assessor of ``unit_b`` must see nothing of it); the unit's own acts use a county scheme in
which ``unit_a`` is a subject (the handler of ``unit_b`` must not reach ``unit_a``'s facts).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.base import ContentFile

from xinfang.assessment import services
from xinfang.assessment.models import Fact, Rating, Subject
from xinfang.assessment.tests.platform import period, scheme
from xinfang.core.workflow import SYSTEM
from xinfang.org.choices import Role
from xinfang.shell.testing import Cast, RouteCase, register

OFFICE = Role.ASSESSMENT_OFFICER
API = {"anonymous": "401"}


def _office_period(status: str) -> Any:
    def make(cast: Cast) -> Any:
        return period(cast, status=status, unit=cast.unit_a)

    return make


def _fact(cast: Cast) -> Fact:
    p = period(cast, status="collecting", unit=cast.unit_a)
    return services.enter_fact(
        actor=SYSTEM,
        period=p,
        unit=cast.unit_a,
        item="2.4",
        day=date(2026, 8, 3),
        note="甲镇处理意见书缺复查途径PC",
        evidence="PC-EVIDENCE-2-4",
    )


def _attached(cast: Cast) -> Fact:
    fact = _fact(cast)
    fact.attachment.save("通报.txt", ContentFile("市信访局通报".encode()), save=True)
    return fact


def _declared(cast: Cast) -> Fact:
    p = period(cast, status="declaration", unit=cast.unit_a)
    return services.declare_fact(
        actor=cast.user_with(Role.HANDLER, cast.unit_a, username="declarer"),
        period=p,
        unit=cast.unit_a,
        item="1.1",
        day=date(2026, 8, 3),
    )


def _contestable(cast: Cast) -> Fact:
    """A fact of ``unit_a`` in a county period open for appeals."""
    p = period(cast, status="collecting")
    fact = services.enter_fact(
        actor=SYSTEM, period=p, unit=cast.unit_a, item="2.1", day=date(2026, 8, 4)
    )
    for step in ("open_declaration", "start_review", "open_appeals"):
        services.take_step(p, step, actor=SYSTEM)
    return fact


def _appeal(cast: Cast) -> Any:
    p = period(cast, status="collecting", unit=cast.unit_a)
    fact = services.enter_fact(
        actor=SYSTEM, period=p, unit=cast.unit_a, item="2.1", day=date(2026, 8, 4)
    )
    for step in ("open_declaration", "start_review", "open_appeals"):
        services.take_step(p, step, actor=SYSTEM)
    return services.file_appeal(
        actor=cast.user_with(Role.HANDLER, cast.unit_a, username="appellant"),
        fact=fact,
        reason="甲镇已按期答复PC",
    )


def _ratings_period(cast: Cast) -> Any:
    """A composite (loudi-2009) period assessed by ``unit_a``, collecting."""
    return period(cast, status="collecting", unit=cast.unit_a, rulebook="loudi-2009")


def _peer_rating(cast: Cast) -> Rating:
    """``unit_a`` rates the department as a peer in a county composite period: its
    handlers are the rater; ``unit_b``'s are not."""
    p = period(cast, status="collecting", rulebook="loudi-2009")
    services.assign_raters(
        actor=SYSTEM,
        period=p,
        item="P",
        rater_unit=cast.unit_a,
        subjects=[Subject.objects.get(period=p, unit=cast.department)],
    )
    return Rating.objects.get(period=p)


def _scheme(cast: Cast) -> Any:
    return scheme(cast, unit=cast.unit_a)


pk = lambda obj: {"pk": obj.pk}  # noqa: E731
period_of = lambda obj: {"pk": obj.period_id}  # noqa: E731
title = lambda p: p.title  # noqa: E731

register(
    # Pages
    RouteCase(
        "assessment:period_list",
        OFFICE,
        make=_office_period("collecting"),
        marker=title,
        list_view=True,
    ),
    RouteCase("assessment:scheme_create", OFFICE, list_view=True),
    RouteCase(
        "assessment:period_create",
        OFFICE,
        make=_scheme,
        kwargs=pk,
        method="post",
        data=lambda s: {"title": "九月", "start": "2026-09-01", "end": "2026-09-30"},
        ok_status=302,
    ),
    RouteCase(
        "assessment:period_detail",
        OFFICE,
        make=_office_period("collecting"),
        kwargs=pk,
        marker=title,
    ),
    RouteCase(
        "assessment:period_step",
        OFFICE,
        make=_office_period("collecting"),
        kwargs=pk,
        method="post",
        data=lambda p: {"step": "refresh"},
        ok_status=302,
    ),
    RouteCase(
        "assessment:fact_list", OFFICE, make=_fact, kwargs=period_of, marker=lambda f: f.note
    ),
    RouteCase("assessment:fact_create", OFFICE, make=_office_period("collecting"), kwargs=pk),
    RouteCase(
        "assessment:what_if_page", OFFICE, make=_office_period("appeals"), kwargs=pk, marker=title
    ),
    RouteCase(
        "assessment:result_list",
        OFFICE,
        make=_office_period("published"),
        kwargs=pk,
        marker=title,
    ),
    RouteCase("assessment:result_xlsx", OFFICE, make=_office_period("published"), kwargs=pk),
    RouteCase("assessment:result_pdf", OFFICE, make=_office_period("published"), kwargs=pk),
    RouteCase(
        "assessment:unit_detail",
        OFFICE,
        make=_fact,
        kwargs=lambda f: {"pk": f.period_id, "unit_id": f.unit_id},
        marker=lambda f: f.note,
    ),
    RouteCase(
        "assessment:fact_step",
        OFFICE,
        make=_declared,
        kwargs=pk,
        method="post",
        data=lambda f: {"step": "accept", "reason": "属实"},
        ok_status=302,
    ),
    RouteCase(
        "assessment:appeal_create",
        Role.HANDLER,
        make=_contestable,
        kwargs=pk,
        method="post",
        data=lambda f: {"reason": "已按期答复"},
        ok_status=302,
    ),
    RouteCase(
        "assessment:appeal_step",
        OFFICE,
        make=_appeal,
        kwargs=pk,
        method="post",
        data=lambda a: {"step": "dismiss", "reason": "答复超期属实"},
        ok_status=302,
    ),
    RouteCase("assessment:fact_attachment", OFFICE, make=_attached, kwargs=pk),
    RouteCase("assessment:rating_list", OFFICE, make=_ratings_period, kwargs=pk, marker=title),
    RouteCase(
        "assessment:my_ratings",
        Role.HANDLER,
        make=_peer_rating,
        marker=lambda r: r.period.title,
        list_view=True,
    ),
    RouteCase(
        "assessment:rating_submit",
        Role.HANDLER,
        make=_peer_rating,
        kwargs=pk,
        method="post",
        data=lambda r: {"score": "800"},
        ok_status=302,
    ),
    # API
    RouteCase(
        "api:assessment_schemes",
        OFFICE,
        make=_scheme,
        marker=lambda s: s.rulebook_sha256,
        list_view=True,
        no_grant_status=200,
        **API,
    ),
    RouteCase(
        "api:assessment_periods",
        OFFICE,
        make=_office_period("collecting"),
        marker=lambda p: p.rulebook_sha256,
        list_view=True,
        no_grant_status=200,
        **API,
    ),
    RouteCase(
        "api:assessment_period",
        OFFICE,
        make=_office_period("collecting"),
        kwargs=pk,
        marker=lambda p: p.rulebook_sha256,
        **API,
    ),
    RouteCase(
        "api:assessment_period_step",
        OFFICE,
        make=_office_period("collecting"),
        kwargs=pk,
        method="post",
        data=lambda p: {"step": "refresh"},
        **API,
    ),
    RouteCase(
        "api:assessment_facts",
        OFFICE,
        make=_fact,
        kwargs=period_of,
        marker=lambda f: f.evidence,
        **API,
    ),
    RouteCase(
        "api:assessment_fact_create",
        OFFICE,
        make=_office_period("collecting"),
        kwargs=pk,
        method="post",
        data=lambda p: {
            "unit": p.subjects.get().unit_id,
            "item": "2.1",
            "date": "2026-08-05",
        },
        ok_status=201,
        **API,
    ),
    RouteCase(
        "api:assessment_fact_step",
        OFFICE,
        make=_declared,
        kwargs=pk,
        method="post",
        data=lambda f: {"step": "accept", "reason": "属实"},
        **API,
    ),
    RouteCase(
        "api:assessment_appeals",
        OFFICE,
        make=_appeal,
        kwargs=period_of,
        marker=lambda a: f'"fact": {a.fact_id}',
        **API,
    ),
    RouteCase(
        "api:assessment_appeal_create",
        Role.HANDLER,
        make=_contestable,
        kwargs=pk,
        method="post",
        data=lambda f: {"reason": "已按期答复"},
        ok_status=201,
        **API,
    ),
    RouteCase(
        "api:assessment_appeal_step",
        OFFICE,
        make=_appeal,
        kwargs=pk,
        method="post",
        data=lambda a: {"step": "dismiss", "reason": "答复超期属实"},
        **API,
    ),
    RouteCase(
        "api:assessment_results",
        OFFICE,
        make=_office_period("published"),
        kwargs=pk,
        marker=lambda p: '"final": true',
        **API,
    ),
    RouteCase(
        "api:assessment_ratings",
        Role.HANDLER,
        make=_peer_rating,
        marker=lambda r: f'"id": {r.pk}',
        list_view=True,
        no_grant_status=200,
        **API,
    ),
    RouteCase(
        "api:assessment_rating_submit",
        Role.HANDLER,
        make=_peer_rating,
        kwargs=pk,
        method="post",
        data=lambda r: {"score": 800},
        **API,
    ),
)
