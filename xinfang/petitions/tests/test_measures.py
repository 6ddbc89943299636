"""Service measures on hand-built data; the arithmetic is in the comments."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from xinfang.petitions import measures
from xinfang.petitions.models import MatterGroup, Petition
from xinfang.petitions.tests.conftest import People
from xinfang.petitions.tests.factories import make_petition, petitioner_proof
from xinfang.petitions.workflow import transition

pytestmark = pytest.mark.django_db

JUNE = (date(2026, 6, 1), date(2026, 6, 30))
ANSWER = {"outcome": "support", "facts": "属实", "reasons": "职责", "legal_basis": "条例"}


def test_percent_is_pure_and_empty_is_none() -> None:
    assert measures.percent(2, 3) == 66.67
    assert measures.percent(0, 0) is None
    assert measures.Ratio(1, 4).percent == 25.0


def _build(people: People) -> dict[str, Petition]:
    """Matters of unit_a (甲镇), all decided by unit_a itself."""
    h, lead = people.handler_a, people.leader_a
    m: dict[str, Petition] = {}
    with time_machine.travel("2026-06-30 10:00 +0800", tick=False):
        # M1: received 06-01 (notice due 06-16), accepted 06-05: timely; answered 06-20, due
        # 08-04: on time; rated 满意 on 06-22.
        p = make_petition(people.cast, received_on=date(2026, 6, 1))
        p = transition(p, "accepted", actor=h, today=date(2026, 6, 5))
        p = transition(p, "answered", actor=lead, today=date(2026, 6, 20), **ANSWER)
        m["M1"] = transition(
            p,
            "evaluated",
            actor=None,
            petitioner=petitioner_proof(p),
            today=date(2026, 6, 22),
            rating="satisfied",
        )
        # M2: received 05-01 (notice due 05-16), accepted 06-10: late; handle due in August.
        p = make_petition(people.cast, received_on=date(2026, 5, 1))
        m["M2"] = transition(p, "accepted", actor=h, today=date(2026, 6, 10))
        # M3: received 06-02, not accepted 06-03: timely.
        p = make_petition(people.cast, received_on=date(2026, 6, 2))
        m["M3"] = transition(p, "not_accepted", actor=h, reason="诉讼途径", today=date(2026, 6, 3))
        # M4: accepted 04-10 → handle due 06-09, never answered: due in June, not on time;
        # and a backlog case (running period ended before 06-30).
        p = make_petition(people.cast, received_on=date(2026, 4, 8))
        m["M4"] = transition(p, "accepted", actor=h, today=date(2026, 4, 10))
        # M5: accepted 04-02 → handle due 06-01; answered 06-15: answered in June, late;
        # rated 不满意 06-16.
        p = make_petition(people.cast, received_on=date(2026, 4, 1))
        p = transition(p, "accepted", actor=h, today=date(2026, 4, 2))
        p = transition(p, "answered", actor=lead, today=date(2026, 6, 15), **ANSWER)
        m["M5"] = transition(
            p,
            "evaluated",
            actor=None,
            petitioner=petitioner_proof(p),
            today=date(2026, 6, 16),
            rating="dissatisfied",
        )
        # M6: received 2015-01-10, never routed: backlog, aged ≥ 10 (and ≥ 5) years.
        m["M6"] = make_petition(people.cast, received_on=date(2015, 1, 10))
        # M7: received 06-25, same matter as M1 (a repeat), and the group reached the city.
        m["M7"] = make_petition(people.cast, received_on=date(2026, 6, 25))
        group = MatterGroup.objects.create()
        Petition.objects.filter(pk__in=[m["M1"].pk, m["M7"].pk]).update(group=group)
        Petition.objects.filter(pk=m["M7"].pk).update(level_reached="city")
        # A sibling township's matter must not count for unit_a.
        other = make_petition(people.cast, unit=people.cast.unit_b, received_on=date(2026, 6, 3))
        transition(other, "accepted", actor=people.handler_b, today=date(2026, 6, 30))
    return m


def test_unit_measures_on_hand_built_data(people: People) -> None:
    _build(people)
    result = measures.unit_measures(people.cast.unit_a, *JUNE, today=date(2026, 6, 30))
    # Timely acceptance: decisions in June = M1 (timely), M2 (late), M3 (timely) → 2/3.
    assert result.timely_acceptance == measures.Ratio(2, 3)
    assert result.timely_acceptance.percent == 66.67
    # On-time completion: answered in June M1 (on time) + M5 (late), due in June and
    # unanswered M4 → 1/3.
    assert result.on_time_completion == measures.Ratio(1, 3)
    # Satisfaction: M1 满意, M5 不满意 → 1/2.
    assert result.satisfaction == measures.Ratio(1, 2)
    # Backlog on 06-30: M4 (handle due 06-09) and M6 (route due 2015-01-26); M6 is ≥ 5 and
    # ≥ 10 years old (received 2015-01-10 ≤ 2016-06-30).
    assert result.backlog == measures.Backlog(total=2, over_5y=1, over_10y=1)
    # Repeat: M7 joined M1's group after it → 1. Escalated: received in June and in a group
    # that reached the city (above the township): M1 and M7 → 2.
    assert (result.repeat, result.escalated) == (1, 2)
    # The county (their parent) also counts the sibling's decision: received 06-03, notice
    # due 06-18, accepted 06-30 → late. 2 timely of 4.
    county = measures.unit_measures(people.cast.county, *JUNE, today=date(2026, 6, 30))
    assert county.timely_acceptance == measures.Ratio(2, 4)


def test_rate_facts_are_the_model_rulebook_rates(people: People) -> None:
    from xinfang.assessment.rulebook import SHIPPED_DIR, load_rulebook

    _build(people)
    m = measures.unit_measures(people.cast.unit_a, *JUNE, today=date(2026, 6, 30))
    rows = measures.fact_rows([m])
    assert [(r.key, r.value) for r in rows] == [
        ("petitions.rate.timely_acceptance", 66.67),
        ("petitions.rate.on_time_completion", 33.33),
        ("petitions.rate.satisfaction", 50.0),
    ]
    assert all(r.subject == f"U{people.cast.unit_a.pk}" and r.date == JUNE[1] for r in rows)
    book = load_rulebook(SHIPPED_DIR / "model-2022.yaml")
    mapping = {m.key: m.item for m in book.mapping}
    rate_codes = {i.code for _s, i in book.items() if i.kind == "rate"}
    assert {mapping[k] for k in measures.RATE_KEYS} == rate_codes == {"6.1", "6.2", "6.3"}


def test_export_facts_command_writes_engine_csv(people: People, tmp_path: Any) -> None:
    from xinfang.assessment.facts_csv import read_facts, read_subjects
    from xinfang.assessment.rulebook import SHIPPED_DIR, load_rulebook

    _build(people)
    people.cast.unit_a.category = "A"
    people.cast.unit_a.save()
    out, subjects = tmp_path / "facts.csv", tmp_path / "subjects.csv"
    stdout = io.StringIO()
    with time_machine.travel("2026-07-01 10:00 +0800", tick=False):
        call_command(
            "export_facts",
            "--from",
            "2026-06-01",
            "--to",
            "2026-06-30",
            "--out",
            str(out),
            "--subjects-out",
            str(subjects),
            stderr=stdout,
        )
    facts = read_facts(out)
    mapping = {m.key: m.item for m in load_rulebook(SHIPPED_DIR / "model-2022.yaml").mapping}
    # The process-duty facts come first: M4 and M5 answered late (2.1); M1 and M5 answered
    # without a delivery receipt or evidence (2.5); then the three rates.
    items = [mapping[k] for k in facts["item"].to_list()]
    assert items == ["2.1", "2.1", "2.5", "2.5", "6.1", "6.2", "6.3"]
    assert facts["value"].to_list()[4:] == [66.67, 33.33, 50.0]
    assert read_subjects(subjects)["subject"].to_list() == [f"U{people.cast.unit_a.pk}"]
    assert "7 条事实" in stdout.getvalue()
