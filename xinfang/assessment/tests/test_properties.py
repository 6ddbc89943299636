"""Property tests of the engine (hypothesis)."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinfang.assessment.tests.helpers import by_subject, fact, rulebook, run

SUBJECTS = ["u1", "u2", "u3", "u4"]
XF_FIXED = [
    "1.1a",
    "1.1e",
    "1.2b",
    "1.3a",
    "2.1a",
    "2.2b",
    "3.1d",
    "4.5c",
    "5.3",
    "6.1",
    "7.3c",
    "8.6",
]
PROFILE = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def xinfang_facts(draw: st.DrawFn) -> list[dict]:
    rows = []
    for _ in range(draw(st.integers(0, 25))):
        s = draw(st.sampled_from(SUBJECTS))
        day = f"2023-{draw(st.integers(1, 12)):02d}-{draw(st.integers(1, 28)):02d}"
        kind = draw(st.integers(0, 4))
        if kind == 0:
            rows.append(
                fact(
                    s,
                    draw(st.sampled_from(["3.2a", "3.2b", "1.3c"])),
                    day,
                    value=draw(st.floats(0, 100, allow_nan=False)),
                )
            )
        else:
            item = draw(st.sampled_from(XF_FIXED))
            tags = draw(st.sampled_from([None, "collective"])) if item == "1.2b" else None
            rows.append(fact(s, item, day, quantity=draw(st.integers(1, 5)), tags=tags))
    return rows


def _scores(rows: list[dict], book: str = "xinfang-2023") -> dict[str, dict]:
    return by_subject(run(book, rows, [(s, s, None, None) for s in SUBJECTS]))


@PROFILE
@given(xinfang_facts())
def test_sections_stay_within_zero_and_their_maximum(rows: list[dict]) -> None:
    rb = rulebook("xinfang-2023")
    maxima = {s.code: s.max for s in rb.sections}
    for res in _scores(rows).values():
        for code, pts in res["sections"].items():
            assert -1e-9 <= pts <= maxima[code] + 1e-9
        # Points are kept to six decimals per line, so the lines of a subject may sum to 1e-6 off.
        assert sum(ln["points"] for ln in res["lines"]) == pytest.approx(res["score"], abs=1e-5)


@PROFILE
@given(xinfang_facts(), st.sampled_from(SUBJECTS), st.sampled_from(XF_FIXED), st.integers(1, 4))
def test_adding_a_deduction_never_raises_a_score(rows, subject, item, qty) -> None:
    before = _scores(rows)
    after = _scores([*rows, fact(subject, item, "2023-06-30", quantity=qty)])
    assert after[subject]["score"] <= before[subject]["score"] + 1e-9


@PROFILE
@given(xinfang_facts(), st.randoms(use_true_random=False))
def test_fact_order_never_changes_results(rows: list[dict], rnd: random.Random) -> None:
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    a, b = _scores(rows), _scores(shuffled)
    for s in SUBJECTS:
        for key in ("score", "sections", "rank", "qualified", "vetoes"):
            assert a[s][key] == b[s][key]
        key = lambda ln: (ln["item"] or "", ln["date"] or "", ln["points"], ln["why"])  # noqa: E731
        assert sorted(a[s]["lines"], key=key) == sorted(b[s]["lines"], key=key)


@PROFILE
@given(xinfang_facts())
def test_explain_and_fast_paths_agree(rows: list[dict]) -> None:
    book = rulebook("xinfang-2023")
    subj = [(s, s, None, None) for s in SUBJECTS]
    fast = by_subject(run(book, rows, subj, explain=False))
    full = by_subject(run(book, rows, subj, explain=True))
    assert {s: r["score"] for s, r in fast.items()} == {s: r["score"] for s, r in full.items()}


SZ_AWARDED = {"1.1": 4, "1.2": 6, "1.3": 4, "1.4c": 2, "2.1": 4, "2.4b": 2, "3.3": 5, "6": 10}


@PROFILE
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a1", "a2", "b1", "b2", "c1", "c2"]),
            st.sampled_from(sorted(SZ_AWARDED)),
            st.integers(0, 10),
        ),
        max_size=30,
    )
)
def test_normalisation_keeps_ranking_within_a_category(awards) -> None:
    rows = [fact(s, item, "2004-05-01", value=min(v, SZ_AWARDED[item])) for s, item, v in awards]
    rows += [fact("b1", "5.1a", "2004-05-01", quantity=3)]
    subjects = [(s, s, s[0].upper(), None) for s in ["a1", "a2", "b1", "b2", "c1", "c2"]]
    res = by_subject(run("shenzhen-2003", rows, subjects, period=("2004-01-01", "2005-12-31")))
    for cat in "ABC":
        members = [r for r in res.values() if r["category"] == cat]
        by_score = sorted(members, key=lambda r: r["score"])
        assert [r["normalized"] for r in by_score] == sorted(r["normalized"] for r in members)
        for r in members:
            assert r["normalized"] <= 100 + 1e-9
            better = [o for o in members if o["score"] > r["score"] + 1e-9]
            assert r["rank"] == len(better) + 1
