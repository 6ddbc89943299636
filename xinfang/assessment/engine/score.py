"""Scoring on the reduced frame: item totals, sections, subjects, derived subjects, grades.

Everything here runs on frames bounded by subjects × items (never on the facts); the
Python loops are over the rulebook (sections, tiers, categories) or over levels of
derived subjects.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from xinfang.assessment.engine.compile import EPS, Assessment, Compiled, compile_rulebook
from xinfang.assessment.engine.explain import empty_lines, explain_lines
from xinfang.assessment.engine.reduce import Reduced, reduce_facts, reduce_sums
from xinfang.assessment.engine.validate import split_list
from xinfang.assessment.rulebook.schema import Rulebook, Tier

__all__ = ["assess", "assess_sums"]


def assess(
    rb: Rulebook,
    facts: pl.DataFrame,
    subjects: pl.DataFrame | None = None,
    *,
    period: tuple[date, date] | None = None,
    explain: bool = True,
) -> Assessment:
    """Score every subject on ``facts`` by ``rb``; raise FactsInvalid on bad input."""
    c = compile_rulebook(rb)
    if subjects is not None and "lines" not in subjects.columns:
        subjects = subjects.with_columns(lines=pl.lit(None, dtype=pl.String))
    red = reduce_facts(c, facts, subjects, period, explain=explain)
    return _score(c, red, subjects, explain=explain)


def assess_sums(
    rb: Rulebook, sums: pl.DataFrame, subjects: pl.DataFrame | None = None
) -> Assessment:
    """Score from per-(subject, item) sums a database reduced (``reduce.reduce_sums``):
    the same scores, sections, ranks and grades as :func:`assess` on the facts behind
    them, without the per-fact explanation lines."""
    c = compile_rulebook(rb)
    if subjects is not None and "lines" not in subjects.columns:
        subjects = subjects.with_columns(lines=pl.lit(None, dtype=pl.String))
    return _score(c, reduce_sums(c, sums, subjects), subjects, explain=False)


def _score(
    c: Compiled, red: Reduced, subjects: pl.DataFrame | None, *, explain: bool
) -> Assessment:
    rb = c.rulebook
    # Subjects: from the subjects table, else those named in the facts.
    if subjects is None:
        subj = (
            red.agg.select("subject")
            .unique()
            .with_columns(
                name=pl.col("subject"),
                category=pl.lit(None, dtype=pl.String),
                lines=pl.lit(None, dtype=pl.String),
            )
        )
    else:
        subj = subjects.select("subject", "name", "category", "lines").with_columns(
            pl.col("name").fill_null(pl.col("subject"))
        )
    subj = subj.with_columns(derived=pl.col("lines").fill_null("").str.strip_chars() != "")
    base_subjects = subj.filter(~pl.col("derived"))

    agg = _item_totals(red.agg.join(c.items.rename({"idx": "eff"}), on="eff", how="left"))
    sections_df, extras = _section_scores(c, agg, base_subjects, red.years, red.below)
    result = _subject_scores(c, base_subjects, sections_df, extras)
    result, sections_df = _derive(c, subj, result, sections_df)
    result = _grade(c, result)
    lines = explain_lines(c, red, agg, result, sections_df) if explain else empty_lines()
    warning = red.mapped.warning()
    return Assessment(
        rb,
        result.sort(["category", "rank", "subject"], nulls_last=True),
        sections_df,
        lines,
        [warning] if warning else [],
    )


def _item_totals(agg: pl.DataFrame) -> pl.DataFrame:
    """Per (subject, item, year): the item's points after allowance, rate and cap."""
    mean = pl.col("vsum") / pl.col("n")
    avg = mean.mean().over(["eff", "year"])
    target = pl.when(pl.col("target_avg")).then(avg).otherwise(pl.col("target"))
    gap = (target - mean).clip(lower_bound=0)
    steps = ((gap / pl.col("step")) + EPS).floor()
    rate_pts = steps * pl.col("per_point")
    raw = pl.col("raw") - pl.min_horizontal(pl.col("qty"), pl.col("allowance")) * pl.col("unit") * (
        pl.col("allowance") > 0
    )
    total = pl.when(pl.col("kind") == "rate").then(rate_pts).otherwise(raw)
    total = (
        pl.when(pl.col("cap").is_not_null())
        .then(pl.min_horizontal(total, pl.col("cap")))
        .otherwise(total)
    )
    part = pl.when(pl.col("kind") == "part").then(mean * pl.col("weight")).otherwise(0.0)
    cond = pl.when(pl.col("kind") == "condition").then(
        pl.col("vsum").fill_null(pl.col("n").cast(pl.Float64)) / pl.col("n")
    )
    return agg.with_columns(
        mean=mean,
        target_used=target,
        gap=gap,
        item_pts=total.fill_null(0.0),
        part_pts=part,
        cond_mean=cond,
    )


def _section_scores(
    c: Compiled, agg: pl.DataFrame, subj: pl.DataFrame, years: list[int], below: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Section points per subject (long), and per-subject extras (vetoes, conditions; an
    item with a fact below its ``fail_below`` fails the subject like a veto)."""
    grouped = agg.group_by(["subject", "s_idx", "group", "year"]).agg(
        pts=pl.col("item_pts").sum(),
        gmax=pl.col("group_max").first(),
        part=pl.col("part_pts").sum(),
        zero=(pl.col("veto_zero") & (pl.col("n") > 0)).any(),
    )
    grouped = grouped.with_columns(
        pts=pl.when(pl.col("gmax").is_not_null())
        .then(pl.min_horizontal("pts", "gmax"))
        .otherwise("pts")
    )
    per_year = grouped.group_by(["subject", "s_idx", "year"]).agg(
        pts=pl.col("pts").sum(), part=pl.col("part").sum(), zero=pl.col("zero").any()
    )
    sec_rows = [
        {"s_idx": i, "section": s.code, "mode": s.mode, "smax": s.max, "yearly": s.yearly == "mean"}
        for i, s in enumerate(c.sections)
        if s.mode != "record"
    ]
    secs = pl.DataFrame(
        sec_rows,
        schema={
            "s_idx": pl.Int64,
            "section": pl.String,
            "mode": pl.String,
            "smax": pl.Float64,
            "yearly": pl.Boolean,
        },
    )
    year_rows = [(i, y) for i, s in enumerate(c.sections) for y in (years if s.yearly else [0])]
    sec_years = pl.DataFrame(
        {"s_idx": [i for i, _ in year_rows], "year": [y for _, y in year_rows]},
        schema={"s_idx": pl.Int64, "year": pl.Int32},
    )
    grid = subj.select("subject").join(secs, how="cross").join(sec_years, on="s_idx")
    grid = grid.join(
        per_year.with_columns(pl.col("s_idx").cast(pl.Int64)),
        on=["subject", "s_idx", "year"],
        how="left",
    )
    pts = pl.col("pts").fill_null(0.0)
    smax = pl.col("smax")
    value = (
        pl.when(pl.col("mode") == "deduct")
        .then(
            pl.when(pl.col("zero").fill_null(False))
            .then(0.0)
            .otherwise(smax - pl.min_horizontal(pts, smax))
        )
        .when(pl.col("mode") == "penalty")
        .then(-pl.when(smax.is_not_null()).then(pl.min_horizontal(pts, smax)).otherwise(pts))
        .when(pl.col("mode") == "award")
        .then(pl.when(smax.is_not_null()).then(pl.min_horizontal(pts, smax)).otherwise(pts))
        .otherwise(pl.col("part").fill_null(0.0))
    )
    grid = grid.with_columns(v=value)
    sections = (
        grid.group_by(["subject", "s_idx", "section"])
        .agg(points=pl.col("v").mean())  # yearly sections: mean of the years; others have one year
        .sort(["subject", "s_idx"])
        .select("subject", "section", "points", "s_idx")
    )
    vetoed = agg.filter(pl.col("veto_effect").is_not_null()).select(
        "subject", "code", "veto_effect"
    )
    if below.height:
        low = below.with_columns(
            pl.col("subject").cast(agg.schema["subject"]), veto_effect=pl.lit("fail")
        )
        vetoed = pl.concat([vetoed, low.select(vetoed.columns)], how="vertical_relaxed")
    vetoes = vetoed.group_by("subject").agg(
        vetoes=pl.col("code").unique().sort(),
        fail=(pl.col("veto_effect") == "fail").any(),
        honours=pl.lit(True),
    )
    conds = (
        agg.filter(pl.col("kind") == "condition")
        .group_by(["subject", "code"])
        .agg(m=(pl.col("vsum").fill_null(pl.col("n").cast(pl.Float64))).sum() / pl.col("n").sum())
    )
    present = agg.group_by("subject").agg(codes=pl.col("code").unique())
    extras = (
        subj.select("subject")
        .join(vetoes, on="subject", how="left")
        .join(present, on="subject", how="left")
    )
    if conds.height:
        wide = conds.pivot(on="code", index="subject", values="m")
        wide = wide.rename({k: f"cond:{k}" for k in wide.columns if k != "subject"})
        extras = extras.join(wide, on="subject", how="left")
    return sections, extras


def _subject_scores(
    c: Compiled, subj: pl.DataFrame, sections: pl.DataFrame, extras: pl.DataFrame
) -> pl.DataFrame:
    rb = c.rulebook
    totals = sections.group_by("subject").agg(s=pl.col("points").sum())
    out = subj.join(totals, on="subject", how="left").with_columns(
        raw_score=rb.base + pl.col("s").fill_null(0.0)
    )
    score = pl.col("raw_score")
    if rb.floor is not None:
        score = pl.max_horizontal(score, pl.lit(rb.floor))
    cat_max = _category_max_expr(rb)
    if rb.categories:
        score = pl.min_horizontal(score, cat_max)
    out = out.with_columns(score=score, max=cat_max).drop("s")
    return out.join(extras, on="subject", how="left")


def _category_max_expr(rb: Rulebook) -> pl.Expr:
    expr = pl.lit(rb.total)
    for cat in rb.categories:
        expr = pl.when(pl.col("category") == cat.code).then(pl.lit(cat.max)).otherwise(expr)
    return expr


def _derive(
    c: Compiled, subj: pl.DataFrame, result: pl.DataFrame, sections: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Derived subjects (a leader = the mean of the lines overseen), level by level."""
    derived = subj.filter(pl.col("derived"))
    if derived.height == 0:
        return result, sections
    edges = split_list(derived.select("subject", "lines"), "lines", "line").drop("lines")
    done = set(result["subject"].to_list())
    pending = edges
    while pending.height:
        ready_subjects = (
            pending.group_by("subject")
            .agg(ok=pl.col("line").is_in(list(done)).all())
            .filter("ok")["subject"]
        )
        level = pending.filter(pl.col("subject").is_in(ready_subjects.implode()))
        scores = (
            level.join(
                result.select(pl.col("subject").alias("line"), pl.col("score").alias("ls")),
                on="line",
            )
            .group_by("subject")
            .agg(raw_score=pl.col("ls").mean())
        )
        secs = (
            level.join(sections.rename({"subject": "line"}), on="line")
            .group_by(["subject", "section", "s_idx"])
            .agg(points=pl.col("points").mean())
            .select("subject", "section", "points", "s_idx")
        )
        rows = (
            derived.filter(pl.col("subject").is_in(ready_subjects.implode()))
            .select("subject", "name", "category", "lines", "derived")
            .join(scores, on="subject", how="left")
            .with_columns(score=pl.col("raw_score"), max=_category_max_expr(c.rulebook))
        )
        result = pl.concat([result, rows], how="diagonal_relaxed")
        sections = pl.concat([sections, secs], how="diagonal_relaxed")
        done |= set(ready_subjects.to_list())
        pending = pending.filter(~pl.col("subject").is_in(ready_subjects.implode()))
    return result, sections.sort(["subject", "s_idx"])


def _grade(c: Compiled, result: pl.DataFrame) -> pl.DataFrame:
    """Normalisation, rank in category, grade, payout, qualification, advanced."""
    rb = c.rulebook
    # Ranks compare scores rounded far below any rulebook's precision: sums of the same
    # points in another order may differ in the last bit, and that must not split a tie.
    ranked = pl.col("score").round(9)
    result = result.with_columns(
        normalized=pl.col("score") / pl.col("max") * 100,
        rank=ranked.rank(method="min", descending=True)
        .over(pl.col("category").fill_null(""))
        .cast(pl.Int64),
        fail=pl.col("fail").fill_null(False),
        honours=pl.col("honours").fill_null(False),
        vetoes=pl.col("vetoes").fill_null([]),
    )
    qualified = ~pl.col("fail")
    if rb.pass_mark is not None:
        pm = rb.pass_mark
        qualified = qualified & (
            (pl.col("score") >= pm.min) if pm.inclusive else (pl.col("score") > pm.min)
        )
    for tiers in (rb.payout, rb.grades):
        if tiers:
            qualified = qualified & _tier_expr(tiers, "qualified", pl.Boolean).fill_null(False)
    result = result.with_columns(qualified=qualified)
    payout = (
        _tier_expr(rb.payout, "ratio", pl.Float64) if rb.payout else pl.lit(None, dtype=pl.Float64)
    )
    grade: pl.Expr = pl.lit(None, dtype=pl.String)
    if rb.grades:
        worst = next((t.label for t in rb.grades if not t.qualified), None)
        grade = (
            pl.when(pl.col("fail") & pl.lit(worst is not None))
            .then(pl.lit(worst))
            .otherwise(_tier_expr(rb.grades, "label", pl.String))
        )
    result = result.with_columns(payout_ratio=payout, grade=grade)
    if rb.advanced is not None:
        adv = rb.advanced
        eligible = pl.col("qualified") & ~pl.col("honours") & ~pl.col("derived")
        for cond in adv.requires:
            col = f"cond:{cond.item}"
            eligible = eligible & (
                (pl.col(col) >= cond.min - EPS).fill_null(False)
                if col in result.columns
                else pl.lit(False)
            )
        for code in adv.excludes:
            eligible = eligible & ~pl.col("codes").fill_null([]).list.contains(code)
        part = pl.col("category").fill_null("")
        seats = (pl.col("derived").not_().sum().over(part) * adv.share + EPS).floor()
        score_if = pl.when(eligible).then(ranked)
        rank_max = score_if.rank(method="max", descending=True).over(part)
        is_adv = eligible & (rank_max <= seats)
        result = result.with_columns(
            grade=pl.when(is_adv)
            .then(pl.lit(adv.label))
            .when(pl.col("qualified"))
            .then(pl.lit(adv.qualified_label))
            .otherwise(pl.lit(adv.unqualified_label))
        )
    return result.select(
        "subject",
        "name",
        "category",
        "score",
        "max",
        "normalized",
        "grade",
        "payout_ratio",
        "qualified",
        "vetoes",
        "rank",
        "derived",
        "lines",
    )


def _tier_expr(tiers: list[Tier], attr: str, dtype: Any) -> pl.Expr:
    expr: pl.Expr = pl.lit(None, dtype=dtype)
    for t in reversed(tiers):
        cond = (pl.col("score") >= t.min - EPS) if t.inclusive else (pl.col("score") > t.min + EPS)
        expr = pl.when(cond).then(pl.lit(getattr(t, attr), dtype=dtype)).otherwise(expr)
    return expr
