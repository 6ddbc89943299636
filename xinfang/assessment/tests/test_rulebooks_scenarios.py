"""Each shipped rulebook on a small scenario worked out by hand from the source text."""

from __future__ import annotations

import pytest

from xinfang.assessment.tests.helpers import by_subject, fact, run


def test_pinghu_2012_staff_bands_and_leader_mean() -> None:
    rows = [
        fact("zhang", "1", "2012-05-03", value=5),  # 迟报: assessor picks 5 in 3–10
        fact("zhang", "2a", "2012-05-10"),  # 脱岗 −5
        fact("zhang", "6a", "2012-06-01", quantity=2, value=3),  # 2 screenings missed × 3 = −6
        fact("li", "8b", "2012-06-02"),  # −5
        fact("wang", "3", "2012-06-03", value=30),
        fact("wang", "4", "2012-06-04", value=30),
        fact("wang", "5", "2012-06-04", value=30),
        fact("wang", "10b", "2012-06-04"),  # 100 − 30 − 30 − 30 − 10 = 0 (floor 0)
    ]
    subjects = [
        ("zhang", "张三", None, None),
        ("li", "李四", None, None),
        ("wang", "王五", None, None),
        ("boss", "局长", None, "zhang;li"),
    ]
    r = by_subject(run("pinghu-2012", rows, subjects))
    # zhang: 100 − 5 − 5 − 6 = 84 → band 81–85 → 70%
    assert r["zhang"]["score"] == 84 and r["zhang"]["payout_ratio"] == 0.7
    # li: 100 − 5 = 95 → band 91–95 → 90%
    assert r["li"]["score"] == 95 and r["li"]["payout_ratio"] == 0.9
    # wang: 0 ≤ 70 → unqualified, no bonus
    assert r["wang"]["score"] == 0 and r["wang"]["payout_ratio"] == 0 and not r["wang"]["qualified"]
    # the leader: (84 + 95) / 2 = 89.5 → band 86–90 → 80%
    assert (
        r["boss"]["score"] == 89.5 and r["boss"]["payout_ratio"] == 0.8 and r["boss"]["qualified"]
    )
    assert r["zhang"]["sections"]["6"] == -6


def test_pinghu_2012_96_is_full_payout_and_71_qualifies() -> None:
    rows = [fact("a", "1", "2012-05-03", value=4), fact("b", "3", "2012-05-03", value=29)]
    r = by_subject(run("pinghu-2012", rows))
    assert r["a"]["score"] == 96 and r["a"]["payout_ratio"] == 1.0  # 含96分 → 100%
    assert r["b"]["score"] == 71 and r["b"]["payout_ratio"] == 0.5 and r["b"]["qualified"]


def test_edu_festival_2023_sections_floor_at_zero() -> None:
    rows = [
        fact("s1", "1", quantity=2),  # two weekly meetings missing: section 1 = 5 − 2 = 3
        fact("s1", "2.1"),
        fact("s1", "2.1"),  # not filed by 9 January: −2, once
        fact("s1", "2.2", quantity=5),  # 5 missing items, at most 3: section 2 = 5 − 2 − 3 = 0
        fact("s1", "3.4"),  # leader absent at spot check: section 3 = 5 − 2 = 3
        fact("s1", "4.1"),
        fact("s1", "4.2", quantity=2),  # 5 + 2 = 7 > 5: section 4 = 0
        fact("s1", "5.1a", quantity=2),  # 2 persons × 30 = 60
        fact("s1", "5.3a"),  # 20 (reading of the garbled "2023")
        fact("s1", "5.2a"),  # 5 more: 85 > 80, section 5 = 0
        fact("s2", "5.2f"),  # collective visit registered in Beijing: 80 → section 5 = 0
    ]
    subjects = [("s1", "一中", None, None), ("s2", "二中", None, None), ("s3", "三中", None, None)]
    r = by_subject(run("edu-festival-2023", rows, subjects))
    assert r["s1"]["sections"] == {"1": 3, "2": 0, "3": 3, "4": 0, "5": 0}
    assert r["s1"]["score"] == 6  # 3 + 0 + 3 + 0 + 0
    assert r["s2"]["score"] == 20  # 5 + 5 + 5 + 5 + 0
    assert r["s3"]["score"] == 100 and r["s3"]["rank"] == 1
    cut = [ln for ln in r["s1"]["lines"] if ln["item"] == "5.3a"]  # last of the day, code order
    assert "扣完为止" in cut[0]["why"] and cut[0]["points"] == -15  # 80 − 60 − 5 = 15 left


def test_xinfang_2023_groups_rates_against_average_variants_and_veto() -> None:
    rows = [
        *[fact("A", f"1.1{x}") for x in "abcdef"],  # 0.35 > item 1.1's 0.3 → 0.3
        fact("A", "1.2b", quantity=2, tags="collective"),  # 2 batches × 0.03 = 0.06 > 0.05 → 0.05
        fact("A", "1.3c", value=75),  # 80 − 75 = 5 points × 0.03 = 0.15 (item 1.3 max 0.15)
        fact("A", "3.2a", value=90),
        fact("B", "3.2a", value=96),
        fact("C", "3.2a", value=99),
        # average (90 + 96 + 99) / 3 = 95: A is 5 below → 5 × 0.02 = 0.1
        fact("A", "4.5c", tags="overdue"),  # 0.05 + 0.03 more = 0.08
        fact("A", "7.3b"),
        fact("A", "7.3c", quantity=3),  # 0.05 + 3 days × 0.02 = 0.11
        fact("B", "1.2d"),  # veto: disqualified for the year
        fact("B", "1.3c", value=79.5),  # 0.5 below 80: no full point, no deduction
        fact("C", "2.3"),  # individual first letter: 0.02
    ]
    r = by_subject(run("xinfang-2023", rows))
    a = r["A"]
    assert a["sections"]["1"] == 0  # 0.5 − (0.3 + 0.05 + 0.15)
    assert a["sections"]["3"] == pytest.approx(0.1)
    assert a["sections"]["4"] == pytest.approx(0.12)
    assert a["sections"]["7"] == pytest.approx(0.09)
    # 0 + 0.3 + 0.1 + 0.12 + 0.15 + 0.15 + 0.09 + 0.3 = 1.21
    assert a["score"] == pytest.approx(1.21)
    assert r["B"]["score"] == 2 and r["B"]["vetoes"] == ["1.2d"] and not r["B"]["qualified"]
    assert r["C"]["score"] == pytest.approx(1.98)
    assert (r["B"]["rank"], r["C"]["rank"], a["rank"]) == (1, 2, 3)
    rate_line = next(ln for ln in a["lines"] if ln["item"] == "3.2a")
    assert "平均 95" in rate_line["why"] and rate_line["points"] == pytest.approx(-0.1)


def test_junan_2019_first_occurrences_tags_and_bonuses() -> None:
    rows = [
        # the first city visit of the system: 60 per person instead of 20, doubled by 2a
        fact("U1", "1.6a", "2019-03-01", quantity=2, tags="2a"),  # 60 × 2 × 2 = 240
        fact("U2", "1.6b", "2019-03-05", quantity=3),  # second city visit: 50 × 3 = 150
        fact("U2", "1.2", "2019-04-01"),  # first Beijing visit: 200 instead of 100
        fact("U2", "1.1", "2019-04-01"),  # veto: loses the year's awards
        fact("U3", "1.4a", "2019-02-25", tags="2a;2b"),  # first provincial: 100 × 2 × 2 = 400
        fact("U3", "1.8a", "2019-03-02"),  # county visit 10
        fact("U3", "3a", "2019-05-01"),  # backlog ≥ 10 years +200
        fact("U3", "3c", "2019-05-02", quantity=2),  # other backlog 2 × 2 = +4 (reading)
        fact("U3", "1.8b", "2019-06-05", quantity=9),  # after the campaign: ignored
    ]
    r = by_subject(run("junan-2019", rows, period=("2019-02-20", "2019-05-31")))
    assert r["U1"]["score"] == 760  # 1000 − 240
    assert r["U2"]["score"] == 650  # 1000 − 150 − 200
    assert r["U3"]["score"] == 794  # 1000 − 400 − 10 + 204
    assert r["U2"]["vetoes"] == ["1.1"] and r["U2"]["qualified"]  # honours only
    assert r["U3"]["sections"] == {"1": -410, "3": 204}
    first = next(ln for ln in r["U1"]["lines"] if ln["item"] == "1.0c")
    assert first["points"] == -240 and "第1起" in first["why"] and "2a" in first["why"]


def test_junan_first_occurrence_does_not_depend_on_input_order() -> None:
    rows = [fact("X", "1.2", "2019-03-01"), fact("Y", "1.2", "2019-03-01")]
    a = by_subject(run("junan-2019", rows))
    b = by_subject(run("junan-2019", rows[::-1]))
    assert {k: v["score"] for k, v in a.items()} == {k: v["score"] for k, v in b.items()}
    assert sorted(v["score"] for v in a.values()) == [800, 900]  # one at 200, one at 100


def test_shenzhen_2003_categories_two_year_mean_and_normalisation() -> None:
    full_a = {
        "1.1": 4,
        "1.2": 6,
        "1.3": 4,
        "1.4a": 2,
        "1.4b": 2,
        "1.4c": 2,
        "2.1": 4,
        "2.2": 4,
        "2.3": 4,
        "2.4a": 2,
        "2.4b": 2,
        "2.5": 4,
        "3.1a": 2,
        "3.1b": 2,
        "3.1c": 1,
        "3.2": 5,
        "3.3": 5,
        "6": 10,
    }
    c_items = {"1.1", "1.2", "1.3", "1.4c", "2.1", "2.2", "2.3", "2.4b", "3.1a", "3.3", "6"}
    rows = [fact("A1", k, "2005-06-01", value=v) for k, v in full_a.items()]
    rows += [
        fact("A1", "4.2a1", "2004-03-01"),  # 3
        fact("A1", "4.3", "2004-04-01", quantity=2),  # 2 × 0.5: 2004 section 4 = 20 − 4 = 16
        fact("A1", "5.1a", "2004-05-01"),
        fact("A1", "5.1b", "2004-05-01", quantity=2),  # 15 − 2 = 13
        fact("A1", "5.2a", "2005-05-01", quantity=16),  # 16 > 15: 2005 section 5 = 0
    ]
    rows += [fact("C1", k, "2005-06-01", value=full_a[k]) for k in c_items]
    rows += [fact("B1", "1.1", "2005-06-01", value=3), fact("B1", "4.1", "2005-02-01")]
    subjects = [
        ("A1", "福田区", "A", None),
        ("B1", "公安局", "B", None),
        ("C1", "民政局", "C", None),
    ]
    r = by_subject(run("shenzhen-2003", rows, subjects, period=("2004-01-01", "2005-12-31")))
    # A1: 20 + 20 + 15 + (16 + 20)/2 + (13 + 0)/2 + 10 = 89.5
    assert r["A1"]["sections"]["4"] == 18 and r["A1"]["sections"]["5"] == 6.5
    assert r["A1"]["score"] == 89.5 and r["A1"]["normalized"] == 89.5
    # C1: items give 16 + 14 + 7 + 20 + 15 + 10 = 82, capped at the declared 80 → 100
    assert r["C1"]["score"] == 80 and r["C1"]["normalized"] == 100
    # B1: 3 + section 4 (20 in 2004, 0 in 2005 by the 4.1 veto → 10) + 15 = 28 of 95
    assert r["B1"]["sections"]["4"] == 10 and r["B1"]["score"] == 28
    assert r["B1"]["normalized"] == pytest.approx(29.4737, abs=1e-4) and r["B1"]["vetoes"] == [
        "4.1"
    ]
    assert {r[s]["rank"] for s in r} == {1}  # one subject per category


def test_loudi_2009_composite_caps_vetoes_and_advanced() -> None:
    def parts(s: str, i: float, sv: float, lv: float, pv: float) -> list[dict]:
        return [
            fact(s, "I", value=i),
            fact(s, "S", value=sv),
            fact(s, "L", value=lv),
            fact(s, "P", value=pv),
        ]

    rows = [
        *parts("K1", 900, 800, 700, 900),  # 540 + 240 + 35 + 45 = 860
        fact("K1", "B1"),
        fact("K1", "B2"),
        fact("K1", "B3"),
        fact("K1", "B1"),  # 60 → cap 50: 910
        fact("K1", "G", value=1),
        fact("K1", "M", value=80),
        *parts("K2", 950, 950, 950, 950),  # 950
        fact("K2", "N4", value=15),
        fact("K2", "G", value=1),
        fact("K2", "M", value=90),  # 935, N4 bars 先进
        *parts("K3", 800, 700, 600, 600),  # 480 + 210 + 30 + 30 = 750, but V3 veto
        fact("K3", "V3"),
        *parts("K4", 500, 500, 500, 500),  # 500 < 600
        *parts("K5", 700, 700, 700, 700),  # 700
        fact("K5", "N1"),
        fact("K5", "N2"),
        fact("K5", "N3"),  # 60 → cap 50: 650
        fact("K5", "G", value=1),
        fact("K5", "M", value=50),  # satisfaction below 60%
    ]
    r = by_subject(run("loudi-2009", rows))
    assert {k: v["score"] for k, v in r.items()} == {
        "K1": 910,
        "K2": 935,
        "K3": 750,
        "K4": 500,
        "K5": 650,
    }
    # 5 units → ⌊5 × 30%⌋ = 1 seat; only K1 is eligible
    assert {k: v["grade"] for k, v in r.items()} == {
        "K1": "先进",
        "K2": "合格",
        "K3": "不合格",
        "K4": "不合格",
        "K5": "合格",
    }
    assert r["K1"]["sections"] == {"composite": 860, "bonus": 50, "penalty": 0}
    assert r["K2"]["rank"] == 1 and r["K4"]["rank"] == 5


def test_loudi_2009_departments_every_indicator_at_least_60() -> None:
    """Seed 004, fifth document, 四(四)2: 完成为民办实事指标任务且按分值计算的各项指标
    得分均在60分以上的为合格单位; 按分值计算的指标得分在60分以下的、未完成为民办实事
    指标任务的、有“一票否决”事项的为不合格单位; 先进 from the qualified, 30 % of all."""
    rows = [
        *(fact("D1", "K", value=v) for v in (90, 80, 85)),  # mean 85, all ≥ 60
        *(fact("D2", "K", value=v) for v in (100, 100, 100, 59)),  # mean 89.75, one < 60
        *(fact("D3", "K", value=v) for v in (60, 70)),  # mean 65; exactly 60 passes
        *(fact("D4", "K", value=v) for v in (95, 95)),  # mean 95 but 为民办实事 not done
        fact("D4", "W"),
        *(fact("D5", "K", value=v) for v in (75, 75)),  # mean 75
        *(fact("D6", "K", value=v) for v in (70, 80)),  # mean 75
        *(fact("D7", "K", value=v) for v in (88, 99)),  # mean 93.5 but a veto
        fact("D7", "V4"),
    ]
    r = by_subject(run("loudi-2009-departments", rows))
    assert {k: v["score"] for k, v in r.items()} == {
        "D1": 85,
        "D2": 89.75,
        "D3": 65,
        "D4": 95,
        "D5": 75,
        "D6": 75,
        "D7": 93.5,
    }
    assert {k for k, v in r.items() if not v["qualified"]} == {"D2", "D4", "D7"}
    assert r["D2"]["vetoes"] == ["K"] and r["D4"]["vetoes"] == ["W"]
    # 7 units → ⌊7 × 30%⌋ = 2 seats from the qualified by score: D1 (85), then D5 and D6
    # tie on 75 at the boundary and neither is taken (the reading of loudi-2009).
    assert {k: v["grade"] for k, v in r.items()} == {
        "D1": "先进",
        "D2": "不合格",
        "D3": "合格",
        "D4": "不合格",
        "D5": "合格",
        "D6": "合格",
        "D7": "不合格",
    }
    why = [line["why"] for line in r["D2"]["lines"] if line["item"] == "K"]
    assert sum("低于60 分，评为不合格" in w for w in why) == 1


def test_model_2022_process_duties_and_rates() -> None:
    rows = [
        fact("M1", "1.1", quantity=3),  # 3 matters routed late: 20 − 3 = 17
        fact("M1", "2.1", quantity=20),  # 20 answers late × 2 = 40 > 30: section 2 = 0
        fact("M1", "5.1"),  # accusation material leaked: 10 → section 5 = 0, and no honours
        fact("M1", "6.1", value=90),  # 95 − 90 = 5 points × 0.2 = 1
        fact("M1", "6.3", value=50),  # 30 points × 0.1 = 3 → capped at 2
    ]
    r = by_subject(
        run("model-2022", rows, [("M1", "甲镇", None, None), ("M2", "乙镇", None, None)])
    )
    assert r["M1"]["sections"] == {"1": 17, "2": 0, "3": 20, "4": 10, "5": 0, "6": 7}
    assert r["M1"]["score"] == 54 and r["M1"]["grade"] == "不合格" and not r["M1"]["qualified"]
    assert r["M1"]["vetoes"] == ["5.1"]
    assert r["M2"]["score"] == 100 and r["M2"]["grade"] == "优秀"


def test_model_2022_has_no_escalation_item_and_cites_articles() -> None:
    from xinfang.assessment.tests.helpers import rulebook

    rb = rulebook("model-2022")
    for _, item in rb.items():
        assert item.article and "条例" in item.article, item.code
        for word in ("越级", "进京", "赴省", "去省", "到市访"):
            assert word not in item.title, item.code
