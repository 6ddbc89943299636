"""Every rule kind of the format, on a small rulebook written for the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from xinfang.assessment.errors import FactsInvalid
from xinfang.assessment.rulebook import load_rulebook
from xinfang.assessment.tests.helpers import by_subject, fact, run

KINDS_YAML = """
rulebook: kinds
version: "1"
title: 规则种类测试
source: test
subjects: test
period: {kind: annual, description: test}
total: 30
floor: 0
sections:
  - code: "1"
    title: 扣分节
    mode: deduct
    max: 10
    groups:
      - {code: g, title: 组, max: 3}
    items:
      - {code: fx, title: 固定, points: 1, allowance: 2}
      - {code: rg, title: 区间, kind: range, min: 1, max: 4}
      - {code: en, title: 录入, kind: entered}
      - {code: o1, title: 只计一次, points: 2, once: true, group: g}
      - {code: wg, title: 整组不得分, kind: whole_group, once: true, group: g}
      - {code: cp, title: 封顶, points: 1, cap: 2}
      - {code: rt, title: 固定目标率, kind: rate, target: 90, per_point: 0.5, step: 2}
  - code: "2"
    title: 加分节
    mode: award
    max: 20
    items:
      - {code: aw, title: 评定, kind: awarded, points: 15}
      - {code: bo, title: 加分, points: 4}
  - code: x
    title: 否决
    mode: record
    items:
      - {code: vf, title: 否决, kind: veto, veto: {effect: fail, label: 不合格}}
grades:
  - {min: 25, label: 好}
  - {min: 0, label: 差, qualified: false}
"""


@pytest.fixture(scope="module")
def kinds(tmp_path_factory: pytest.TempPathFactory):
    path: Path = tmp_path_factory.mktemp("rb") / "kinds.yaml"
    path.write_text(KINDS_YAML, encoding="utf-8")
    return load_rulebook(path)


def score(kinds, rows, **kw):
    return by_subject(run(kinds, rows, **kw))


def test_allowance_first_two_free(kinds) -> None:
    r = score(kinds, [fact("a", "fx", quantity=3), fact("a", "fx", "2023-02-01", quantity=1)])
    assert r["a"]["sections"]["1"] == 8  # 4 occurrences, 2 free: 10 − 2
    lines = [ln for ln in r["a"]["lines"] if ln["item"] == "fx"]
    assert [ln["points"] for ln in lines] == [-1, -1] and "前 2 次不扣分" in lines[0]["why"]


def test_range_entered_and_cap(kinds) -> None:
    rows = [
        fact("a", "rg", quantity=2, value=1.5),
        fact("a", "en", value=0.5),
        fact("a", "cp", quantity=5),
    ]
    # 2 × 1.5 + 0.5 + min(5, 2) = 5.5
    assert score(kinds, rows)["a"]["sections"]["1"] == 4.5


def test_once_and_whole_group_within_group_max(kinds) -> None:
    r = score(kinds, [fact("a", "o1"), fact("a", "o1")])
    assert r["a"]["sections"]["1"] == 8  # once: 2
    r = score(kinds, [fact("a", "o1"), fact("a", "wg")])
    assert r["a"]["sections"]["1"] == 7  # 2 + 3 = 5 > group max 3


def test_rate_against_fixed_target_counts_whole_steps(kinds) -> None:
    # 90 − 85 = 5 points = 2 whole steps of 2 → 2 × 0.5 = 1
    assert score(kinds, [fact("a", "rt", value=85)])["a"]["sections"]["1"] == 9
    assert score(kinds, [fact("a", "rt", value=95)])["a"]["sections"]["1"] == 10


def test_award_section_capped_and_awarded_item_capped(kinds) -> None:
    r = score(
        kinds, [fact("a", "aw", value=15), fact("a", "aw", value=5), fact("a", "bo", quantity=3)]
    )
    assert r["a"]["sections"]["2"] == 20  # min(15 (item cap) + 12, 20)


def test_veto_fails_whatever_the_score_and_grade_follows(kinds) -> None:
    r = score(kinds, [fact("a", "vf"), fact("a", "aw", value=15), fact("b", "aw", value=15)])
    assert r["a"]["score"] == 25 and not r["a"]["qualified"] and r["a"]["grade"] == "差"
    assert r["b"]["qualified"] and r["b"]["grade"] == "好"


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (fact("a", "zz"), "item", "没有这个考核项目代码"),
        (fact("a", "rg", value=5), "value", "超出"),
        (fact("a", "rg"), "value", "必须填写"),
        (fact("a", "fx", value=1), "value", "留空"),
        (fact("a", "fx", quantity=0), "quantity", "大于0"),
        (fact("a", "fx", tags="2a"), "tags", "标签"),
        (fact("a", "rt", value=120), "value", "超出"),
    ],
)
def test_bad_facts_are_refused_with_row_and_value(kinds, row, column, reason) -> None:
    with pytest.raises(FactsInvalid) as exc:
        run(kinds, [fact("a", "fx"), row])
    assert exc.value.row == 3 and exc.value.column == column and reason in exc.value.reason


def test_nested_derived_subjects_and_unknown_line(kinds) -> None:
    rows = [fact("a", "aw", value=10), fact("b", "aw", value=6)]
    subjects = [
        ("a", "甲", None, None),
        ("b", "乙", None, None),
        ("c", "丙", None, None),
        ("L1", "分管1", None, "a;b"),
        ("L2", "总负责", None, "L1;c"),
    ]
    r = score(kinds, rows, subjects=subjects)
    assert r["a"]["score"] == 20 and r["b"]["score"] == 16 and r["c"]["score"] == 10
    assert r["L1"]["score"] == 18  # (20 + 16) / 2
    assert r["L2"]["score"] == 14  # (18 + 10) / 2
    with pytest.raises(FactsInvalid, match="分管条线"):
        run(
            kinds,
            rows,
            [("a", "甲", None, None), ("b", "乙", None, None), ("L", "x", None, "a;zz")],
        )
    with pytest.raises(FactsInvalid, match="考核对象表中没有"):
        run(kinds, [*rows, fact("q", "fx")], [("a", "甲", None, None), ("b", "乙", None, None)])


def test_period_filter_ignores_facts_outside(kinds) -> None:
    rows = [fact("a", "cp", "2023-01-01"), fact("a", "cp", "2024-01-01")]
    assert score(kinds, rows, period=("2023-01-01", "2023-12-31"))["a"]["sections"]["1"] == 9


def test_lines_add_up_to_the_score(kinds) -> None:
    rows = [
        fact("a", "fx", quantity=20),
        fact("a", "aw", value=15),
        fact("a", "bo", quantity=9),
        fact("a", "rt", value=10),
    ]
    r = score(kinds, rows)["a"]
    assert sum(ln["points"] for ln in r["lines"]) == pytest.approx(r["score"])


def test_category_item_refused_for_other_category() -> None:
    with pytest.raises(FactsInvalid, match="不适用于该考核对象的类别"):
        run("shenzhen-2003", [fact("c", "1.4a", value=1)], [("c", "民政局", "C", None)])


FLOOR_YAML = """
rulebook: floor
version: "1"
title: 逐项下限测试
source: test
subjects: test
period: {kind: annual, description: test}
total: 100
sections:
  - code: k
    title: 指标
    mode: composite
    max: 100
    items:
      - {code: K, title: 指标得分, kind: part, weight: 1, max: 100, fail_below: 60}
"""


def test_fail_below_fails_on_one_fact_inside_the_period_only() -> None:
    from xinfang.assessment.engine import compile_rulebook
    from xinfang.assessment.engine.reduce import sums_supported
    from xinfang.assessment.rulebook import parse_rulebook

    rb = parse_rulebook(FLOOR_YAML, "floor")
    rows = [
        fact("a", "K", "2023-03-01", value=90),
        fact("a", "K", "2022-12-31", value=10),  # outside the period: not counted
        fact("b", "K", "2023-03-01", value=59.99),
        fact("b", "K", "2023-04-01", value=100),
    ]
    r = by_subject(run(rb, rows, period=("2023-01-01", "2023-12-31")))
    assert r["a"]["qualified"] and r["a"]["vetoes"] == []
    assert not r["b"]["qualified"] and r["b"]["vetoes"] == ["K"] and r["b"]["score"] == 79.995
    # Scored from the facts only: database sums cannot tell one fact's value.
    assert not sums_supported(compile_rulebook(rb))


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{code: K, title: t, points: 1, fail_below: 60}", "fail_below 只用于按分值计分的项目"),
        ("{code: K, title: t, kind: entered, collected: survey}", "collected 只用于 part 类项目"),
    ],
)
def test_floor_and_collection_fields_only_on_their_kinds(line: str, reason: str) -> None:
    from xinfang.assessment.errors import RulebookInvalid
    from xinfang.assessment.rulebook import parse_rulebook

    text = FLOOR_YAML.replace(
        "{code: K, title: 指标得分, kind: part, weight: 1, max: 100, fail_below: 60}", line
    ).replace("mode: composite", "mode: deduct")
    with pytest.raises(RulebookInvalid, match=reason):
        parse_rulebook(text, "floor")
