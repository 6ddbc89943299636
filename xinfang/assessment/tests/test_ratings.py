"""The Loudi composite on the platform (seed 004, fifth document, 四(三)1 and 四(四)1):
综合得分 = 指标考核得分×60% + 公众评议得分×30% + 内部评估得分×10% + 加减分, the internal
assessment being 领导评价 and 同级评价 at 50% each. The survey is run outside and entered by
the office with its results attached; leaders and peer units rate through forms, each
only the subjects assigned to them, anonymously to the rated unit."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from xinfang.assessment import services
from xinfang.assessment.choices import FactOrigin
from xinfang.assessment.errors import AssessmentInvalid, PhaseClosed
from xinfang.assessment.models import Period, Rating, Result, Subject
from xinfang.assessment.publication import ranking, results_xlsx
from xinfang.assessment.tests.platform import office, period
from xinfang.core.errors import NotFoundOrForbidden
from xinfang.core.models import AuditEntry
from xinfang.core.workflow import SYSTEM
from xinfang.org.choices import Role
from xinfang.shell.testing import Cast, sign_in

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    sign_in(c, user)
    return c


def _survey() -> SimpleUploadedFile:
    return SimpleUploadedFile("满意度调查结果.txt", "满意度调查汇总表".encode())


def _loudi(cast: Cast, status: str = "collecting") -> Period:
    """A county-level composite scheme (loudi-2009) over the cast's townships (category A),
    assessed by the county."""
    return period(cast, status=status, rulebook="loudi-2009", subject_category="A")


def _subject(p: Period, unit: Any) -> Subject:
    return Subject.objects.get(period=p, unit=unit)


class Raters:
    def __init__(self, cast: Cast) -> None:
        self.leader1 = cast.user_with(Role.UNIT_LEADER, cast.county, username="county-head")
        self.leader2 = cast.user_with(Role.UNIT_LEADER, cast.county, username="county-deputy")
        self.peer = cast.user_with(Role.HANDLER, cast.department, username="dept-handler")


def _assign(cast: Cast, p: Period, r: Raters) -> None:
    both = [_subject(p, cast.unit_a), _subject(p, cast.unit_b)]
    for leader in (r.leader1, r.leader2):
        services.assign_raters(
            actor=office(cast),
            period=p,
            item="L",
            rater_unit=cast.county,
            rater_user=leader,
            subjects=both,
        )
    services.assign_raters(
        actor=office(cast), period=p, item="P", rater_unit=cast.department, subjects=both
    )


def _rating(p: Period, unit: Any, item: str, user: Any = None) -> Rating:
    return Rating.objects.get(period=p, subject__unit=unit, item=item, rater_user=user)


def _rated_period(cast: Cast) -> tuple[Period, Raters]:
    """甲镇: 指标考核 800 and 公众评议 700 entered by the office; leaders rate 900 and 800,
    the peer department 600. 乙镇: 指标考核 600, 公众评议 900; only the peer rates it (500)."""
    p = _loudi(cast)
    r = Raters(cast)
    _assign(cast, p, r)
    for unit, indicator, survey in ((cast.unit_a, 800, 700), (cast.unit_b, 600, 900)):
        for item, value, evidence, attachment in (
            ("I", indicator, "绩效评估指标考核汇总", None),
            ("S", survey, "公众评议满意度调查", _survey()),
        ):
            services.enter_fact(
                actor=office(cast),
                period=p,
                unit=unit,
                item=item,
                day=date(2026, 8, 31),
                value=value,
                evidence=evidence,
                attachment=attachment,
            )
    services.submit_rating(
        actor=r.leader1, rating=_rating(p, cast.unit_a, "L", r.leader1), score=900
    )
    services.submit_rating(
        actor=r.leader2, rating=_rating(p, cast.unit_a, "L", r.leader2), score=800
    )
    services.submit_rating(actor=r.peer, rating=_rating(p, cast.unit_a, "P"), score=600)
    services.submit_rating(actor=r.peer, rating=_rating(p, cast.unit_b, "P"), score=500)
    return p, r


STEPS = {  # the step that leaves each status
    "collecting": "open_declaration",
    "declaration": "start_review",
    "review": "open_appeals",
    "appeals": "close",
    "closed": "publish",
}


def _to(p: Period, last: str) -> None:
    """Take the period's steps from where it stands up to ``last``."""
    while True:
        step = STEPS[p.status]
        services.take_step(p, step, actor=SYSTEM, reason="测试")
        if step == last:
            return


def test_the_composite_weighs_indicators_survey_and_the_means_of_the_ratings(cast: Cast) -> None:
    p, _r = _rated_period(cast)
    _to(p, "close")
    a = Result.objects.get(period=p, unit=cast.unit_a)
    b = Result.objects.get(period=p, unit=cast.unit_b)
    # 甲镇: 800×0.6 + 700×0.3 + (900+800)/2×0.05 + 600×0.05 = 480 + 210 + 42.5 + 30 = 762.5
    assert a.score == pytest.approx(762.5)
    # 乙镇: 600×0.6 + 900×0.3 + (no leader rating: 0) + 500×0.05 = 360 + 270 + 0 + 25 = 655
    assert b.score == pytest.approx(655)
    # Both ≥ 600 are qualified; the 30 % quota of two units is ⌊0.6⌋ = 0 advanced seats.
    assert a.data["grade"] == "合格" and b.data["grade"] == "合格"
    why = " ".join(line["why"] for line in a.data["lines"] if line["item"] == "L")
    assert "得分 850 × 权重 0.05" in why


def test_ratings_become_one_fact_per_part_when_the_review_opens(cast: Cast) -> None:
    p, _r = _rated_period(cast)
    _to(p, "open_declaration")
    assert not p.facts.filter(origin=FactOrigin.RATED).exists()  # nothing shown while rating
    _to(p, "start_review")
    rated = {(f.subject, f.item): f for f in p.facts.filter(origin=FactOrigin.RATED)}
    a = _subject(p, cast.unit_a).code
    assert rated[(a, "L")].value == 850 and "2份评分的平均分（分配2份）" in rated[(a, "L")].note
    assert rated[(a, "P")].value == 600
    b = _subject(p, cast.unit_b).code
    assert (b, "L") not in rated  # assigned but never rated: the part scores 0
    step = p.timeline.filter(step="start_review").get()
    assert step.data["ratings"] == 4 and step.data["ratings_assigned"] == 6


def test_a_rater_sees_and_rates_only_the_subjects_assigned_to_them(cast: Cast) -> None:
    p = _loudi(cast)
    r = Raters(cast)
    services.assign_raters(
        actor=office(cast),
        period=p,
        item="L",
        rater_unit=cast.county,
        rater_user=r.leader1,
        subjects=[_subject(p, cast.unit_a)],
    )
    services.assign_raters(
        actor=office(cast),
        period=p,
        item="L",
        rater_unit=cast.county,
        rater_user=r.leader2,
        subjects=[_subject(p, cast.unit_b)],
    )
    page = _client(r.leader1).get(reverse("assessment:my_ratings"))
    assert [x.subject.unit for x in page.context["ratings"]] == [cast.unit_a]
    others = _rating(p, cast.unit_b, "L", r.leader2)
    post = _client(r.leader1).post(
        reverse("assessment:rating_submit", args=[others.pk]), {"score": 1}
    )
    assert post.status_code == 404
    with pytest.raises(NotFoundOrForbidden):
        services.submit_rating(actor=r.leader1, rating=others, score=1)
    # The rated unit's own leader is no rater of anything here.
    own = cast.user_with(Role.UNIT_LEADER, cast.unit_b, username="leader-b")
    assert list(_client(own).get(reverse("assessment:my_ratings")).context["ratings"]) == []
    ok = _client(r.leader1).post(
        reverse("assessment:rating_submit", args=[_rating(p, cast.unit_a, "L", r.leader1).pk]),
        {"score": "910.5"},
    )
    assert ok.status_code == 302
    assert _rating(p, cast.unit_a, "L", r.leader1).score == 910.5


def test_ratings_survive_the_facts_being_collected_again(cast: Cast) -> None:
    p, _r = _rated_period(cast)
    before = {(x.subject_id, x.item, x.rater_user_id, x.score) for x in Rating.objects.all()}
    services.take_step(p, "refresh", actor=SYSTEM)  # the nightly job does the same
    after = {(x.subject_id, x.item, x.rater_user_id, x.score) for x in Rating.objects.all()}
    assert after == before and len(after) == 6


def test_rating_closes_at_the_declaration_deadline_and_when_the_review_opens(cast: Cast) -> None:
    p = _loudi(cast)
    r = Raters(cast)
    _assign(cast, p, r)
    rating = _rating(p, cast.unit_a, "P")
    _to(p, "open_declaration")
    p.refresh_from_db()
    assert p.declaration_due is not None
    late = p.declaration_due + timedelta(days=1)
    with time_machine.travel(late, tick=False), pytest.raises(PhaseClosed, match="评分已于"):
        services.submit_rating(actor=r.peer, rating=rating, score=700)
    services.submit_rating(actor=r.peer, rating=rating, score=700)  # on time, changeable
    services.submit_rating(actor=r.peer, rating=rating, score=720)
    _to(p, "start_review")
    with pytest.raises(PhaseClosed):
        services.submit_rating(actor=r.peer, rating=rating, score=100)
    with pytest.raises(PhaseClosed):
        services.assign_raters(
            actor=office(cast),
            period=p,
            item="P",
            rater_unit=cast.department,
            subjects=[_subject(p, cast.unit_b)],
        )


def test_a_rating_is_within_the_part_scale_and_every_change_is_audited(cast: Cast) -> None:
    p = _loudi(cast)
    r = Raters(cast)
    _assign(cast, p, r)
    rating = _rating(p, cast.unit_a, "P")
    for bad in (None, -1, 1000.5):
        with pytest.raises(AssessmentInvalid, match="评分须在 0–1000 分之间"):
            services.submit_rating(actor=r.peer, rating=rating, score=bad)
    services.submit_rating(actor=r.peer, rating=rating, score=640)
    entries = AuditEntry.objects.filter(object_type__endswith="rating", object_id=str(rating.pk))
    assert entries.filter(action="create").count() == 1  # the assignment
    assert entries.filter(action="change").get().after == {"score": 640}


def test_who_may_be_assigned(cast: Cast) -> None:
    p = _loudi(cast)
    handler = cast.user_with(Role.HANDLER, cast.county, username="county-handler")
    a = _subject(p, cast.unit_a)
    with pytest.raises(AssessmentInvalid, match="须由对测试县有领导权限的领导评分"):
        services.assign_raters(
            actor=office(cast),
            period=p,
            item="L",
            rater_unit=cast.county,
            rater_user=handler,
            subjects=[a],
        )
    with pytest.raises(AssessmentInvalid, match="不能评价本单位"):
        services.assign_raters(
            actor=office(cast), period=p, item="P", rater_unit=cast.village_a, subjects=[a]
        )
    with pytest.raises(AssessmentInvalid, match="没有由评分表评分的项目 I"):
        services.assign_raters(
            actor=office(cast), period=p, item="I", rater_unit=cast.department, subjects=[a]
        )
    with pytest.raises(NotFoundOrForbidden):
        services.assign_raters(
            actor=handler, period=p, item="P", rater_unit=cast.department, subjects=[a]
        )


def test_the_survey_comes_with_its_material_and_ratings_are_never_entered_by_hand(
    cast: Cast,
) -> None:
    p = _loudi(cast)
    kw = {"actor": office(cast), "period": p, "unit": cast.unit_a, "day": date(2026, 8, 31)}
    with pytest.raises(AssessmentInvalid, match="须附调查结果材料"):
        services.enter_fact(item="S", value=700, **kw)
    with pytest.raises(AssessmentInvalid, match="由评分表汇总，不能直接录入"):
        services.enter_fact(item="L", value=900, **kw)
    with pytest.raises(AssessmentInvalid, match="须填写得分"):
        services.enter_fact(item="I", **kw)


def test_the_rated_unit_sees_the_means_never_who_rated_what(cast: Cast) -> None:
    p, _r = _rated_period(cast)
    _to(p, "open_appeals")
    unit_leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a, username="leader-a")
    c = _client(unit_leader)
    body = c.get(reverse("assessment:unit_detail", args=[p.pk, cast.unit_a.pk])).content.decode()
    assert "2份评分的平均分" in body and 'id="composite"' in body
    for hidden in ("county-head", "county-deputy", "dept-handler", "900", "测试县自然资源局"):
        assert hidden not in body
    assert c.get(reverse("assessment:rating_list", args=[p.pk])).status_code in (403, 404)


def test_the_office_sees_completion_never_a_score(cast: Cast) -> None:
    p, _r = _rated_period(cast)
    page = _client(office(cast)).get(reverse("assessment:rating_list", args=[p.pk]))
    body = page.content.decode()
    rows = {(x.item, x.rater): (x.assigned, x.rated) for x in page.context["progress"]}
    assert rows[("L", "测试县 county-head")] == (2, 1)
    assert rows[("P", "测试县自然资源局")] == (2, 2)
    for score in ("900", "600", "500"):
        assert score not in body


def test_the_office_assigns_raters_on_its_page(cast: Cast) -> None:
    p = _loudi(cast)
    r = Raters(cast)
    c = _client(office(cast))
    page = c.get(reverse("assessment:rating_list", args=[p.pk]))
    choices = dict(page.context["parts"][0][2])  # L: the leaders on or above the county
    grant = next(v for v, label in choices.items() if label.endswith("county-head"))
    a, b = _subject(p, cast.unit_a), _subject(p, cast.unit_b)
    c.post(
        reverse("assessment:rating_list", args=[p.pk]),
        {"item": "L", "rater": grant, "subjects": [a.pk, b.pk]},
    )
    assert Rating.objects.filter(period=p, rater_user=r.leader1, item="L").count() == 2
    peers = dict(page.context["parts"][1][2])
    assert "测试县自然资源局" in peers.values() and "甲镇" not in peers.values()


def test_results_page_xlsx_and_api_explain_every_component(cast: Cast) -> None:
    p, _r = _rated_period(cast)
    _to(p, "publish")
    table = ranking(p)
    assert [code for code, _t in table.components] == ["I", "S", "L", "P"]
    row = next(x for x in table.categories["A"] if x.unit_id == cast.unit_a.pk)
    assert row.components == [480, 210, 42.5, 30]
    sheet = openpyxl.load_workbook(io.BytesIO(results_xlsx(p))).active
    header = [c.value for c in sheet[3]]
    assert "L 内部评估：领导评价得分×0.05" in header
    values = dict(zip(header, [c.value for c in sheet[4]], strict=True))
    assert values["L 内部评估：领导评价得分×0.05"] == 42.5 and values["总分"] == 762.5
    page = _client(office(cast)).get(reverse("assessment:result_list", args=[p.pk]))
    assert "P 内部评估：同级评价得分×0.05" in page.content.decode()
    parts = (
        _client(office(cast)).get(f"/api/assessment/periods/{p.pk}/results").json()["components"]
    )
    a = _subject(p, cast.unit_a).code
    by_item = {c["item"]: c for c in parts[a]}
    assert by_item["L"]["score"] == 850 and by_item["L"]["points"] == 42.5
    assert by_item["L"]["basis"] == "2份评分的平均分（分配2份）"  # not the title again
    assert by_item["S"]["basis"] == "公众评议调查结果（附调查材料）"


def test_a_rater_lists_only_their_own_assignments_through_the_api(cast: Cast) -> None:
    p = _loudi(cast)
    r = Raters(cast)
    _assign(cast, p, r)
    services.submit_rating(
        actor=r.leader2, rating=_rating(p, cast.unit_a, "L", r.leader2), score=800
    )
    peer = _client(r.peer).get("/api/assessment/ratings/").json()
    assert [(x["item"], x["subject_name"], x["score"], x["open"]) for x in peer] == [
        ("P", "甲镇", None, True),
        ("P", "乙镇", None, True),
    ]
    assert peer[0]["max"] == 1000 and peer[0]["kind"] == "peers"
    # A leader rates in person: their own two, never the other leader's (nor its score).
    mine = _client(r.leader1).get("/api/assessment/ratings/").json()
    leaders = {x["id"]: x["score"] for x in mine if x["item"] == "L"}
    assert leaders == {_rating(p, u, "L", r.leader1).pk: None for u in (cast.unit_a, cast.unit_b)}
    # The rated unit and the office are no raters: nothing to list, no score to read.
    unit_a = cast.user_with(Role.UNIT_LEADER, cast.unit_a, username="leader-a")
    assert _client(unit_a).get("/api/assessment/ratings/").json() == []
    assert _client(office(cast)).get("/api/assessment/ratings/").json() == []


def test_a_rater_scores_through_the_api_by_the_rules_of_the_page(cast: Cast) -> None:
    p = _loudi(cast)
    r = Raters(cast)
    _assign(cast, p, r)
    rating = _rating(p, cast.unit_a, "P")
    c = _client(r.peer)
    done = c.post(f"/api/assessment/ratings/{rating.pk}", {"score": 650}, "application/json")
    assert done.status_code == 200 and done.json()["score"] == 650
    entries = AuditEntry.objects.filter(object_type__endswith="rating", object_id=str(rating.pk))
    assert entries.filter(action="change").get().after == {"score": 650}
    # Someone else's rating is not found; a score off the part's scale is refused.
    other = _rating(p, cast.unit_a, "L", r.leader1)
    refused = c.post(f"/api/assessment/ratings/{other.pk}", {"score": 650}, "application/json")
    assert refused.status_code == 404
    off = c.post(f"/api/assessment/ratings/{rating.pk}", {"score": 1001}, "application/json")
    assert off.status_code == 400 and "0–1000" in off.json()["detail"]
    # After the declaration deadline the rating is shown closed and refused.
    _to(p, "open_declaration")
    p.refresh_from_db()
    assert p.declaration_due is not None
    with time_machine.travel(p.declaration_due + timedelta(days=1), tick=False):
        c = _client(r.peer)  # signed in again: the session of the first day has expired
        listed = c.get("/api/assessment/ratings/").json()
        late = c.post(f"/api/assessment/ratings/{rating.pk}", {"score": 700}, "application/json")
    assert [x["open"] for x in listed if x["id"] == rating.pk] == [False]
    assert late.status_code == 400 and "评分已于" in late.json()["detail"]
    assert Rating.objects.get(pk=rating.pk).score == 650


def test_the_rater_api_is_in_the_openapi_schema() -> None:
    paths = Client().get("/api/schema/").json()["paths"]
    assert "get" in paths["/api/assessment/ratings/"]
    submit = paths["/api/assessment/ratings/{pk}"]["post"]
    assert {"200", "404"} <= set(submit["responses"])
