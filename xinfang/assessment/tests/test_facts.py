"""The facts contract: one fact type, one subject code, documented duty keys, rulebook
mappings, and records → ``export_facts`` → ``assess`` for three shipped rulebooks."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from xinfang.assessment.check import check_rulebook
from xinfang.assessment.errors import RulebookSyntaxError
from xinfang.assessment.rulebook import SHIPPED_DIR, load_rulebook, shipped_names
from xinfang.core.facts import EXPORT_COLUMNS, duty_keys, providers, unit_subject
from xinfang.ledgers.tests.factories import ReportDueFactory, ScreeningRoundFactory
from xinfang.org.choices import Role
from xinfang.petitions.tests.factories import make_petition
from xinfang.petitions.workflow import transition
from xinfang.shell.testing import Cast
from xinfang.supervision import services as supervision

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
DOCS = Path(__file__).resolve().parents[3] / "docs" / "assessment.md"


def on(day: str) -> Any:
    return time_machine.travel(f"{day} 10:00 +0800", tick=False)


def october(cast: Cast) -> None:
    """甲镇 (category A) in October 2026, with one breach of each kind:

    * a matter received 08-03 and accepted 08-04, never answered: handling due 10-08 (60
      days, past National Day) → ``petitions.answer.late`` on 10-09, and the on-time
      completion rate of October 0/1 → ``petitions.rate.on_time_completion`` = 0;
    * a supervision notice on it issued 09-03, never answered: due 10-08 →
      ``supervision.notice.unanswered`` on 10-08;
    * the zero report due 10-03 16:00, never filed (missing after 24 h) →
      ``ledgers.zero_report.missing`` on 10-03;
    * the screening round due 10-15, never held → ``ledgers.screening.missing`` on 10-15.
    """
    cast.unit_a.category = "A"
    cast.unit_a.save()
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    with on("2026-08-03"):
        p = make_petition(cast, received_on=date(2026, 8, 3))
    with on("2026-08-04"):
        p = transition(p, "accepted", actor=handler, today=date(2026, 8, 4))
    with on("2026-09-03"):
        supervision.issue_notice(
            actor=cast.user_with(Role.SUPERVISOR, cast.county, "county-supervisor"),
            petition=p,
            supervising_unit=cast.county,
            reasons="进度缓慢",
            recommendation="建议实地核查",
        )
    ReportDueFactory(
        unit=cast.unit_a,
        due_at=datetime(2026, 10, 3, 16, 0, tzinfo=TZ),
        period_start=date(2026, 10, 3),
        period_end=date(2026, 10, 3),
    )
    ScreeningRoundFactory(
        unit=cast.unit_a,
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 15),
        due_date=date(2026, 10, 15),
    )


def export(tmp_path: Path, *extra: str) -> list[dict[str, str]]:
    out = tmp_path / "facts.csv"
    with on("2026-11-02"):
        call_command(
            "export_facts",
            "--from",
            "2026-10-01",
            "--to",
            "2026-10-31",
            "--out",
            str(out),
            *extra,
            stderr=io.StringIO(),
        )
    with out.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == EXPORT_COLUMNS
        return list(reader)


def assess(rulebook: str, facts: Path) -> dict[str, Any]:
    stdout = io.StringIO()
    call_command("assess", rulebook, "--facts", str(facts), "--json", stdout=stdout)
    return json.loads(stdout.getvalue())


# ---------------------------------------------------------------------------------------
# The contract


def test_a_unit_has_one_subject_code_whatever_the_provider(cast: Cast, tmp_path: Path) -> None:
    october(cast)
    rows = export(tmp_path)
    assert {r["source"] for r in rows} == {
        "petitions.facts",
        "petitions.measures",
        "supervision.facts",
        "ledgers.facts",
    }
    assert {r["subject"] for r in rows} == {f"U{cast.unit_a.pk}"} == {unit_subject(cast.unit_a)}
    # A unit given an administrative code is that code, in every provider's rows at once.
    cast.unit_a.admin_code = "339901001"
    cast.unit_a.save()
    assert {r["subject"] for r in export(tmp_path)} == {"339901001"}


def test_every_fact_names_its_record_as_evidence(cast: Cast, tmp_path: Path) -> None:
    october(cast)
    evidence = {r["item"]: r["evidence"] for r in export(tmp_path)}
    assert re.fullmatch(r"petitions\.Petition:\d+", evidence["petitions.answer.late"])
    assert re.fullmatch(
        r"supervision\.SupervisionNotice:\d+", evidence["supervision.notice.unanswered"]
    )
    assert re.fullmatch(r"ledgers\.ReportDue:\d+", evidence["ledgers.zero_report.missing"])
    assert re.fullmatch(r"ledgers\.ScreeningRound:\d+", evidence["ledgers.screening.missing"])
    assert evidence["petitions.rate.on_time_completion"] == f"org.Unit:{cast.unit_a.pk}"


def test_the_documented_duty_keys_are_exactly_the_registered_ones() -> None:
    text = DOCS.read_text("utf-8")
    section = text.split("## Duty keys", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", section, flags=re.MULTILINE))
    assert documented == set(duty_keys())
    assert {p.name for p in providers()} == {"grids", "ledgers", "petitions", "supervision"}


def test_providers_emit_only_their_registered_keys(cast: Cast, tmp_path: Path) -> None:
    october(cast)
    rows = export(tmp_path)
    registered = {p.name: set(p.keys) for p in providers()}
    for row in rows:
        assert row["item"] in registered[row["item"].split(".")[0]]
    assert {r["item"] for r in rows} == {
        "petitions.answer.late",
        "petitions.rate.on_time_completion",
        "supervision.notice.unanswered",
        "ledgers.zero_report.missing",
        "ledgers.screening.missing",
    }


@pytest.mark.parametrize("name", shipped_names())
def test_shipped_mappings_name_registered_keys_and_existing_items(name: str) -> None:
    book = load_rulebook(SHIPPED_DIR / f"{name}.yaml")
    assert {m.key for m in book.mapping} <= set(duty_keys())
    assert not [f for f in check_rulebook(book) if f.level == "error"]


# ---------------------------------------------------------------------------------------
# The mapping section


def _with_mapping(tmp_path: Path, entry: str) -> Path:
    text = (SHIPPED_DIR / "model-2022.yaml").read_text("utf-8")
    path = tmp_path / "book.yaml"
    path.write_text(text + f"  - {entry}\n", "utf-8")
    return path


def test_rulebook_check_refuses_a_mapping_to_a_missing_item(tmp_path: Path) -> None:
    path = _with_mapping(tmp_path, '{key: ledgers.meeting.missing, item: "9.9"}')
    stderr = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("rulebook", "check", str(path), stdout=io.StringIO(), stderr=stderr)
    assert exc.value.returncode == 1
    assert "ledgers.meeting.missing: mapping 指向不存在的考核项目 9.9" in stderr.getvalue()


def test_rulebook_check_refuses_a_rate_mapped_to_a_count_and_a_key_twice(tmp_path: Path) -> None:
    path = _with_mapping(tmp_path, '{key: petitions.rate.satisfaction, item: "3.1"}')
    findings = [str(f) for f in check_rulebook(load_rulebook(path)) if f.level == "error"]
    assert findings == [
        "[错误] petitions.rate.satisfaction: 职责键在 mapping 中重复 2 次",
        "[错误] petitions.rate.satisfaction: mapping 指向的 3.1 是 fixed 类项目，"
        "不能计比率（value 为百分数）",
    ]


def test_a_mapping_key_must_be_spelled_as_a_duty_key(tmp_path: Path) -> None:
    path = _with_mapping(tmp_path, '{key: "1.1", item: "1.1", colour: red}')
    with pytest.raises(RulebookSyntaxError) as exc:
        load_rulebook(path)
    problems = "\n".join(exc.value.problems)
    assert "不是职责键" in problems and "colour" in problems  # unknown keys refused too


def test_unmapped_keys_are_ignored_with_a_warning_and_unknown_items_still_fail(
    tmp_path: Path,
) -> None:
    facts = tmp_path / "facts.csv"
    facts.write_text(
        "subject,item,date,quantity,value,tags,note\n"
        "S1,petitions.answer.late,2026-10-09,1,,,\n"
        "S1,ledgers.meeting.missing,2026-10-09,1,,,\n"
        "S1,ledgers.meeting.missing,2026-10-16,1,,,\n"
        "S1,2.1,2026-10-10,1,,,\n",
        "utf-8",
    )
    result = assess("model-2022", facts)
    # 2.1 twice (mapped and entered): 100 − 2 × 2 = 96; the meetings are not model-2022's.
    assert result["subjects"][0]["score"] == pytest.approx(96)
    assert "忽略 2 条本细则未对应的职责事实：ledgers.meeting.missing×2" in result["warnings"]
    facts.write_text(
        "subject,item,date,quantity,value,tags,note\n"
        "S1,petitions.answer.late,2026-10-09,1,,,\n"
        "S1,9.9,2026-10-10,1,,,\n",
        "utf-8",
    )
    with pytest.raises(CommandError, match=r"第3行 item='9.9'.*中没有这个考核项目代码"):
        assess("model-2022", facts)


# ---------------------------------------------------------------------------------------
# End to end: records → export_facts → assess, worked by hand


def test_records_score_by_model_2022_edu_festival_and_xinfang_2023(
    cast: Cast, tmp_path: Path
) -> None:
    october(cast)
    export(tmp_path)
    facts = tmp_path / "facts.csv"
    subject = unit_subject(cast.unit_a)

    model = assess("model-2022", facts)
    (a,) = model["subjects"]
    # 2.1 answer late −2; 3.2 notice unanswered −2; 6.2 ⌊(90 − 0) / 1⌋ × 0.2 = 18 → cap 4.
    # 100 − 2 − 2 − 4 = 92 (优秀). The two ledger facts are not model-2022 duties.
    assert (a["subject"], a["score"], a["grade"]) == (subject, pytest.approx(92), "优秀")
    assert sorted(line["item"] for line in a["lines"] if line["points"] < 0) == [
        "2.1",
        "3.2",
        "6.2",
    ]
    assert any(w.startswith("忽略 2 条") for w in model["warnings"])

    edu = assess("edu-festival-2023", facts)
    (a,) = edu["subjects"]
    # 2.1 screening table not filed −2 (once); 4.2 daily report missed −1.
    # 100 − 2 − 1 = 97. Matters, rate and supervision are not in this rulebook (3 ignored).
    assert a["score"] == pytest.approx(97)
    assert any(w.startswith("忽略 3 条") for w in edu["warnings"])

    city = assess("xinfang-2023", facts)
    (a,) = city["subjects"]
    # 1.3a screening missing −0.03; 2.2b answer late −0.02; 4.5b supervision opinion not
    # carried out −0.02; 3.2b on-time completion against the average of the assessed units:
    # 甲镇 is the only one, so it is the average → 0. 2 − 0.03 − 0.02 − 0.02 = 1.93.
    # The zero report is not in this rulebook (1 ignored).
    assert a["score"] == pytest.approx(1.93)
    assert any(w.startswith("忽略 1 条") for w in city["warnings"])
