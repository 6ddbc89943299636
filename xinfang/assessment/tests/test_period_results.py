"""A period's results are the engine's: equal to ``xinfang assess`` on its exported facts."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from xinfang.assessment import services
from xinfang.assessment.choices import FactStatus
from xinfang.assessment.collect import stored_json
from xinfang.assessment.models import Fact, Result
from xinfang.assessment.tests.platform import office, period, unit_leader
from xinfang.core.facts import unit_subject
from xinfang.core.workflow import SYSTEM
from xinfang.shell.testing import Cast

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _busy_period(cast: Cast) -> object:
    """A period with entered, declared-and-adjusted, rejected and appealed facts, a rate and
    a fact whose quantity is fractional."""
    p = period(cast, status="declaration")
    staff, leader = office(cast), unit_leader(cast)
    services.enter_fact(
        actor=staff, period=p, unit=cast.unit_b, item="2.1", day=date(2026, 8, 5), quantity=3
    )
    services.enter_fact(
        actor=staff,
        period=p,
        unit=cast.unit_b,
        item="petitions.rate.satisfaction",
        day=date(2026, 8, 31),
        value=72.456,
        note="回访满意率",
    )
    services.enter_fact(
        actor=staff,
        period=p,
        unit=cast.department,
        item="2.4",
        day=date(2026, 8, 9),
        quantity=1.333,
        note="  两件处理意见书缺复查途径  ",
    )
    declared = services.declare_fact(
        actor=leader, period=p, unit=cast.unit_a, item="1.1", day=date(2026, 8, 12), quantity=2
    )
    rejected = services.declare_fact(
        actor=leader, period=p, unit=cast.unit_a, item="3.1", day=date(2026, 8, 13)
    )
    services.take_step(p, "start_review", actor=staff)
    services.take_step(declared, "adjust", actor=staff, reason="核实一件", data={"quantity": 1})
    services.take_step(rejected, "reject", actor=staff, reason="已回访，有回访记录")
    services.take_step(p, "open_appeals", actor=staff)
    contested = Fact.objects.get(period=p, item="2.1")
    upheld = services.file_appeal(
        actor=cast.user_with("handler", cast.unit_b), fact=contested, reason="已按期答复"
    )
    services.take_step(upheld, "uphold", actor=staff, reason="答复记录在期限内")
    services.take_step(p, "close", actor=staff, reason="各单位已确认")
    return p


def test_closed_period_results_equal_assess_on_its_exported_facts(
    cast: Cast, tmp_path: Path
) -> None:
    p = _busy_period(cast)
    facts, subjects = tmp_path / "F.csv", tmp_path / "S.csv"
    call_command(
        "assessment",
        "facts",
        str(p.pk),
        "--out",
        str(facts),
        "--subjects",
        str(subjects),
        stderr=StringIO(),
    )
    expected = json.loads(
        _run("assess", "model-2022", "--facts", str(facts), "--subjects", str(subjects), "--json")
    )
    assert stored_json(p) == expected
    assert Result.objects.filter(period=p).count() == 3


def test_results_api_answers_the_same_subjects(cast: Cast, tmp_path: Path, client: object) -> None:
    p = _busy_period(cast)
    facts, subjects = tmp_path / "F.csv", tmp_path / "S.csv"
    call_command(
        "assessment",
        "facts",
        str(p.pk),
        "--out",
        str(facts),
        "--subjects",
        str(subjects),
        stderr=StringIO(),
    )
    expected = json.loads(
        _run("assess", "model-2022", "--facts", str(facts), "--subjects", str(subjects), "--json")
    )
    client.force_login(office(cast))  # type: ignore[attr-defined]
    body = client.get(f"/api/assessment/periods/{p.pk}/results").json()  # type: ignore[attr-defined]
    assert body["final"] is True
    assert {k: body[k] for k in expected} == expected


def test_struck_rejected_and_adjusted_facts_score_as_decided(cast: Cast) -> None:
    p = _busy_period(cast)
    by = {r.subject: r.data for r in Result.objects.filter(period=p)}
    a, b = by[unit_subject(cast.unit_a)], by[unit_subject(cast.unit_b)]
    # 1.1 adjusted to one case (1 point); 3.1 rejected; 2.1 struck by the upheld appeal.
    assert [line["item"] for line in a["lines"] if line["item"]] == ["1.1"]
    assert a["score"] == 99
    assert "2.1" not in [line["item"] for line in b["lines"]]
    statuses = set(Fact.objects.filter(period=p).values_list("status", flat=True))
    assert {FactStatus.ADJUSTED, FactStatus.REJECTED, FactStatus.STRUCK} <= statuses


def test_close_command_closes_a_period_in_its_appeals_as_the_system(cast: Cast) -> None:
    p = period(cast, status="appeals")
    out = json.loads(_run("assessment", "close", str(p.pk), "--reason", "提前结算"))
    p.refresh_from_db()
    assert p.status == "closed"
    assert out == stored_json(p)
    assert [s["subject"] for s in out["subjects"]] == [
        unit_subject(u) for u in (cast.unit_a, cast.unit_b, cast.department)
    ]


def test_system_close_before_the_appeal_deadline_needs_a_reason(cast: Cast) -> None:
    from xinfang.assessment.errors import ReasonMissing

    p = period(cast, status="appeals")
    with pytest.raises(ReasonMissing):
        services.take_step(p, "close", actor=SYSTEM)


def _without_lines(data: dict) -> dict:
    return {**data, "subjects": [{**s, "lines": []} for s in data["subjects"]]}


def test_the_database_sums_score_exactly_as_the_engine_on_the_facts(cast: Cast) -> None:
    from xinfang.assessment.collect import period_evaluation, sums_evaluation

    p = _busy_period(cast)
    # A duty key the rulebook maps, one it does not, next to item codes.
    for key, day in (("petitions.answer.late", 6), ("ledgers.report.late", 7)):
        Fact.objects.create(
            period=p,
            unit=cast.unit_a,
            subject=unit_subject(cast.unit_a),
            item=key,
            date=date(2026, 8, day),
            quantity=None,
            origin="derived",
            status=FactStatus.ACCEPTED,
        )
    full = period_evaluation(p).data
    assert any("忽略 1 条" in w for w in full["warnings"])
    assert sums_evaluation(p) == _without_lines(full)


def test_a_subjects_own_lines_equal_its_lines_in_the_whole_period(cast: Cast) -> None:
    from xinfang.assessment.collect import subject_lines
    from xinfang.assessment.models import Subject

    p = _busy_period(cast)
    for subject in Subject.objects.filter(period=p):
        stored = Result.objects.get(period=p, subject=subject.code).data["lines"]
        assert subject_lines(p, subject) == stored
