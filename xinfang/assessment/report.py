"""Render an :class:`Assessment` as the fixed JSON shape or a readable Chinese table."""

from __future__ import annotations

from typing import Any

from xinfang.assessment.engine import Assessment

__all__ = ["to_json", "to_table"]


def _num(x: float | None, digits: int = 6) -> float | None:
    """Round away float noise (0.30000000000000004 → 0.3); ints stay readable."""
    if x is None:
        return None
    r = round(float(x), digits)
    return 0.0 if r == 0 else r


def to_json(a: Assessment) -> dict[str, Any]:
    """The shape fixed by issue 4 (``xinfang assess --json``)."""
    sections: dict[str, dict[str, float | None]] = {}
    for s, code, pts in a.sections.select("subject", "section", "points").iter_rows():
        sections.setdefault(s, {})[code] = _num(pts)
    lines: dict[str, list[dict[str, Any]]] = {}
    ordered = a.lines.sort(["subject", "_order", "date", "item"], nulls_last=True)
    for row in ordered.iter_rows(named=True):
        lines.setdefault(row["subject"], []).append(
            {
                "item": row["item"],
                "date": row["date"].isoformat() if row["date"] is not None else None,
                "quantity": _num(row["quantity"]),
                "points": _num(row["points"]),
                "why": row["why"],
            }
        )
    subjects = []
    for row in a.subjects.iter_rows(named=True):
        subjects.append(
            {
                "subject": row["subject"],
                "name": row["name"],
                "category": row["category"],
                "score": _num(row["score"]),
                "max": _num(row["max"]),
                "normalized": _num(row["normalized"], 4),
                "sections": sections.get(row["subject"], {}),
                "grade": row["grade"],
                "payout_ratio": _num(row["payout_ratio"]),
                "qualified": bool(row["qualified"]),
                "vetoes": list(row["vetoes"] or []),
                "rank": row["rank"],
                "lines": lines.get(row["subject"], []),
            }
        )
    return {
        "rulebook": a.rulebook.rulebook,
        "version": a.rulebook.version,
        "warnings": a.warnings,
        "subjects": subjects,
    }


def _g(x: float | None) -> str:
    return "—" if x is None else f"{round(x, 4):g}"


def to_table(a: Assessment, *, with_lines: bool = True) -> str:
    """A plain-text Chinese table: one row per subject, then each subject's lines."""
    rb = a.rulebook
    section_codes = [s.code for s in rb.sections if s.mode != "record"]
    data = to_json(a)
    header = [
        "排名",
        "对象",
        "名称",
        "类别",
        "得分",
        "满分",
        "百分制",
        *[f"第{c}节" for c in section_codes],
        "等次",
        "折算",
        "合格",
        "否决",
    ]
    rows = []
    for s in data["subjects"]:
        rows.append(
            [
                str(s["rank"]),
                s["subject"],
                s["name"] or "",
                s["category"] or "",
                _g(s["score"]),
                _g(s["max"]),
                _g(s["normalized"]),
                *[_g(s["sections"].get(c)) for c in section_codes],
                s["grade"] or "—",
                "—" if s["payout_ratio"] is None else f"{s['payout_ratio']:.0%}",
                "是" if s["qualified"] else "否",
                "、".join(s["vetoes"]) or "—",
            ]
        )
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    out = [f"{rb.title}（{rb.rulebook} 版本 {rb.version}）", ""]
    for r in [header, *rows]:
        out.append(
            "  ".join(
                cell + " " * (w - _width(cell)) for cell, w in zip(r, widths, strict=True)
            ).rstrip()
        )
    for w in a.warnings:
        out.append(f"注意：{w}")
    if with_lines:
        for s in data["subjects"]:
            out.append("")
            out.append(f"【{s['subject']} {s['name'] or ''}】得分 {_g(s['score'])}")
            for line in s["lines"]:
                when = line["date"] or ""
                out.append(f"  {_signed(line['points']):>9}  {when:<10}  {line['why']}")
    return "\n".join(out) + "\n"


def _signed(x: float | None) -> str:
    if x is None:
        return ""
    r = round(x, 4)
    return f"{r:+g}"


def _width(s: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)
