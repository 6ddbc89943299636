"""Process-duty facts of the model rulebook derived from the petition records.

Matters are built with the petitions services on frozen dates around the 2026 holidays
(Spring Festival 02-15…02-23, Labour Day 05-01…05-05, National Day 10-01…10-07 with the
make-up working days 09-20 and 10-10); every due date is the stored one the legal calendar
computed. A late duty is dated the day after its due date; a duty without a deadline the day
of the act that lacked it. The arithmetic is in the comments.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.assessment.rulebook import SHIPPED_DIR, load_rulebook
from xinfang.core import audit
from xinfang.core.facts import EXPORT_COLUMNS, Fact, FactWindow
from xinfang.core.models import AuditAction
from xinfang.core.personal_data import reveal
from xinfang.org.choices import Role
from xinfang.org.models import Unit
from xinfang.petitions.choices import Channel, Kind, Stage
from xinfang.petitions.facts import PETITION_KEYS, petition_facts
from xinfang.petitions.models import Answer, Extension, Petition, RouteHandover
from xinfang.petitions.services import (
    add_evidence,
    end_hearing,
    extend_handling,
    record_delivery,
    reveal_petitioner,
    start_hearing,
    submit_completion_report,
)
from xinfang.petitions.tests.conftest import People
from xinfang.petitions.tests.factories import (
    PetitionerDataFactory,
    make_petition,
    petitioner_proof,
    refresh,
)
from xinfang.petitions.workflow import transition

pytestmark = pytest.mark.django_db

ANSWER = {"outcome": "support", "facts": "属实", "reasons": "职责所在", "legal_basis": "条例"}


@contextmanager
def on(day: date) -> Iterator[None]:
    with time_machine.travel(f"{day.isoformat()} 10:00 +0800", tick=False):
        yield


def reg(people: People, day: date, unit: Unit | None = None, **kwargs: Any) -> Petition:
    with on(day):
        return make_petition(people.cast, unit=unit, received_on=day, **kwargs)


def step(p: Petition, to: str, actor: Any, day: date, **payload: Any) -> Petition:
    """``actor=None``: the petitioner's own step, with the portal's proof."""
    with on(day):
        proof = petitioner_proof(p) if actor is None else None
        return transition(p, to, actor=actor, petitioner=proof, today=day, **payload)


# The model rulebook's mapping: these tests name the facts by its item codes.
MODEL = {m.key: m.item for m in load_rulebook(SHIPPED_DIR / "model-2022.yaml").mapping}


def petition_fact_rows(start: date, end: date, *, today: date, subjects: list[Unit]) -> list[Fact]:
    return petition_facts(FactWindow.of(start, end, today), subjects)


def facts(item: str, start: date, end: date, today: date, *subjects: Unit) -> list[Fact]:
    rows = petition_fact_rows(start, end, today=today, subjects=list(subjects))
    return [r for r in rows if MODEL[r.key] == item]


def numbers(rows: list[Fact]) -> list[tuple[date, str]]:
    return [(r.date, r.note.split()[0].removeprefix("交办").removeprefix("检举控告")) for r in rows]


def num(p: Petition) -> str:
    return f"事项{p.number}"


def accepted(people: People, received: date, accept: date, unit: Unit | None = None) -> Petition:
    p = reg(people, received, unit)
    handler = people.handler_b if unit == people.cast.unit_b else people.handler_a
    return step(p, "accepted", handler, accept)


def test_every_duty_key_is_a_model_rulebook_item() -> None:
    book = load_rulebook(SHIPPED_DIR / "model-2022.yaml")
    codes = {item.code for section in book.sections for item in section.items}
    assert set(PETITION_KEYS) <= set(MODEL)
    assert set(MODEL.values()) == codes  # every model-2022 item is derived by some app


# ---------------------------------------------------------------------------------------
# 1.1 route within 15 days (Art. 22)


def test_route_late_counts_from_the_due_date_after_the_spring_festival(people: People) -> None:
    cast, registrar = people.cast, people.town_registrar
    # Received 02-01: 15 days → 02-16, inside the Spring Festival holiday → due 02-24 (Tue).
    in_time = reg(people, date(2026, 2, 1))
    late = reg(people, date(2026, 2, 1))
    assert in_time.route_due == date(2026, 2, 24)
    step(in_time, "routed", registrar, date(2026, 2, 24), to_unit=cast.village_a)
    step(late, "routed", registrar, date(2026, 2, 25), to_unit=cast.village_a)
    # Received 03-02, never routed: due 03-17, breached 03-18.
    idle = reg(people, date(2026, 3, 2))
    rows = facts("1.1", date(2026, 1, 1), date(2026, 3, 31), date(2026, 3, 31), cast.unit_a)
    assert numbers(rows) == [(date(2026, 2, 25), num(late)), (date(2026, 3, 18), num(idle))]
    assert rows[0].subject == f"U{cast.unit_a.pk}" and rows[0].quantity == 1
    assert "2026-02-24前" in rows[0].note and "2026-02-25转送交办" in rows[0].note
    # On its due day the idle matter is not yet late.
    rows = facts("1.1", date(2026, 1, 1), date(2026, 3, 31), date(2026, 3, 17), cast.unit_a)
    assert numbers(rows) == [(date(2026, 2, 25), num(late))]


def test_notes_name_matters_and_units_never_petitioners(people: People) -> None:
    p = reg(people, date(2026, 3, 2), petitioners=[PetitionerDataFactory(name="张三")])
    rows = facts("1.1", date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 31), people.cast.unit_a)
    assert [r.note.split()[0] for r in rows] == [num(p)]
    assert all("张三" not in r.note and "registrar" not in r.note for r in rows)


# ---------------------------------------------------------------------------------------
# 1.2 written notice within 15 days (Art. 23)


def test_notice_due_moved_past_national_day_is_met_on_the_first_working_day(
    people: People,
) -> None:
    cast, registrar, h = people.cast, people.town_registrar, people.handler_a
    routed = {}
    for name in ("on_time", "late", "undecided"):
        p = reg(people, date(2026, 9, 20))  # 09-20 is a make-up working Sunday
        routed[name] = step(p, "routed", registrar, date(2026, 9, 20), to_unit=cast.village_a)
    # Handed over 09-20: 15 days → 10-05 (National Day) → due 10-08 (Thu).
    assert routed["on_time"].notice_due == date(2026, 10, 8)
    step(routed["on_time"], "accepted", h, date(2026, 10, 8))
    step(routed["late"], "accepted", h, date(2026, 10, 9))
    # Decided by the registering unit itself, late: a 1.2 fact, not also a 1.1 fact.
    own = accepted(people, date(2026, 9, 20), date(2026, 10, 9))
    rows = facts("1.2", date(2026, 10, 1), date(2026, 10, 31), date(2026, 10, 31), cast.unit_a)
    assert sorted(numbers(rows)) == sorted(
        (date(2026, 10, 9), num(p)) for p in (routed["late"], routed["undecided"], own)
    )
    assert not facts("1.1", date(2026, 9, 1), date(2026, 10, 31), date(2026, 10, 31), cast.unit_a)


# ---------------------------------------------------------------------------------------
# 1.3 objection within 5 working days (Art. 23)


def test_objection_window_counts_working_days_across_national_day(people: People) -> None:
    cast, registrar = people.cast, people.town_registrar
    in_time = step(
        reg(people, date(2026, 9, 29)),
        "routed",
        registrar,
        date(2026, 9, 29),
        to_unit=cast.village_a,
    )
    late = step(
        reg(people, date(2026, 9, 29)),
        "routed",
        registrar,
        date(2026, 9, 29),
        to_unit=cast.village_a,
    )
    # Handed over 09-29 (Tue): working days 09-30, 10-08, 10-09, 10-10 (make-up Saturday),
    # 10-12 → due 10-12 (a naive 5 weekdays would say 10-06).
    assert in_time.objection_due == date(2026, 10, 12)
    step(in_time, "objected", people.handler_a, date(2026, 10, 12), reason="不属本单位职权")
    # The workflow refuses a late objection; imported data can still hold one.
    RouteHandover.objects.filter(petition=late).update(
        objected_on=date(2026, 10, 13), objection_reason="不属本单位职权"
    )
    rows = facts("1.3", date(2026, 10, 1), date(2026, 10, 31), date(2026, 10, 31), cast.unit_a)
    assert numbers(rows) == [(date(2026, 10, 13), num(late))]
    assert "2026-10-12前" in rows[0].note


# ---------------------------------------------------------------------------------------
# 2.1 answer within 60 days or the approved extension (Art. 34)


def test_answer_on_the_first_working_day_after_national_day_is_on_time(people: People) -> None:
    lead, cast = people.leader_a, people.cast
    on_time = accepted(people, date(2026, 8, 3), date(2026, 8, 4))
    late = accepted(people, date(2026, 8, 3), date(2026, 8, 4))
    unanswered = accepted(people, date(2026, 8, 3), date(2026, 8, 4))
    # Accepted 08-04: 60 days → 10-03 (National Day) → due 10-08.
    assert on_time.handle_due == date(2026, 10, 8)
    step(on_time, "answered", lead, date(2026, 10, 8), **ANSWER)
    step(late, "answered", lead, date(2026, 10, 9), **ANSWER)
    # Accepted 07-01, extended by 10 days: 70 days → 09-09 (Wed); answered that day.
    extended = accepted(people, date(2026, 6, 30), date(2026, 7, 1))
    with on(date(2026, 7, 10)):
        extend_handling(extended, actor=lead, days=10, reason="需要补充调查")
    extended = refresh(extended)
    assert extended.handle_due == date(2026, 9, 9)
    step(extended, "answered", lead, date(2026, 9, 9), **ANSWER)
    rows = facts("2.1", date(2026, 9, 1), date(2026, 10, 31), date(2026, 10, 31), cast.unit_a)
    assert sorted(numbers(rows)) == sorted(
        [(date(2026, 10, 9), num(late)), (date(2026, 10, 9), num(unanswered))]
    )
    # On the due day nothing is late yet.
    assert not facts("2.1", date(2026, 9, 1), date(2026, 10, 31), date(2026, 10, 8), cast.unit_a)


# ---------------------------------------------------------------------------------------
# 2.2 reason told, 2.3 approved by the unit head (Art. 34)


def test_extensions_not_told_or_not_approved(people: People) -> None:
    cast = people.cast
    by_service = accepted(people, date(2026, 6, 30), date(2026, 7, 1))
    with on(date(2026, 7, 10)):
        extend_handling(by_service, actor=people.leader_a, days=10, reason="需要补充调查")
    imported = accepted(people, date(2026, 6, 30), date(2026, 7, 1))
    Extension.objects.create(
        petition=imported,
        days=10,
        reason="需要补充调查",
        approved_by=people.handler_a,  # a handler, not the unit head
        approved_on=date(2026, 7, 10),
    )
    told = accepted(people, date(2026, 6, 30), date(2026, 7, 1))
    Extension.objects.create(
        petition=told,
        days=10,
        reason="需要补充调查",
        approved_by=people.county_leader,  # the head of a unit above: approved
        approved_on=date(2026, 7, 10),
    )
    with on(date(2026, 7, 11)):
        audit.record(
            actor=people.leader_a,
            action=AuditAction.EXPORT,
            obj=told,
            detail={"document": "延期办理告知书", "number": "甲延告〔2026〕1号"},
        )
    # Lengthened by 10 days with no extension record at all: the 60th day after 07-01 is
    # 08-30 (Sunday) → 08-31, so the unapproved days start 09-01.
    lengthened = accepted(people, date(2026, 6, 30), date(2026, 7, 1))
    Petition.objects.filter(pk=lengthened.pk).update(extension_days=10)
    window = (date(2026, 7, 1), date(2026, 9, 30), date(2026, 9, 30), cast.unit_a)
    assert numbers(facts("2.2", *window)) == [(date(2026, 7, 10), num(imported))]
    assert numbers(facts("2.3", *window)) == [
        (date(2026, 7, 10), num(imported)),
        (date(2026, 9, 1), num(lengthened)),
    ]


# ---------------------------------------------------------------------------------------
# 2.4 parts of the answer, 2.5 receipt / evidence / completion report (Art. 32)


def test_answer_missing_its_parts(people: People) -> None:
    cast, lead = people.cast, people.leader_a
    complete = accepted(people, date(2026, 3, 2), date(2026, 3, 3))
    step(complete, "answered", lead, date(2026, 3, 20), **ANSWER)
    imported = accepted(people, date(2026, 3, 2), date(2026, 3, 3))
    common = {"outcome": "support", "unit": cast.unit_a, "answered_by": lead}
    Answer.objects.create(
        petition=imported,
        stage=Stage.HANDLING,
        facts="属实",
        reasons="职责所在",
        legal_basis=" ",
        review_route="",
        answered_on=date(2026, 3, 20),
        **common,
    )
    # A final re-review opinion names no further review route: complete without one.
    final = accepted(people, date(2026, 3, 2), date(2026, 3, 3))
    Answer.objects.create(
        petition=final,
        stage=Stage.REREVIEW,
        facts="属实",
        reasons="职责所在",
        legal_basis="条例",
        review_route="",
        answered_on=date(2026, 3, 20),
        **common,
    )
    rows = facts("2.4", date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 31), cast.unit_a)
    assert numbers(rows) == [(date(2026, 3, 20), num(imported))]
    assert "依据、复查（复核）途径" in rows[0].note


def test_answer_without_receipt_or_evidence_and_late_completion_report(people: People) -> None:
    cast, lead, h = people.cast, people.leader_a, people.handler_a
    bare = accepted(people, date(2026, 3, 2), date(2026, 3, 3))
    step(bare, "answered", lead, date(2026, 3, 20), **ANSWER)
    documented = accepted(people, date(2026, 3, 2), date(2026, 3, 3))
    with on(date(2026, 3, 10)):
        add_evidence(documented, actor=h, description="现场核查记录")
    documented = step(refresh(documented), "answered", lead, date(2026, 3, 20), **ANSWER)
    with on(date(2026, 3, 22)):
        record_delivery(
            documented.answers.get(),
            actor=h,
            delivered_on=date(2026, 3, 22),
            method="直接送达",
            recipient="本人",
        )
    rows = facts("2.5", date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 31), cast.unit_a)
    assert numbers(rows) == [(date(2026, 3, 20), num(bare))]
    assert "送达回证、佐证材料" in rows[0].note
    # Assigned (交办) by the county with a completion report due 04-30.
    reports = {}
    for name in ("missing", "in_time"):
        p = reg(
            people,
            date(2026, 3, 2),
            channel=Channel.ASSIGNED,
            handed_down_by=cast.county,
            report_due=date(2026, 4, 30),
        )
        p = step(p, "accepted", h, date(2026, 3, 3))
        reports[name] = step(p, "answered", lead, date(2026, 4, 20), **ANSWER)
    assert reports["missing"].report_due == date(2026, 4, 30)
    with on(date(2026, 4, 28)):
        submit_completion_report(reports["in_time"], actor=lead, text="已办结")
    rows = facts("2.5", date(2026, 4, 1), date(2026, 5, 31), date(2026, 5, 31), cast.unit_a)
    late = [r for r in rows if "结案报告" in r.note]
    assert numbers(late) == [(date(2026, 5, 1), f"事项{reports['missing'].number}")]


# ---------------------------------------------------------------------------------------
# 3.1 required return visit (Art. 21)


def test_collective_visit_closed_without_return_visit(people: People) -> None:
    cast, lead, h = people.cast, people.leader_a, people.handler_a

    def answered_collective() -> Petition:
        p = reg(people, date(2026, 3, 2), channel=Channel.COLLECTIVE_VISIT, head_count=30)
        p = step(p, "accepted", h, date(2026, 3, 3))
        return step(p, "answered", lead, date(2026, 3, 20), **ANSWER)

    # Reviewed, then closed from "reviewed", which the workflow lets through unvisited.
    skipped = answered_collective()
    skipped = step(skipped, "review_requested", None, date(2026, 3, 25), reason="不服")
    skipped = step(skipped, "reviewed", people.county_leader, date(2026, 4, 10), **ANSWER)
    step(skipped, "closed", h, date(2026, 4, 15))
    visited = answered_collective()
    visited = step(visited, "evaluated", None, date(2026, 3, 25), rating="satisfied")
    step(visited, "closed", h, date(2026, 3, 26))
    # An ordinary letter needs no visit.
    letter = accepted(people, date(2026, 3, 2), date(2026, 3, 3))
    letter = step(letter, "answered", lead, date(2026, 3, 20), **ANSWER)
    step(letter, "closed", h, date(2026, 3, 21))
    rows = facts("3.1", date(2026, 3, 1), date(2026, 4, 30), date(2026, 4, 30), cast.unit_a)
    assert numbers(rows) == [(date(2026, 4, 15), num(skipped))]
    assert "集体访" in rows[0].note


# ---------------------------------------------------------------------------------------
# 4.1 review opinion within 30 days (Art. 35); 4.2 re-review, hearing days excluded (Art. 36)


def _answered_at_village(people: People, received: date, answered: date) -> Petition:
    """A matter handled by 甲村 (so 甲镇 reviews it and the county re-reviews it)."""
    p = reg(people, received, people.cast.village_a)
    p = step(p, "accepted", people.handler_a, received + (answered - received) // 4)
    return step(p, "answered", people.leader_a, answered, **ANSWER)


def test_review_opinion_due_moved_past_labour_day(people: People) -> None:
    cast, lead = people.cast, people.leader_a
    cases = {}
    for name in ("on_time", "late", "undecided"):
        p = _answered_at_village(people, date(2026, 3, 2), date(2026, 3, 20))
        cases[name] = step(p, "review_requested", None, date(2026, 4, 3), reason="不服")
    # Requested 04-03: 30 days → 05-03 (Labour Day) → due 05-06 (Wed).
    assert cases["on_time"].review_due == date(2026, 5, 6)
    step(cases["on_time"], "reviewed", lead, date(2026, 5, 6), **ANSWER)
    step(cases["late"], "reviewed", lead, date(2026, 5, 7), **ANSWER)
    window = (date(2026, 5, 1), date(2026, 5, 31), date(2026, 5, 31))
    rows = facts("4.1", *window, cast.unit_a)
    assert sorted(numbers(rows)) == sorted(
        (date(2026, 5, 7), num(cases[n])) for n in ("late", "undecided")
    )
    # The reviewing body is 甲镇: nothing falls on 甲村, which only handled the matter.
    assert not facts("4.1", *window, cast.village_a)


def test_rereview_hearing_days_are_not_counted(people: People) -> None:
    cast, county = people.cast, people.county_leader

    def rereview_requested() -> Petition:
        p = _answered_at_village(people, date(2025, 11, 3), date(2025, 11, 7))
        p = step(p, "review_requested", None, date(2025, 11, 10), reason="不服")
        p = step(p, "reviewed", people.leader_a, date(2025, 12, 10), **ANSWER)
        return step(p, "rereview_requested", None, date(2026, 1, 5), reason="仍不服")

    heard = {}
    for name in ("heard_on_time", "heard_late"):
        p = rereview_requested()
        with on(date(2026, 1, 10)):
            start_hearing(p, actor=county, started_on=date(2026, 1, 10))
        with on(date(2026, 1, 14)):
            end_hearing(refresh(p), actor=county, ended_on=date(2026, 1, 14))
        heard[name] = refresh(p)
    plain = rereview_requested()
    # Requested 01-05: 30 days → 02-04; the hearing 01-10…01-14 adds 5 days → 02-09 (Mon).
    assert plain.rereview_due == date(2026, 2, 4)
    assert heard["heard_on_time"].rereview_due == date(2026, 2, 9)
    step(heard["heard_on_time"], "final", county, date(2026, 2, 9), **ANSWER)
    step(heard["heard_late"], "final", county, date(2026, 2, 10), **ANSWER)
    step(plain, "final", county, date(2026, 2, 9), **ANSWER)
    rows = facts("4.2", date(2026, 2, 1), date(2026, 2, 28), date(2026, 2, 28), cast.county)
    assert sorted(numbers(rows)) == [
        (date(2026, 2, 5), num(plain)),
        (date(2026, 2, 10), num(heard["heard_late"])),
    ]
    assert any("听证5日不计入" in r.note for r in rows)


# ---------------------------------------------------------------------------------------
# 5.1 accusations never reach the accused; 5.2 confidential details (Art. 30)


def test_accusation_seen_inside_the_accused_unit(people: People) -> None:
    cast = people.cast
    # Against 乙镇, registered by the county office and routed to the discipline body.
    against_b = reg(
        people,
        date(2026, 3, 2),
        cast.county,
        actor=people.registrar,
        kind=Kind.ACCUSATION,
        accused_unit=cast.unit_b,
    )
    step(against_b, "routed", people.registrar, date(2026, 3, 2), to_unit=people.discipline)
    # A leak the scopes would never allow: a 乙镇 handler downloads the matter's document.
    with on(date(2026, 3, 10)):
        audit.record(
            actor=people.handler_b,
            action=AuditAction.EXPORT,
            obj=against_b,
            detail={"document": "信访事项处理意见书"},
        )
    # Against the county itself, handled by the county discipline body: its staff sit below
    # the county but are independent of it, so their work is no exposure.
    discipline_registrar = cast.user_with(Role.REGISTRAR, people.discipline, "dis-registrar")
    against_county = reg(
        people,
        date(2026, 3, 2),
        people.discipline,
        actor=discipline_registrar,
        kind=Kind.ACCUSATION,
        accused_unit=cast.county,
    )
    step(against_county, "accepted", people.discipline_handler, date(2026, 3, 3))
    window = (date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 31))
    rows = facts("5.1", *window, cast.county)
    assert numbers(rows) == [(date(2026, 3, 10), f"事项{against_b.number}")]
    assert "1次" in rows[0].note and "handler" not in rows[0].note
    # The fact falls on the body holding the matter (the discipline body, under the county).
    assert [r.subject for r in facts("5.1", *window, people.discipline)] == [
        f"U{people.discipline.pk}"
    ]


def test_confidential_petitioner_read_without_right(people: People) -> None:
    cast = people.cast
    secret = reg(
        people,
        date(2026, 3, 2),
        petitioners=[PetitionerDataFactory(name="李四", wants_confidentiality=True)],
    )
    open_ = reg(people, date(2026, 3, 2))
    person, other = secret.petitioners.get(), open_.petitioners.get()
    with on(date(2026, 3, 5)):  # the unit head of 甲镇, on the matter's chain: a right
        reveal_petitioner(person, actor=people.leader_a)
    with on(date(2026, 3, 6)):  # a 乙镇 handler, bypassing the check: no right
        reveal(person, "phone", actor=people.handler_b)
        reveal(other, "phone", actor=people.handler_b)  # not confidential: not this item
    window = (date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 31))
    rows = facts("5.2", *window, cast.unit_a, cast.unit_b)
    assert numbers(rows) == [(date(2026, 3, 6), num(secret))]
    assert rows[0].subject == f"U{cast.unit_b.pk}" and "乙镇" in rows[0].note
    assert "李四" not in rows[0].note and "handler" not in rows[0].note


# ---------------------------------------------------------------------------------------
# Queries, scope boundary, the command and the engine


def _breaches(people: People, n: int) -> None:
    """n matters breaching each of several duties in March 2026."""
    cast = people.cast
    for _ in range(n):
        reg(people, date(2026, 3, 2))  # 1.1
        p = reg(people, date(2026, 3, 2))
        step(p, "routed", people.town_registrar, date(2026, 3, 2), to_unit=cast.village_a)  # 1.2
        p = accepted(people, date(2026, 1, 5), date(2026, 1, 6))  # 2.1 (due 03-09)
        Extension.objects.create(
            petition=p,
            days=5,
            reason="",
            approved_by=people.handler_a,
            approved_on=date(2026, 3, 3),
        )  # 2.2, 2.3
        p = accepted(people, date(2026, 3, 2), date(2026, 3, 3))
        step(p, "answered", people.leader_a, date(2026, 3, 10), **ANSWER)  # 2.5
        secret = reg(
            people,
            date(2026, 3, 2),
            petitioners=[PetitionerDataFactory(wants_confidentiality=True)],
        )
        with on(date(2026, 3, 6)):
            reveal(secret.petitioners.get(), "phone", actor=people.handler_b)  # 5.2
        acc = reg(
            people,
            date(2026, 3, 2),
            cast.county,
            actor=people.registrar,
            kind=Kind.ACCUSATION,
            accused_unit=cast.unit_b,
        )
        with on(date(2026, 3, 10)):
            audit.record(actor=people.handler_b, action=AuditAction.EXPORT, obj=acc)  # 5.1


def test_query_count_does_not_grow_with_records_and_levels_do_not_matter(
    people: People, django_assert_max_num_queries: Any
) -> None:
    cast = people.cast
    subjects = [cast.county, cast.unit_a, cast.unit_b]
    args = (date(2026, 3, 1), date(2026, 3, 31))
    _breaches(people, 1)
    with CaptureQueriesContext(connection) as one:
        first = petition_fact_rows(*args, today=date(2026, 3, 31), subjects=subjects)
    _breaches(people, 3)
    with django_assert_max_num_queries(len(one.captured_queries)):
        rows = petition_fact_rows(*args, today=date(2026, 3, 31), subjects=subjects)
    assert len(one.captured_queries) <= 30  # 27 measured: one per item, six per audit item
    items = {MODEL[r.key] for r in first}
    assert {"1.1", "1.2", "2.1", "2.2", "2.3", "2.5", "5.1", "5.2"} <= items
    assert len(rows) == 4 * len(first)
    # Scope boundary: the level a matter reached changes no fact.
    Petition.objects.update(level_reached="province")
    again = petition_fact_rows(*args, today=date(2026, 3, 31), subjects=subjects)
    assert again == rows


def test_export_command_and_model_2022_scores(people: People, tmp_path: Any) -> None:
    """Build October 2026 with the services, export, assess; the scores by hand."""
    cast, h, lead = people.cast, people.handler_a, people.leader_a
    Unit.objects.filter(pk__in=[cast.unit_a.pk, cast.unit_b.pk]).update(category="A")
    leader_b = cast.user_with(Role.UNIT_LEADER, cast.unit_b, "leader-b")
    # 甲镇
    a1 = step(
        reg(people, date(2026, 9, 20)),
        "routed",
        people.town_registrar,
        date(2026, 9, 20),
        to_unit=cast.village_a,
    )
    step(a1, "accepted", h, date(2026, 10, 9))  # notice due 10-08 → 1.2 on 10-09
    accepted(people, date(2026, 8, 3), date(2026, 8, 4))  # handle due 10-08, unanswered → 2.1
    a3 = accepted(people, date(2026, 8, 3), date(2026, 8, 4))
    with on(date(2026, 8, 10)):
        add_evidence(a3, actor=h, description="走访记录")
    a3 = step(refresh(a3), "answered", lead, date(2026, 10, 8), **ANSWER)  # on time
    with on(date(2026, 10, 10)):
        record_delivery(
            a3.answers.get(),
            actor=h,
            delivered_on=date(2026, 10, 10),
            method="邮寄",
            recipient="本人",
        )
    secret = reg(
        people, date(2026, 10, 12), petitioners=[PetitionerDataFactory(wants_confidentiality=True)]
    )
    step(secret, "accepted", h, date(2026, 10, 12))  # timely
    # 乙镇
    b1 = accepted(people, date(2026, 8, 3), date(2026, 8, 4), cast.unit_b)
    step(b1, "answered", leader_b, date(2026, 10, 9), **ANSWER)  # late, no receipt/evidence
    with on(date(2026, 10, 12)):
        reveal(secret.petitioners.get(), "phone", actor=people.handler_b)  # 5.2 on 乙镇

    out = tmp_path / "facts.csv"
    with on(date(2026, 11, 2)):
        call_command(
            "export_facts",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
            "--out",
            str(out),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    sa, sb = f"U{cast.unit_a.pk}", f"U{cast.unit_b.pk}"
    lines = out.read_text("utf-8").splitlines()
    assert lines[0] == ",".join(EXPORT_COLUMNS)
    # The file carries duty keys; model-2022's mapping names them by its items.
    rows = [line.split(",") for line in lines[1:]]
    got = sorted((s, MODEL[k], *rest) for s, k, *rest in (r[:5] for r in rows))
    assert got == sorted(
        [
            (sa, "1.2", "2026-10-09", "1", ""),
            (sa, "2.1", "2026-10-09", "1", ""),
            # 6.1: decisions in October a1 (late), secret (timely) → 1/2 = 50 %.
            (sa, "6.1", "2026-10-31", "", "50"),
            # 6.2: a3 answered on time; the unanswered one was due in October → 1/2.
            (sa, "6.2", "2026-10-31", "", "50"),
            (sb, "2.1", "2026-10-09", "1", ""),
            (sb, "2.5", "2026-10-09", "1", ""),
            (sb, "5.2", "2026-10-12", "1", ""),
            # 6.2: b1 answered late → 0/1 = 0 %.
            (sb, "6.2", "2026-10-31", "", "0"),
        ]
    )
    stdout = io.StringIO()
    call_command("assess", "model-2022", "--facts", str(out), "--json", stdout=stdout)
    result = {s["subject"]: s for s in json.loads(stdout.getvalue())["subjects"]}
    # 甲镇: 1.2 −1, 2.1 −2; 6.1 ⌊95 − 50⌋ × 0.2 = 9 → cap 4; 6.2 ⌊90 − 50⌋ × 0.2 = 8 → cap 4.
    # 100 − 1 − 2 − 4 − 4 = 89 (良好).
    assert result[sa]["score"] == pytest.approx(89)
    assert result[sa]["grade"] == "良好"
    # 乙镇: 2.1 −2, 2.5 −0.5, 5.2 −5; 6.2 ⌊90 − 0⌋ × 0.2 = 18 → cap 4.
    # 100 − 2 − 0.5 − 5 − 4 = 88.5 (良好), ranked after 甲镇.
    assert result[sb]["score"] == pytest.approx(88.5)
    assert (result[sa]["rank"], result[sb]["rank"]) == (1, 2)
