"""The explanation: every point given or taken, one line per fact, with why.

Computed from the per-fact frame with cumulative sums in a deterministic order (so it
does not depend on the order facts arrive in), then summary lines for what no single
fact explains: base score, starting maxima, floors, category caps, zeroed sections and
derived subjects. Skipped when ``assess(..., explain=False)``.
"""

from __future__ import annotations

import polars as pl

from xinfang.assessment.engine.compile import EPS, Compiled
from xinfang.assessment.engine.reduce import Reduced, per_fact
from xinfang.assessment.engine.validate import split_list

__all__ = ["empty_lines", "explain_lines"]


def empty_lines() -> pl.DataFrame:
    """The lines frame of an assessment without explanation."""
    return pl.DataFrame(
        schema={
            "subject": pl.String,
            "item": pl.String,
            "date": pl.Date,
            "quantity": pl.Float64,
            "points": pl.Float64,
            "why": pl.String,
            "_order": pl.Int64,
        }
    )


def _note(cond: pl.Expr, *parts: str | pl.Expr) -> pl.Expr:
    """``parts`` joined where ``cond`` holds, else empty: one clause of a line's why."""
    text = pl.concat_str([pl.lit(p) if isinstance(p, str) else p for p in parts])
    return pl.when(cond).then(text).otherwise(pl.lit(""))


def _clip_cumulative(pts: pl.Expr, limit: pl.Expr, keys: list[str]) -> pl.Expr:
    """Each fact takes what is left of ``limit`` after the facts before it (扣完为止)."""
    before = pts.cum_sum().over(keys) - pts
    return (
        pl.when(limit.is_null())
        .then(pts)
        .otherwise(pl.min_horizontal(pts, (limit - before).clip(lower_bound=0)))
    )


def explain_lines(
    c: Compiled,
    red: Reduced,
    agg: pl.DataFrame,
    result: pl.DataFrame,
    sections: pl.DataFrame,
) -> pl.DataFrame:
    """One line per fact with its points and why, plus summary lines (floors, caps, vetoes)."""
    rb = c.rulebook
    n_years = len(red.years)
    d = per_fact(c, red.facts)
    # The year key of the reduction: calendar year for the items of yearly sections.
    d = d.with_columns(
        year=pl.when(pl.col("yearly") & red.yearly)
        .then(pl.col("date").dt.year())
        .otherwise(0)
        .cast(pl.Int32)
    )
    d = d.join(
        agg.select("subject", "eff", "year", "item_pts", "n", "mean", "target_used", "gap"),
        on=["subject", "eff", "year"],
        how="left",
    )
    # Chronological within a section: when a cap is reached, the later facts are cut.
    d = d.sort(
        ["subject", "s_idx", "year", "date", "group", "eff", "quantity", "value", "tags", "note"],
        nulls_last=True,
    )
    # item level: allowance, then the item's own cap
    item_keys = ["subject", "eff", "year"]
    free = (
        pl.col("allowance") - (pl.col("quantity").cum_sum().over(item_keys) - pl.col("quantity"))
    ).clip(0)
    free = pl.min_horizontal(free, pl.col("quantity")) * (pl.col("allowance") > 0)
    d = d.with_columns(_free=free, _pts0=pl.col("raw") - free * pl.col("_unit"))
    per_fact_share = pl.col("item_pts") / pl.col("n")
    d = d.with_columns(
        _pts1=pl.when(pl.col("kind") == "rate")
        .then(per_fact_share)
        .otherwise(_clip_cumulative(pl.col("_pts0"), pl.col("cap"), item_keys))
    )
    d = d.with_columns(
        _pts2=_clip_cumulative(
            pl.col("_pts1"), pl.col("group_max"), ["subject", "s_idx", "group", "year"]
        )
    )
    sec_limit = pl.when(pl.col("mode").is_in(["deduct", "penalty", "award"])).then(
        pl.col("section_max")
    )
    d = d.with_columns(
        _pts3=_clip_cumulative(pl.col("_pts2"), sec_limit, ["subject", "s_idx", "year"])
    )
    sign = pl.when(pl.col("mode").is_in(["deduct", "penalty"])).then(-1.0).otherwise(1.0)
    year_factor = pl.when(pl.col("yearly")).then(1.0 / n_years).otherwise(1.0)
    part_pts = pl.col("weight") * pl.col("value") / pl.col("n")
    points = (
        pl.when(pl.col("kind") == "part")
        .then(part_pts)
        .otherwise(pl.col("_pts3") * sign * year_factor)
    )
    points = pl.when(pl.col("kind").is_in(["veto", "condition"])).then(0.0).otherwise(points)
    num = lambda e: e.round(6).cast(pl.String).str.replace(r"\.0$", "")  # noqa: E731

    def per_unit(prefix: str, points: pl.Expr) -> pl.Expr:
        """ "每件 0.5 分 × 3": points per unit times the quantity."""
        return pl.concat_str(
            pl.lit(prefix),
            pl.col("per"),
            pl.lit(" "),
            num(points),
            pl.lit(" 分 × "),
            num(pl.col("quantity")),
        )

    fo_codes = {i.code for _, i in rb.items() if i.kind == "first_occurrence"}
    why = pl.concat_str(pl.col("code"), pl.lit(" "), pl.col("title"), pl.lit(":"))
    detail = (
        pl.when(pl.col("kind").is_in(["fixed", "first_occurrence"]))
        .then(per_unit("每", pl.col("_unit")))
        .when(pl.col("kind") == "range")
        .then(per_unit("考评人在区间内选定每", pl.col("value")))
        .when(pl.col("kind") == "entered")
        .then(pl.concat_str(pl.lit("考评办录入 "), num(pl.col("value")), pl.lit(" 分")))
        .when(pl.col("kind") == "awarded")
        .then(
            pl.concat_str(
                pl.lit("评定得分 "),
                num(pl.col("value")),
                pl.lit(" 分（满分 "),
                num(pl.col("unit")),
                pl.lit(")"),
            )
        )
        .when(pl.col("kind") == "whole_group")
        .then(pl.concat_str(pl.lit("本项 "), num(pl.col("group_max")), pl.lit(" 分不得分")))
        .when(pl.col("kind") == "rate")
        .then(
            pl.concat_str(
                pl.lit("本期值 "),
                num(pl.col("mean")),
                pl.lit("%,"),
                pl.when(pl.col("target_avg"))
                .then(pl.lit("参评单位平均 "))
                .otherwise(pl.lit("目标 ")),
                num(pl.col("target_used")),
                pl.lit("%，低于 "),
                num(pl.col("gap")),
                pl.lit(" 个百分点，每个百分点 "),
                num(pl.col("per_point")),
                pl.lit(" 分"),
                pl.when(pl.col("n") > 1)
                .then(
                    pl.concat_str(
                        pl.lit("（共 "),
                        pl.col("n").cast(pl.String),
                        pl.lit(" 条记录取平均，本条分摊）"),
                    )
                )
                .otherwise(pl.lit("")),
            )
        )
        .when(pl.col("kind") == "part")
        .then(
            pl.concat_str(
                pl.lit("得分 "),
                num(pl.col("value")),
                pl.lit(" × 权重 "),
                num(pl.col("weight")),
                pl.when(pl.col("n") > 1)
                .then(
                    pl.concat_str(pl.lit(" ÷ "), pl.col("n").cast(pl.String), pl.lit(" 条取平均"))
                )
                .otherwise(pl.lit("")),
            )
        )
        .when(pl.col("kind") == "veto")
        .then(pl.concat_str(pl.lit("一票否决："), pl.col("veto_label")))
        .otherwise(pl.concat_str(pl.lit("参评条件记录 "), num(pl.col("value").fill_null(1.0))))
    )
    extra_bits: list[pl.Expr] = []
    if fo_codes:
        extra_bits.append(
            pl.when(pl.col("code").is_in(list(fo_codes)))
            .then(
                pl.concat_str(
                    pl.lit("；全系统按日期第1起（"),
                    pl.col("recorded"),
                    pl.lit(" 记录），按首起标准计"),
                )
            )
            .otherwise(pl.lit(""))
        )
    if rb.tags:
        for t in rb.tags:
            extra_bits.append(
                pl.when(pl.col("_tags").list.contains(t.code) & pl.col("recorded").is_in(t.items))
                .then(pl.lit(f"；标签{t.code}（{t.title}）：×{t.multiplier:g}"))
                .otherwise(pl.lit(""))
            )
    for _, it in rb.items():
        for v in it.variants:
            extra_bits.append(
                pl.when((pl.col("recorded") == it.code) & pl.col("_tags").list.contains(v.tag))
                .then(pl.lit(f"；标签{v.tag}：{v.title}"))
                .otherwise(pl.lit(""))
            )
    veto_extra = (
        pl.when(pl.col("veto_label").is_not_null() & (pl.col("kind") != "veto"))
        .then(pl.concat_str(pl.lit("；并一票否决："), pl.col("veto_label")))
        .otherwise(pl.lit(""))
    ) + (
        pl.when(
            pl.col("fail_below").is_not_null()
            & (pl.col("value").fill_null(0.0) < pl.col("fail_below"))
        )
        .then(pl.concat_str(pl.lit("；低于"), num(pl.col("fail_below")), pl.lit(" 分，评为不合格")))
        .otherwise(pl.lit(""))
    )
    capped = (
        (
            pl.when(pl.col("_free") > 0)
            .then(pl.concat_str(pl.lit("；全期前 "), num(pl.col("allowance")), pl.lit(" 次不扣分")))
            .otherwise(pl.lit(""))
        )
        + (
            pl.when((pl.col("kind") != "rate") & (pl.col("_pts1") < pl.col("_pts0") - EPS))
            .then(
                pl.when(pl.col("_pts1") <= EPS)
                .then(pl.lit("；本项已达上限，不再计分"))
                .otherwise(pl.concat_str(pl.lit("；本项封顶 "), num(pl.col("cap")), pl.lit(" 分")))
            )
            .otherwise(pl.lit(""))
        )
        + _note(
            pl.col("_pts2") < pl.col("_pts1") - EPS,
            "；所属 ",
            pl.col("group"),
            " 项满分 ",
            num(pl.col("group_max")),
            " 已扣完/封顶",
        )
        + _note(
            pl.col("_pts3") < pl.col("_pts2") - EPS,
            "；第",
            pl.col("section"),
            "节上限 ",
            num(pl.col("section_max")),
            " 分已满，扣完为止",
        )
        + pl.when(pl.col("yearly"))
        .then(pl.lit(f"；按年评定，{n_years} 年取平均"))
        .otherwise(pl.lit(""))
    )
    why = pl.concat_str(why, detail, *extra_bits, capped, veto_extra)
    fact_lines = d.select(
        "subject",
        pl.col("code").alias("item"),
        "date",
        "quantity",
        points.alias("points"),
        why.alias("why"),
        pl.lit(0, dtype=pl.Int64).alias("_order"),
        pl.col("section").alias("_section"),
    ).with_columns(pl.col("why").str.replace_all(":;", ":"))
    summary = _summary_lines(c, result, sections, fact_lines)
    lines = pl.concat([fact_lines.drop("_section"), summary], how="diagonal_relaxed")
    return lines.with_columns(pl.col("_order").fill_null(0))


def _summary_lines(
    c: Compiled, result: pl.DataFrame, sections: pl.DataFrame, fact_lines: pl.DataFrame
) -> pl.DataFrame:
    """Points not traced to one fact: floors, category caps, zeroed sections, derived means."""
    rb = c.rulebook
    frames: list[pl.DataFrame] = []
    base = result.filter(~pl.col("derived"))
    # Sections whose facts do not explain their points: a veto set the section to 0.
    starts = {s.code: (s.max or 0.0) if s.mode == "deduct" else 0.0 for s in c.sections}
    fact_sums = fact_lines.group_by(["subject", "_section"]).agg(f=pl.col("points").sum())
    resid = (
        sections.filter(pl.col("subject").is_in(base["subject"].implode()))
        .join(fact_sums.rename({"_section": "section"}), on=["subject", "section"], how="left")
        .with_columns(
            r=pl.col("points")
            - pl.col("section").replace_strict(starts, return_dtype=pl.Float64)
            - pl.col("f").fill_null(0.0)
        )
        .filter(pl.col("r").abs() > EPS)
    )
    if resid.height:
        frames.append(
            resid.select(
                "subject",
                item=pl.lit(None, dtype=pl.String),
                points=pl.col("r"),
                why=pl.concat_str(pl.lit("第"), pl.col("section"), pl.lit("节因一票否决记0分")),
                _order=pl.lit(1),
            )
        )
    # Floor and category cap: the difference between the raw sum and the score.
    sums = sections.group_by("subject").agg(s=pl.col("points").sum())
    diff = base.join(sums, on="subject", how="left").with_columns(
        d=pl.col("score") - rb.base - pl.col("s").fill_null(0.0)
    )
    diff = diff.filter(pl.col("d").abs() > EPS)
    if diff.height:
        frames.append(
            diff.select("subject", points=pl.col("d")).with_columns(
                item=pl.lit(None, dtype=pl.String),
                why=pl.when(pl.col("points") > 0)
                .then(pl.lit(f"总分不低于 {rb.floor:g} 分" if rb.floor is not None else "总分下限"))
                .otherwise(pl.lit("总分不超过本类别满分，超出部分不计")),
                _order=pl.lit(2),
            )
        )
    # The starting points of deduct sections, so that lines add up to the score.
    starting = [(float(rb.base), f"基础分 {rb.base:g}", -2)] if rb.base else []
    starting += [
        (float(s.max), f"第{s.code}节起始满分 {s.max:g}", -1)
        for s in c.sections
        if s.mode == "deduct" and s.max
    ]
    rows = base.select("subject")
    for points, why, order in starting:
        frames.append(
            rows.with_columns(
                item=pl.lit(None, dtype=pl.String),
                points=pl.lit(points),
                why=pl.lit(why),
                _order=pl.lit(order),
            )
        )
    derived = result.filter(pl.col("derived"))
    if derived.height:
        edges = split_list(derived.select("subject", "lines"), "lines", "line").join(
            result.select(
                pl.col("subject").alias("line"),
                pl.col("name").alias("lname"),
                pl.col("score").alias("ls"),
            ),
            on="line",
        )
        edges = edges.with_columns(n=pl.len().over("subject"))
        frames.append(
            edges.select(
                "subject",
                item=pl.lit(None, dtype=pl.String),
                points=pl.col("ls") / pl.col("n"),
                why=pl.concat_str(
                    pl.lit("分管条线 "),
                    pl.col("lname"),
                    pl.lit("("),
                    pl.col("line"),
                    pl.lit("）得分 "),
                    pl.col("ls").round(4).cast(pl.String),
                    pl.lit(" ÷ "),
                    pl.col("n").cast(pl.String),
                    pl.lit(" 条取平均"),
                ),
                _order=pl.lit(3),
            )
        )
    if not frames:
        return empty_lines()
    return pl.concat(frames, how="diagonal_relaxed")
