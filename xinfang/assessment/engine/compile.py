"""Compile a rulebook into the small parameter tables the expressions join or gather on.

Everything here is proportional to the rulebook (a few dozen items), never to the facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from xinfang.assessment.rulebook.schema import Item, Rulebook, Section

__all__ = ["EPS", "UNIT_LABEL", "Assessment", "Compiled", "compile_rulebook", "tag_table"]

EPS = 1e-9
UNIT_LABEL = {
    "occurrence": "起",
    "person": "人次",
    "batch": "批次",
    "day": "天",
    "item": "项",
    "time": "次",
    "case": "件",
}


@dataclass
class Assessment:
    """The result of one evaluation.

    ``subjects``: one row per subject (subject, name, category, score, max, normalized,
    grade, payout_ratio, qualified, vetoes, rank, derived); ``sections``: subject,
    section, points; ``lines``: subject, item, date, quantity, points, why (empty
    when not explained).
    """

    rulebook: Rulebook
    subjects: pl.DataFrame
    sections: pl.DataFrame
    lines: pl.DataFrame
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Compiled:
    """A rulebook turned into parameter tables the expressions join on."""

    rulebook: Rulebook
    items: pl.DataFrame  # one row per item, keyed by idx (the item's position in `codes`)
    codes: list[str]
    sections: list[Section]


def _value_bounds(item: Item) -> tuple[bool, bool, float | None, float | None]:
    """(value required, value forbidden, min, max) for a fact of ``item``."""
    if item.kind in ("fixed", "whole_group", "veto", "first_occurrence"):
        return False, True, None, None
    if item.kind == "range":
        return True, False, item.min, item.max
    if item.kind == "entered":
        return True, False, item.min or 0.0, item.max
    if item.kind == "awarded":
        return True, False, 0.0, item.points
    if item.kind == "rate":
        return True, False, 0.0, 100.0
    if item.kind == "part":
        return True, False, 0.0, item.max
    return False, False, 0.0, item.max  # condition: empty means "met" (1)


def _measure(item: Item) -> str:
    """What one fact of ``item`` contributes to the per-group sum ``m`` (see reduce.py).

    ``q``: its quantity (points × quantity); ``vq``: value × quantity (a range item);
    ``v``: its value (entered, awarded, rate, part); ``v1``: its value, empty = 1 (a
    condition); ``none``: nothing (the points do not depend on the facts' figures).
    """
    if item.kind in ("fixed", "first_occurrence"):
        return "q"
    if item.kind == "range":
        return "vq"
    if item.kind == "condition":
        return "v1"
    if item.kind in ("entered", "awarded", "rate", "part"):
        return "v"
    return "none"


def compile_rulebook(rb: Rulebook) -> Compiled:
    """Build the per-item parameter table (small: one row per item)."""
    rows: list[dict[str, Any]] = []
    for s_idx, section in enumerate(rb.sections):
        gmax = {g.code: g.max for g in section.groups}
        for item in section.items:
            required, forbidden, vmin, vmax = _value_bounds(item)
            group_max = gmax.get(item.group) if item.group else None
            unit = item.points or 0.0
            caps = [c for c in (item.cap,) if c is not None]
            if item.kind == "awarded":
                caps.append(unit)
            if item.once:
                caps.append(group_max if item.kind == "whole_group" and group_max else unit)
            rows.append(
                {
                    "code": item.code,
                    "title": item.title,
                    "kind": item.kind,
                    "measure": _measure(item),
                    "section": section.code,
                    "s_idx": s_idx,
                    "mode": section.mode,
                    "group": item.group or f"·{item.code}",  # ungrouped: its own group
                    "group_max": group_max,
                    "unit": unit,
                    "per": UNIT_LABEL[item.per],
                    "const": group_max or 0.0 if item.kind == "whole_group" else 0.0,
                    "cap": min(caps) if caps else None,
                    "allowance": float(item.allowance),
                    "v_required": required,
                    "v_forbidden": forbidden,
                    "v_min": vmin,
                    "v_max": vmax,
                    "weight": item.weight or 0.0,
                    "target": item.target if isinstance(item.target, float | int) else None,
                    "target_avg": item.target == "average",
                    "per_point": item.per_point or 0.0,
                    "step": item.step,
                    "veto_effect": item.veto.effect if item.veto else None,
                    "veto_zero": bool(item.veto and item.veto.zero_section),
                    "veto_label": item.veto.label if item.veto else None,
                    "fail_below": item.fail_below,
                    "section_max": section.max,
                    "yearly": section.yearly == "mean",
                }
            )
    items = pl.DataFrame(rows, infer_schema_length=None).with_row_index("idx")
    # Columns that are null for every item of a rulebook would otherwise have no type.
    items = items.with_columns(
        pl.col("idx").cast(pl.Int32),
        *(
            pl.col(c).cast(pl.Float64)
            for c in (
                "group_max",
                "cap",
                "v_min",
                "v_max",
                "target",
                "section_max",
                "step",
                "fail_below",
            )
        ),
        *(pl.col(c).cast(pl.String) for c in ("veto_effect", "veto_label")),
    )
    return Compiled(rb, items, [r["code"] for r in rows], list(rb.sections))


def tag_table(rb: Rulebook) -> pl.DataFrame:
    """(tag, item) pairs a fact may carry: multiplier tags and the items' variants."""
    fo_of = {m: i.code for _, i in rb.items() if i.kind == "first_occurrence" for m in i.items}
    allowed = [(t.code, code) for t in rb.tags for code in t.items] + [
        (v.tag, i.code) for _, i in rb.items() for v in i.variants
    ]
    # a fact re-coded as a first occurrence keeps the tags its recorded item allows
    allowed += [(t.code, fo_of[code]) for t in rb.tags for code in t.items if code in fo_of]
    allowed = sorted(set(allowed))
    return pl.DataFrame(
        {
            "tag": [a for a, _ in allowed],
            "item": [b for _, b in allowed],
            "ok": [True] * len(allowed),
        },
        schema={"tag": pl.String, "item": pl.String, "ok": pl.Boolean},
    )
