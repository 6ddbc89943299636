"""From facts to the reduced frame: a few vectorised passes over the facts, no Python loop.

The facts (millions of rows) are touched by: the subject and item encoding
(``encode.py``), the per-fact checks (validate.py), and one reduction computing only the
sums the rulebook's item kinds need — ``numpy.bincount`` over a dense subject × item key,
or, for facts with tags or yearly sections, one streaming ``group_by(key, tags, year)``.
Everything after runs on the reduced frame, whose size is bounded by subjects × items.

Points are linear in quantity and value for a given item and tag set, so one formula
(:func:`raw_points`) serves a single fact (the explanation) and a group of facts (the
score): ``m`` is the sum the item's kind counts (see ``compile._measure``), ``n`` the
number of facts.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from xinfang.assessment.engine.compile import Compiled
from xinfang.assessment.engine.encode import CHUNK, dense_codes, lookup_codes
from xinfang.assessment.engine.mapping import Mapped, has_duty_keys, map_duty_keys
from xinfang.assessment.engine.validate import locate, validate_facts, validate_reduced
from xinfang.assessment.errors import FactsInvalid

__all__ = [
    "SUM_COLUMNS",
    "Reduced",
    "first_occurrences",
    "per_fact",
    "raw_points",
    "reduce_facts",
    "reduce_sums",
    "sums_supported",
]

FACT_TYPES = {
    "quantity": pl.Float64,
    "value": pl.Float64,
    "tags": pl.String,
    "note": pl.String,
}


BELOW_EMPTY = pl.DataFrame(schema={"subject": pl.String, "code": pl.String})


@dataclass(frozen=True)
class Reduced:
    """The facts after validation and reduction.

    ``agg``: one row per (subject, eff, year) with ``raw`` (points before caps), ``qty``,
    ``n``, ``vsum`` (Σ of the values the kind counts); ``facts``: the validated facts with
    their item index ``eff`` (inside the period), for the explanation; ``years``: the
    years of the yearly sections (``[0]`` when none); ``below``: (subject, item code) for
    each item with a ``fail_below`` that has a fact below it in the period.
    """

    agg: pl.DataFrame
    facts: pl.DataFrame
    years: list[int]
    yearly: bool
    mapped: Mapped = field(default_factory=Mapped)
    below: pl.DataFrame = field(default_factory=lambda: BELOW_EMPTY)


def below_floor(c: Compiled, df: pl.DataFrame, inside: pl.Expr | None) -> pl.DataFrame:
    """(subject, item code) where a fact of an item with ``fail_below`` has a value below
    it (Loudi's city departments: every indicator at least 60). One filter over the facts,
    on the few rows of those items."""
    floors = c.items.filter(pl.col("fail_below").is_not_null()).select(
        pl.col("idx").alias("eff"), "code", "fail_below"
    )
    if floors.height == 0:
        return BELOW_EMPTY
    rows = df.join(floors.with_columns(pl.col("eff").cast(df.schema["eff"])), on="eff")
    if inside is not None:
        rows = rows.filter(inside)
    low = rows.filter(pl.col("value").fill_null(0.0) < pl.col("fail_below"))
    return low.select(pl.col("subject").cast(pl.String), "code").unique().sort(["subject", "code"])


def first_occurrences(c: Compiled, df: pl.DataFrame) -> pl.DataFrame:
    """Re-code the earliest fact of each first-occurrence rule to the rule's item.

    Across all subjects, by date; ties are broken on every column so the choice does
    not depend on the order facts arrive in. The recorded code is kept in ``recorded``.
    """
    rules = [(i.code, i.items) for _, i in c.rulebook.items() if i.kind == "first_occurrence"]
    if not rules:
        return df
    codes = [code for code, _ in rules]
    df = df.with_columns(pl.col("item").cast(pl.String))  # re-coding needs codes outside an Enum
    if df["item"].is_in(codes).any():
        locate(
            df,
            pl.col("item").is_in(codes),
            "item",
            "该项由系统按日期自动认定（全系统第1起），请按走访的原项目代码录入",
        )
    df = df.with_row_index("_rid").with_columns(recorded=pl.col("item"))
    for code, members in rules:
        cand = df.filter(pl.col("item").is_in(members))
        if cand.height == 0:
            continue
        cand = cand.filter(pl.col("date") == pl.col("date").min())
        first = cand.sort(
            ["subject", "item", "quantity", "value", "tags", "note"], nulls_last=True
        ).item(0, "_rid")
        df = df.with_columns(
            item=pl.when(pl.col("_rid") == first).then(pl.lit(code)).otherwise(pl.col("item"))
        )
    return df.drop("_rid")


def _item_index(c: Compiled, df: pl.DataFrame) -> pl.Series:
    """The item's index in the compiled table (Int32), null for a code the rulebook lacks.

    Text codes go through the hash lookup of ``encode.lookup_codes`` (exact); when some
    code is unknown, the exact Enum cast finds it. Codes that arrive as an Enum are
    mapped through their (few) categories, without touching the strings.
    """
    codes = list(dict.fromkeys(c.codes))
    first_idx = {code: c.codes.index(code) for code in codes}
    to_first = pl.Series([first_idx[x] for x in codes], dtype=pl.Int32)
    dtype = df.schema["item"]
    if isinstance(dtype, pl.Enum):
        mapping = pl.Series([first_idx.get(cat) for cat in dtype.categories], dtype=pl.Int32)
        return df.select(pl.lit(mapping).gather(pl.col("item").to_physical())).to_series()
    if dtype == pl.String:
        found = lookup_codes(df["item"], codes)
        if found is not None:
            return found if len(codes) == len(c.codes) else to_first.gather(found)
    text = pl.col("item") if dtype == pl.String else pl.col("item").cast(pl.String)
    enum = text.cast(pl.Enum(codes), strict=False).to_physical().cast(pl.Int32)
    if len(codes) != len(c.codes):
        enum = pl.lit(to_first).gather(enum)
    return df.select(enum).to_series()


def raw_points(c: Compiled, frame: pl.DataFrame) -> pl.DataFrame:
    """Raw magnitude from ``m``, ``n`` and tags, on a frame joined with the item table."""
    rb = c.rulebook
    idx_of = {code: i for i, code in enumerate(c.codes)}
    fo_of = {m: i.code for _, i in rb.items() if i.kind == "first_occurrence" for m in i.items}
    mult: pl.Expr = pl.lit(1.0)
    variant: pl.Expr = pl.lit(None, dtype=pl.Float64)
    if "tags" in frame.columns:
        frame = frame.with_columns(
            _tags=pl.col("tags")
            .fill_null("")
            .str.split(";")
            .list.eval(pl.element().str.strip_chars())
        )
        for tag in rb.tags:
            # a tag on a visit also applies when the visit is charged as the first occurrence
            targets = [idx_of[x] for x in tag.items] + [
                idx_of[fo_of[x]] for x in tag.items if x in fo_of
            ]
            hit = pl.col("eff").is_in(targets) & pl.col("_tags").list.contains(tag.code)
            mult = mult * pl.when(hit).then(tag.multiplier).otherwise(1.0)
        for _, item in rb.items():
            for var in item.variants:
                hit = (pl.col("eff") == idx_of[item.code]) & pl.col("_tags").list.contains(var.tag)
                variant = pl.when(hit).then(pl.lit(var.points)).otherwise(variant)
    else:
        frame = frame.with_columns(_tags=pl.lit([], dtype=pl.List(pl.String)))
    unit = pl.coalesce(variant, pl.col("unit"))
    coef = (
        pl.when(pl.col("measure") == "q")
        .then(unit)
        .when(pl.col("kind").is_in(["range", "entered", "awarded"]))
        .then(1.0)
        .otherwise(0.0)
    )
    raw = (coef * pl.col("m") + pl.col("const") * pl.col("n").cast(pl.Float64)) * mult
    return frame.with_columns(raw=raw, _unit=unit, _mult=mult)


def _measure(sums: dict[str, pl.Expr]) -> pl.Expr:
    """``m``: the sum the item's kind counts, picked per row from the available ``sums``."""
    expr: pl.Expr = pl.lit(0.0)
    for name in ("q", "vq", "v", "v1"):
        if name in sums:
            expr = pl.when(pl.col("measure") == name).then(sums[name]).otherwise(expr)
    return expr


def per_fact(c: Compiled, df: pl.DataFrame) -> pl.DataFrame:
    """Per fact (explanation): the item table joined on, ``m``, ``n`` = 1 and raw points."""
    if "recorded" not in df.columns:
        df = df.with_columns(recorded=pl.col("item").cast(pl.String))
    df = df.join(c.items.rename({"idx": "eff"}), on="eff", how="left")
    value = pl.col("value")
    sums = {
        "q": pl.col("quantity"),
        "vq": value.fill_null(0.0) * pl.col("quantity"),
        "v": value.fill_null(0.0),
        "v1": value.fill_null(1.0),
    }
    df = df.with_columns(m=_measure(sums), n=pl.lit(1, dtype=pl.UInt32))
    return raw_points(c, df).drop("m", "n")


def _years(df: pl.DataFrame, period: tuple[date, date] | None) -> list[int]:
    if period is not None:
        return list(range(period[0].year, period[1].year + 1))
    ys = df["date"].dt.year().unique().sort().to_list() if df.height else []
    return [y for y in ys if y is not None] or [date.today().year]  # noqa: DTZ011 — a year, not a time


def _wanted(c: Compiled) -> dict[str, pl.Expr]:
    """Only the sums the rulebook's item kinds need (fewer passes over the facts)."""
    measures = set(c.items["measure"].to_list())
    if (c.items["allowance"] > 0).any():
        measures.add("q")
    value = pl.col("value")
    wanted = {
        "q": pl.col("quantity"),
        "vq": value * pl.col("quantity"),
        "v": value,
        "v1": value.fill_null(1.0),
    }
    return {k: e for k, e in wanted.items() if k in measures}


def _sums(c: Compiled, inside: pl.Expr | None) -> list[pl.Expr]:
    """The sums for the group_by, restricted to the period when there is one."""
    out = [
        (e if inside is None else e.filter(inside)).sum().alias(k) for k, e in _wanted(c).items()
    ]
    n = pl.len() if inside is None else inside.sum()
    return [*out, n.cast(pl.UInt32).alias("n")]


Decode = Callable[[pl.Series], pl.Series]
# The sums of ``_wanted`` that are a column of the facts as it stands.
_PLAIN = {"q": "quantity", "v": "value"}


def _subject_codes(df: pl.DataFrame, n_items: int) -> tuple[np.ndarray, int, Decode]:
    """A dense non-negative integer per subject, how many there can be, how to decode them.

    Integer ids are used as they are when they are dense enough to index an array of
    subjects × items; other subjects get codes 0, 1, 2… in order of first appearance
    from the exact hash encoding of ``encode.dense_codes``, or, should two subjects
    share a hash, from a private category mapping. Returns (codes as int64, the number
    of possible codes, codes → subjects).
    """
    column = df["subject"]
    dtype = column.dtype
    if dtype.is_integer() and df.height:
        lo, hi = column.min(), column.max()
        if lo >= 0 and (hi + 1) * n_items <= max(4 * df.height, 1 << 22):  # type: ignore[operator]
            codes = column.cast(pl.Int64).to_numpy()
            return codes, int(hi) + 1, lambda c: c.cast(dtype)  # type: ignore[arg-type]
    if not (dtype == pl.String or dtype.is_integer()):
        column = column.cast(pl.String)
    encoded = dense_codes(column)
    if encoded is not None:
        codes, distinct = encoded
        return codes, distinct.len(), lambda c: distinct.gather(c).cast(dtype)
    text = column.cast(pl.String)
    if not hasattr(pl, "Categories"):  # Polars before the per-column category mappings
        names = text.unique(maintain_order=True)
        codes = text.cast(pl.Enum(names)).to_physical().cast(pl.Int64).to_numpy()
        return codes, names.len(), lambda c: names.gather(c).cast(dtype)
    categories = pl.Categories.random()
    as_category = text.cast(pl.Categorical(categories))
    codes = as_category.to_physical().cast(pl.Int64).to_numpy()

    def decode(c: pl.Series, _user: pl.Series = as_category) -> pl.Series:
        # The mapping lives only as long as a column uses it: ``_user`` keeps one.
        return categories.to_series().gather(c).cast(dtype)

    return codes, int(codes.max()) + 1 if codes.size else 0, decode


def _group(
    c: Compiled,
    df: pl.DataFrame,
    decode: Decode,
    yearly: bool,
    inside: pl.Expr | None,
) -> pl.DataFrame:
    """The general reduction: facts → one row per (subject, item[, tags][, year]).

    Used when facts carry tags or sections are yearly; ``df`` carries the integer key
    ``_k`` (subject code × items + item index): a group_by on one integer is several
    times faster than one on two text columns, which Polars row-encodes.
    """
    n_items = len(c.codes)
    keys = [pl.col("_k")]
    if df["tags"].null_count() < df.height:
        keys.append(pl.col("tags"))
    if yearly:
        keys.append(pl.col("date").dt.year().cast(pl.Int32).alias("year"))
    small = df.lazy().group_by(keys).agg(*_sums(c, inside)).collect(engine="streaming")
    return small.with_columns(
        subject=decode(small["_k"] // n_items), eff=(pl.col("_k") % n_items).cast(pl.Int32)
    ).drop("_k")


def _dense_group(
    c: Compiled,
    df: pl.DataFrame,
    codes: np.ndarray,
    n_keys: int,
    decode: Decode,
    inside: pl.Expr | None,
) -> pl.DataFrame:
    """The reduction without tags or years: the same rows as :func:`_group`, by bincount.

    The key (subject code × items + item index) addresses a dense subjects × items
    array, so each sum is a ``numpy.bincount`` over the facts instead of a hash
    group_by. Sums skip nulls as Polars' ``sum`` does: a sum whose rows all count is
    taken slice by slice (:data:`CHUNK` rows: the key and the weights of a slice stay a
    few MB, read in place), the others over only the rows that count (few, for values).
    A group is kept when it has a fact, even outside the period (``n`` = 0).
    """
    n_items = len(c.codes)
    eff = df["eff"].to_numpy()

    def key_of(rows: slice | np.ndarray) -> np.ndarray:
        key = np.multiply(codes[rows], n_items, dtype=np.int64)
        key += eff[rows]
        return key

    full: dict[str, pl.Series] = {}
    picked: dict[str, pl.Expr] = {}
    for name, expr in _wanted(c).items():
        # A plain column is read in place (``select`` would copy it into one chunk).
        weights = df[_PLAIN[name]] if name in _PLAIN else df.select(expr).to_series()
        if inside is None and not weights.null_count():
            full[name] = weights.cast(pl.Float64)
        else:
            picked[name] = expr.is_not_null() if inside is None else expr.is_not_null() & inside
    present = np.zeros(n_keys, dtype=np.int64)
    totals: dict[str, np.ndarray] = {name: np.zeros(n_keys) for name in full}
    for start in range(0, df.height, CHUNK):
        rows = slice(start, start + CHUNK)
        key = key_of(rows)
        present += np.bincount(key, minlength=n_keys)
        for name, weights in full.items():
            part = weights.slice(start, CHUNK).to_numpy()
            totals[name] += np.bincount(key, weights=part, minlength=n_keys)
    for name, keep in picked.items():
        idx = df.select(pl.arg_where(keep)).to_series().to_numpy()
        values = df.select(_wanted(c)[name].filter(keep)).to_series().cast(pl.Float64)
        totals[name] = np.bincount(key_of(idx), weights=values.to_numpy(), minlength=n_keys)
    if inside is None:
        n = present
    else:
        n = np.bincount(
            key_of(df.select(pl.arg_where(inside)).to_series().to_numpy()), minlength=n_keys
        )
    groups = np.flatnonzero(present)
    columns = [pl.Series(name, totals[name][groups], dtype=pl.Float64) for name in _wanted(c)]
    small = pl.DataFrame([*columns, pl.Series("n", n[groups], dtype=pl.UInt32)])
    return small.with_columns(
        subject=decode(pl.Series(groups // n_items)),
        eff=pl.Series(groups % n_items, dtype=pl.Int32),
    )


def reduce_facts(
    c: Compiled,
    facts: pl.DataFrame,
    subjects: pl.DataFrame | None,
    period: tuple[date, date] | None,
    *,
    explain: bool,
    mapped: bool = False,
) -> Reduced:
    """Validate the facts and reduce them to one row per (subject, item, year).

    Facts under platform duty keys are first turned into the rulebook's items by its
    ``mapping`` (``engine.mapping``); ``mapped`` says that was done."""
    for col, dtype in FACT_TYPES.items():
        if col not in facts.columns:
            facts = facts.with_columns(pl.lit(None, dtype=dtype).alias(col))
    for column, reason in (
        ("subject", "考核对象为空"),
        ("item", "考核项目代码为空"),
        ("date", "日期为空"),
    ):
        if facts[column].null_count():
            locate(facts, pl.col(column).is_null(), column, reason)
    # Empty quantity = 1; numbers as Float64. Skipped when already so (10⁷ rows: a copy
    # saved per column).
    typed = []
    if facts["quantity"].null_count() or facts.schema["quantity"] != pl.Float64:
        typed.append(pl.col("quantity").fill_null(1.0).cast(pl.Float64))
    if facts.schema["value"] != pl.Float64:
        typed.append(pl.col("value").cast(pl.Float64))
    df = first_occurrences(c, facts.with_columns(typed) if typed else facts)
    n_items = len(c.codes)
    # The two encodings are independent, and Polars and numpy release the GIL while
    # they work: run them side by side.
    with ThreadPoolExecutor(max_workers=1) as pool:
        subject_codes = pool.submit(_subject_codes, df, n_items)
        eff = _item_index(c, df)
        codes, n_subjects, decode = subject_codes.result()
    df = df.with_columns(eff=eff)
    if eff.null_count() and not mapped and has_duty_keys(df.filter(eff.is_null())["item"]):
        # Platform facts under duty keys: map them (once) and start again on the result.
        facts, done = map_duty_keys(c.rulebook, facts)
        red = reduce_facts(c, facts, subjects, period, explain=explain, mapped=True)
        return Reduced(red.agg, red.facts, red.years, red.yearly, done, red.below)
    validate_facts(c, df)
    yearly = any(s.yearly for s in c.rulebook.sections)
    years = _years(df, period) if yearly else [0]
    inside = None if period is None else pl.col("date").is_between(period[0], period[1])
    tagged = df["tags"].null_count() < df.height
    if tagged or yearly:
        # One integer key per fact: subject code × items + item index (no nulls once valid).
        key = np.multiply(codes, n_items, dtype=np.int64)
        key += df["eff"].to_numpy()
        small = _group(c, df.with_columns(_k=pl.Series(key)), decode, yearly, inside)
        del key
    else:
        small = _dense_group(c, df, codes, n_subjects * n_items, decode, inside)
    names = c.items.select(pl.col("idx").alias("eff"), pl.col("code").alias("item"))
    small = small.join(names, on="eff", how="left")
    # Combinations (tags, categories, subjects) cover every fact, even outside the period.
    validate_reduced(c, small, df, subjects)
    agg = _points(c, small, yearly)
    below = below_floor(c, df, inside)
    if period is not None and explain:
        df = df.filter(inside)  # type: ignore[arg-type]
    return Reduced(agg, df, years, yearly, below=below)


def _points(c: Compiled, small: pl.DataFrame, yearly: bool) -> pl.DataFrame:
    """The reduced sums → one row per (subject, item, year) with raw points."""
    small = small.filter(pl.col("n") > 0)
    if not yearly:
        small = small.with_columns(year=pl.lit(0, dtype=pl.Int32))
    small = small.join(c.items.rename({"idx": "eff"}), on="eff", how="left")
    sums: dict[str, pl.Expr] = {k: pl.col(k) for k in ("q", "vq", "v", "v1") if k in small.columns}
    small = small.with_columns(
        m=_measure(sums),
        year=pl.when(pl.col("yearly")).then(pl.col("year")).otherwise(0).cast(pl.Int32),
    )
    small = raw_points(c, small)
    qty = pl.col("q") if "q" in small.columns else pl.lit(0.0)
    if "tags" in small.columns or yearly:
        return small.group_by(["subject", "eff", "year"]).agg(
            raw=pl.col("raw").sum(), qty=qty.sum(), n=pl.col("n").sum(), vsum=pl.col("m").sum()
        )
    # already one row per (subject, item); year is 0
    return small.select(
        "subject", "eff", "year", "raw", qty.alias("qty"), "n", pl.col("m").alias("vsum")
    )


SUM_COLUMNS = ("q", "vq", "v", "v1")


def sums_supported(c: Compiled) -> bool:
    """Whether a rulebook can be scored from per-(subject, item) sums reduced elsewhere (in
    SQL): no yearly sections and no first-occurrence items, which need the facts' dates,
    and no ``fail_below``, which reads each fact's value."""
    rb = c.rulebook
    return not any(s.yearly for s in rb.sections) and not any(
        i.kind == "first_occurrence" or i.fail_below is not None for _, i in rb.items()
    )


def reduce_sums(c: Compiled, sums: pl.DataFrame, subjects: pl.DataFrame | None) -> Reduced:
    """The boundary for a database that reduced the facts itself: ``sums`` has one row per
    (subject, item code) without tags, with ``n`` (facts), ``q`` (Σ quantity, an empty one
    counting 1), ``vq`` (Σ value × quantity), ``v`` (Σ value) and ``v1`` (Σ value, an empty
    one counting 1) — nulls skipped, so 0 when none. The facts themselves were checked when
    recorded; the checks on combinations run here as on the facts."""
    if not sums_supported(c):
        raise ValueError("rulebook needs the facts themselves (yearly or first-occurrence)")
    codes = pl.DataFrame({"item": c.items["code"], "eff": c.items["idx"].cast(pl.Int32)})
    small = sums.join(codes, on="item", how="left")
    unknown = small.filter(pl.col("eff").is_null())
    if unknown.height:
        row = unknown.row(0, named=True)
        raise FactsInvalid(
            source="facts", row=None, column="item", value=row["item"], reason="考核项目代码不存在"
        )
    wanted = set(_wanted(c))
    small = small.select(
        "subject",
        "item",
        "eff",
        *[pl.col(k).cast(pl.Float64) for k in SUM_COLUMNS if k in wanted],
        pl.col("n").cast(pl.UInt32),
    )
    empty = pl.DataFrame(schema={"subject": pl.String, "item": pl.String, "tags": pl.String})
    validate_reduced(c, small, empty, subjects)
    return Reduced(_points(c, small, False), empty, [0], False)
