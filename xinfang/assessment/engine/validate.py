"""Refusing bad input: every fact is checked, vectorised, and a row is looked up only on error.

The per-fact checks (unknown item, quantity, value required / forbidden / in range) are
boolean expressions over the whole facts table, gathered from the compiled item table
by item index, reduced with ``any()``. The checks that concern combinations (tags on an
item, a subject's category, subjects known to the subjects table) run on the reduced
``(subject, item[, tags])`` frame. Only when a check fails is the first offending row
(by spreadsheet row) looked up to build the message.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from xinfang.assessment.engine.compile import EPS, Compiled, tag_table
from xinfang.assessment.errors import FactsInvalid
from xinfang.assessment.rulebook.schema import Rulebook

__all__ = [
    "locate",
    "refuse",
    "split_list",
    "validate_facts",
    "validate_reduced",
    "validate_subjects",
]


def refuse(df: pl.DataFrame, bad: pl.Expr, column: str, reason: str | pl.Expr, source: str) -> None:
    """Raise FactsInvalid for the first row (by row number) where ``bad`` holds."""
    hits = df.filter(bad)
    if hits.height == 0:
        return
    order = "row" if "row" in hits.columns else None
    first = hits.sort(order).row(0, named=True) if order else hits.row(0, named=True)
    why = (
        reason if isinstance(reason, str) else hits.sort(order or column).select(reason).item(0, 0)
    )
    raise FactsInvalid(
        source=source, row=first.get("row"), column=column, value=first.get(column), reason=why
    )


def locate(df: pl.DataFrame, bad: pl.Expr, column: str, reason: str, source: str = "facts") -> None:
    """Error path only: find the first row of ``df`` where ``bad`` holds and refuse it."""
    refuse(df, bad, column, reason, source)
    raise AssertionError(f"validation found a problem it cannot locate: {column} {reason}")


def split_list(df: pl.DataFrame, column: str, into: str) -> pl.DataFrame:
    """One row per element of the ``;``-separated ``column`` (trimmed, empty ones dropped)."""
    return (
        df.with_columns(pl.col(column).str.split(";").alias(into))
        .explode(into)
        .with_columns(pl.col(into).str.strip_chars())
        .filter(pl.col(into) != "")
    )


def _fmt_num(x: float | None) -> str:
    return "" if x is None else f"{round(x, 6):g}"


def _param(c: Compiled, column: str) -> pl.Expr:
    """The compiled item parameter ``column`` for each fact, gathered by its item index."""
    return pl.lit(c.items[column]).gather(pl.col("eff"))


def validate_facts(c: Compiled, df: pl.DataFrame) -> None:
    """Per-fact checks over the whole table; ``df`` carries ``eff`` (null: unknown code).

    Each check is one vectorised pass; the value checks read only the facts that carry
    a value (few, in practice: most items have fixed points).
    """
    rb = c.rulebook
    value = pl.col("value")
    if df["eff"].null_count() > df["item"].null_count():
        locate(df, pl.col("eff").is_null(), "item", f"“{rb.rulebook}”中没有这个考核项目代码")
    if df.select((pl.col("quantity") <= 0).any()).item():
        locate(df, pl.col("quantity") <= 0, "quantity", "数量必须大于0")
    # Gathered by position: a filter over columns chunked differently (``eff`` is built
    # in one piece) would first copy them into the same chunks.
    valued = df.select(pl.col("eff", "value").gather(pl.arg_where(value.is_not_null())))
    forbidden = _param(c, "v_forbidden")
    if valued.select(forbidden.any()).item():
        locate(df, forbidden & value.is_not_null(), "value", "该项为固定分值，value 应留空")
    required = c.items.filter("v_required")["idx"]
    if required.len() and df.select((pl.col("eff").is_in(required) & value.is_null()).any()).item():
        locate(
            df,
            pl.col("eff").is_in(required) & value.is_null(),
            "value",
            "该项必须填写 value（分值、得分或百分数）",
        )
    out_of_range = (value < _param(c, "v_min") - EPS) | (value > _param(c, "v_max") + EPS)
    bad = valued.filter(out_of_range.fill_null(False))
    if bad.height:
        # the range named is that of the first offending item
        eff = bad.item(0, "eff") if "row" not in df.columns else _first_row(df, out_of_range)
        lo, hi = c.items.row(eff, named=True)["v_min"], c.items.row(eff, named=True)["v_max"]
        lo_v = -math.inf if lo is None else lo
        hi_v = math.inf if hi is None else hi
        locate(
            df,
            (pl.col("eff") == eff) & ((value < lo_v - EPS) | (value > hi_v + EPS)),
            "value",
            f"超出该项允许的范围 {_fmt_num(lo) or '0'}–{_fmt_num(hi) or '∞'}",
        )


def _first_row(df: pl.DataFrame, bad: pl.Expr) -> int:
    """The item index of the first row (by spreadsheet row) where ``bad`` holds."""
    return int(df.filter(bad.fill_null(False)).sort("row").item(0, "eff"))


def _unlisted(pairs: pl.DataFrame, allowed: pl.DataFrame, on: list[str]) -> dict[str, Any] | None:
    """The first row of ``pairs`` that ``allowed`` (the ``on`` columns and ``ok``) lacks."""
    bad = pairs.join(allowed, on=on, how="left").filter(pl.col("ok").is_null())
    return bad.row(0, named=True) if bad.height else None


def validate_reduced(
    c: Compiled, small: pl.DataFrame, df: pl.DataFrame, subjects: pl.DataFrame | None
) -> None:
    """Checks on combinations, run on ``small`` (one row per subject, item[, tags][, year])."""
    rb = c.rulebook
    if "tags" in small.columns:
        pairs = small.filter(
            pl.col("tags").is_not_null() & (pl.col("tags").str.strip_chars() != "")
        )
        pairs = pairs.select("item", "tags").unique()
        if pairs.height:
            first = _unlisted(split_list(pairs, "tags", "tag"), tag_table(rb), ["tag", "item"])
            if first is not None:
                locate(
                    df,
                    (pl.col("item") == first["item"]) & (pl.col("tags") == first["tags"]),
                    "tags",
                    f"标签 {first['tag']} 不存在或不适用于该项目",
                )
    if subjects is None:
        return
    validate_subjects(rb, subjects)
    present = small.select("subject").unique()
    for subset, reason in (
        (~pl.col("subject").is_in(subjects["subject"].implode()), "考核对象表中没有这个考核对象"),
        (
            pl.col("subject").is_in(
                subjects.filter(pl.col("lines").fill_null("") != "")["subject"].implode()
            ),
            "该对象的得分取其分管条线的平均分，不能直接录入事实",
        ),
    ):
        bad_subjects = present.filter(subset)
        if bad_subjects.height:
            locate(
                df, pl.col("subject").is_in(bad_subjects["subject"].implode()), "subject", reason
            )
    restricted = [(cat, i.code) for _, i in rb.items() if i.categories for cat in i.categories]
    if restricted:
        okc = pl.DataFrame(
            {"category": [a for a, _ in restricted], "item": [b for _, b in restricted]},
            schema={"category": pl.String, "item": pl.String},
        ).with_columns(ok=pl.lit(True))
        limited = {b for _, b in restricted}
        pairs = (
            small.filter(pl.col("item").is_in(list(limited)))
            .select("subject", "item")
            .unique()
            .join(subjects.select("subject", "category"), on="subject", how="left")
        )
        first = _unlisted(pairs, okc, ["category", "item"])
        if first is not None:
            locate(
                df,
                (pl.col("subject") == first["subject"]) & (pl.col("item") == first["item"]),
                "item",
                "该项目不适用于该考核对象的类别",
            )


def validate_subjects(rb: Rulebook, subjects: pl.DataFrame) -> None:
    """Subjects: unique codes, known categories, lines naming known subjects, no cycles."""
    dup = subjects.filter(pl.col("subject").is_duplicated())
    refuse(dup, pl.lit(True), "subject", "考核对象重复", "subjects")
    refuse(
        subjects,
        pl.col("subject").is_null() | (pl.col("subject") == ""),
        "subject",
        "考核对象为空",
        "subjects",
    )
    if rb.categories:
        cats = [c.code for c in rb.categories]
        refuse(
            subjects,
            ~pl.col("category").is_in(cats) & ~(pl.col("lines").fill_null("") != ""),
            "category",
            f"类别必须是 {'/'.join(cats)} 之一",
            "subjects",
        )
    lines = split_list(subjects.filter(pl.col("lines").is_not_null()), "lines", "line")
    refuse(
        lines,
        ~pl.col("line").is_in(subjects["subject"].implode()),
        "lines",
        "分管条线中有考核对象表里没有的对象",
        "subjects",
    )
    refuse(lines, pl.col("line") == pl.col("subject"), "lines", "分管条线不能包含自己", "subjects")
    # Cycles: resolve level by level; what cannot be resolved is a cycle.
    edges: dict[str, list[str]] = {}
    for s, line in zip(lines["subject"].to_list(), lines["line"].to_list(), strict=True):
        edges.setdefault(s, []).append(line)
    resolved: set[str] = set(subjects["subject"].to_list()) - set(edges)
    pending = dict(edges)
    while pending:
        ready = [s for s, ls in pending.items() if all(x in resolved for x in ls)]
        if not ready:
            cyc = sorted(pending)[0]
            refuse(subjects, pl.col("subject") == cyc, "lines", "分管条线循环引用", "subjects")
        for s in ready:
            resolved.add(s)
            del pending[s]
