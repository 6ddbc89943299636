"""The consistency check a rulebook must pass before it is used (domain.md §7).

Two kinds of finding:

* **errors** — the rulebook cannot be evaluated as written (a reference to an unknown
  code, a duplicate code, tiers out of order, composite weights not adding up to 1),
  or it is arithmetically inconsistent and the file records no reading for it;
* **warnings** — an inconsistency of the source that the file has acknowledged with a
  ``readings`` entry on the same code, and each recorded reading itself, so whoever
  uses the rulebook sees the choices made on the source's behalf.

The arithmetic checks: sub-items adding up to more than their group or section,
category maxima that differ from the sum of their items, sections that do not add up
to the declared total. Each finding names the codes and the figures.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Literal

from xinfang.assessment.rulebook.schema import Item, Rulebook, Section

__all__ = ["Finding", "check_rulebook"]


@dataclass(frozen=True)
class Finding:
    """One problem found, on ``code`` (an item, group, section or category code)."""

    level: Literal["error", "warning"]
    code: str
    message: str

    def __str__(self) -> str:
        tag = "错误" if self.level == "error" else "警告"
        return f"[{tag}] {self.code}: {self.message}"


def _fmt(x: float) -> str:
    """Figures as the source prints them: 0.35, 82, 0.5 (no float noise)."""
    return f"{round(x, 6):g}"


def _fixed_total(item: Item) -> float | None:
    """The most a bounded item can take, or None when it is unbounded (per occurrence)."""
    if item.kind == "awarded":
        return item.points
    if item.cap is not None:
        return item.cap
    if item.once and item.kind == "fixed":
        return item.points
    return None


def _check_references(rb: Rulebook) -> list[Finding]:
    out: list[Finding] = []
    codes = Counter(i.code for _, i in rb.items())
    out += [Finding("error", c, f"项目代码重复 {n} 次") for c, n in codes.items() if n > 1]
    sections = Counter(s.code for s in rb.sections)
    out += [Finding("error", c, f"节代码重复 {n} 次") for c, n in sections.items() if n > 1]
    categories = {c.code for c in rb.categories}
    tag_codes = {t.code for t in rb.tags}
    for section in rb.sections:
        groups = {g.code for g in section.groups}
        for item in section.items:
            if item.group is not None and item.group not in groups:
                out.append(
                    Finding("error", item.code, f"所属组 {item.group} 未在第{section.code}节定义")
                )
            for cat in item.categories or []:
                if cat not in categories:
                    out.append(Finding("error", item.code, f"适用类别 {cat} 未定义"))
            for ref in item.items:
                target = rb.item(ref)
                if target is None:
                    out.append(Finding("error", item.code, f"首起规则引用了不存在的项目 {ref}"))
                elif target.kind != "fixed":
                    out.append(
                        Finding("error", item.code, f"首起规则引用的 {ref} 不是固定分值项目")
                    )
            for v in item.variants:
                if v.tag in tag_codes:
                    out.append(Finding("error", item.code, f"变体标签 {v.tag} 与加倍标签同名"))
            if item.kind == "part" and section.mode != "composite":
                out.append(Finding("error", item.code, "part 类项目只能放在 composite 节"))
            if section.mode == "composite" and item.kind != "part":
                out.append(Finding("error", item.code, "composite 节只能包含 part 类项目"))
            if section.mode == "record" and item.kind not in ("veto", "condition"):
                out.append(Finding("error", item.code, "record 节只能包含否决和条件项目"))
            if item.kind == "part" and item.max is None:
                out.append(Finding("error", item.code, "part 类项目必须填写 max（分项满分）"))
            if item.veto is not None and item.veto.zero_section and section.mode != "deduct":
                out.append(Finding("error", item.code, "zero_section 只用于 deduct 节"))
    for tag in rb.tags:
        for ref in tag.items:
            if rb.item(ref) is None:
                out.append(Finding("error", tag.code, f"标签适用的项目 {ref} 不存在"))
    if rb.advanced is not None:
        for cond in rb.advanced.requires:
            if rb.item(cond.item) is None:
                out.append(Finding("error", "advanced", f"先进条件引用了不存在的项目 {cond.item}"))
        for ref in rb.advanced.excludes:
            if rb.item(ref) is None:
                out.append(Finding("error", "advanced", f"先进排除项引用了不存在的项目 {ref}"))
    for name, tiers in (("grades", rb.grades), ("payout", rb.payout)):
        bounds = [t.min for t in tiers]
        if bounds != sorted(bounds, reverse=True) or len(set(bounds)) != len(bounds):
            out.append(Finding("error", name, f"分档下限必须从高到低且不重复：{bounds}"))
    return out


# Item kinds a derived fact can feed: occurrences (no value) or a measured rate (value).
_COUNT_KINDS = ("fixed", "veto", "whole_group")
_RATE_KINDS = ("rate", "condition", "part")


def _check_mapping(rb: Rulebook) -> list[Finding]:
    """The ``mapping`` section: each key once, onto an item that exists and can take the
    fact as the app emits it (a count, or a rate's percentage), with known tags."""
    out: list[Finding] = []
    keys = Counter(m.key for m in rb.mapping)
    for key, n in keys.items():
        if n > 1:
            out.append(Finding("error", key, f"职责键在 mapping 中重复 {n} 次"))
    tag_codes = {t.code for t in rb.tags}
    for m in rb.mapping:
        item = rb.item(m.item)
        if item is None:
            out.append(Finding("error", m.key, f"mapping 指向不存在的考核项目 {m.item}"))
            continue
        rate = ".rate." in m.key
        kinds = _RATE_KINDS if rate else _COUNT_KINDS
        if item.kind not in kinds:
            what = "比率（value 为百分数）" if rate else "次数（无 value）"
            why = f"mapping 指向的 {m.item} 是 {item.kind} 类项目，不能计{what}"
            out.append(Finding("error", m.key, why))
        variants = {v.tag for v in item.variants}
        for tag in m.tags:
            if tag not in tag_codes | variants:
                why = f"mapping 的标签 {tag} 不是 {m.item} 可用的标签"
                out.append(Finding("error", m.key, why))
    return out


def _section_max_for(section: Section, category: str | None) -> float:
    """What a section can contribute for a subject of ``category``."""
    if section.mode == "award":
        items = [
            _fixed_total(i) or 0.0
            for i in section.items
            if i.categories is None or category is None or category in i.categories
        ]
        total = sum(items)
        return min(total, section.max) if section.max is not None else total
    if section.mode == "composite":
        return sum((i.weight or 0) * (i.max or 0) for i in section.items)
    if section.mode == "deduct":
        return section.max or 0.0
    return 0.0


def _check_arithmetic(rb: Rulebook) -> list[Finding]:
    out: list[Finding] = []
    for section in rb.sections:
        group_max = {g.code: g.max for g in section.groups}
        # Sub-items of a group adding up to more than the group.
        for g in section.groups:
            members = [i for i in section.items if i.group == g.code]
            bounded = [(i.code, _fixed_total(i)) for i in members]
            total = sum(v for _, v in bounded if v is not None)
            if total > g.max + 1e-9:
                parts = " + ".join(f"{c} {_fmt(v)}" for c, v in bounded if v is not None)
                out.append(
                    Finding(
                        "error",
                        g.code,
                        f"第{section.code}节 {g.code} 的子项合计 {parts} = {_fmt(total)}，"
                        f"超过该项满分 {_fmt(g.max)}",
                    )
                )
        # Items and groups adding up to more than the section.
        if section.max is not None and section.mode in ("deduct", "award"):
            parts_list: list[tuple[str, float]] = [(g.code, g.max) for g in section.groups]
            for i in section.items:
                bound = _fixed_total(i)
                if i.group is None and bound is not None:
                    parts_list.append((i.code, bound))
                if i.kind == "whole_group" and i.group not in group_max:
                    out.append(Finding("error", i.code, "whole_group 项目必须属于一个组"))
            total = sum(v for _, v in parts_list)
            over = total > section.max + 1e-9
            # An award section of awarded items must be reachable; fixed bonus items can
            # repeat, and a deduct section may hold unbounded items.
            short = (
                section.mode == "award"
                and not rb.categories
                and all(i.kind == "awarded" for i in section.items)
                and total < section.max - 1e-9
            )
            if over or short:
                parts = " + ".join(f"{c} {_fmt(v)}" for c, v in parts_list)
                verb = "超过" if over else "不足"
                out.append(
                    Finding(
                        "error",
                        section.code,
                        f"第{section.code}节各项合计 {parts} = {_fmt(total)}，{verb}本节满分 "
                        f"{_fmt(section.max)}",
                    )
                )
            for g in section.groups:
                if g.source_max is None or g.source_max == g.max:
                    continue
                printed = [(c, g.source_max if c == g.code else v) for c, v in parts_list]
                printed_total = sum(v for _, v in printed)
                if printed_total > section.max + 1e-9:
                    parts = " + ".join(f"{c} {_fmt(v)}" for c, v in printed)
                    out.append(
                        Finding(
                            "error",
                            g.code,
                            f"按原文 {g.code} 满分 {_fmt(g.source_max)}：第{section.code}节 "
                            f"{parts} = {_fmt(printed_total)}，超过本节满分 "
                            f"{_fmt(section.max)}（本文件读作 {_fmt(g.max)}）",
                        )
                    )
        if section.mode == "composite":
            weights = sum(i.weight or 0 for i in section.items)
            if abs(weights - 1) > 1e-9:
                out.append(
                    Finding("error", section.code, f"各部分权重合计 {_fmt(weights)}，应为 1")
                )
    scoring = [s for s in rb.sections if not s.extra and s.mode != "record"]
    if rb.categories:
        for cat in rb.categories:
            per_section = [(s.code, _section_max_for(s, cat.code)) for s in scoring]
            total = sum(v for _, v in per_section)
            if abs(total - cat.max) > 1e-9:
                parts = " + ".join(f"第{c}节 {_fmt(v)}" for c, v in per_section)
                out.append(
                    Finding(
                        "error",
                        cat.code,
                        f"{cat.code}类适用项目合计 {parts} = {_fmt(total)}，与规定满分 "
                        f"{_fmt(cat.max)} 不符",
                    )
                )
    elif scoring and all(s.max is not None or s.mode == "composite" for s in scoring):
        per_section = [(s.code, _section_max_for(s, None)) for s in scoring]
        total = rb.base + sum(v for _, v in per_section)
        if abs(total - rb.total) > 1e-9:
            parts = " + ".join(f"第{c}节 {_fmt(v)}" for c, v in per_section)
            out.append(
                Finding(
                    "error",
                    "total",
                    f"基础分 {_fmt(rb.base)} + {parts} = {_fmt(total)}，"
                    f"与总分 {_fmt(rb.total)} 不符",
                )
            )
    return out


def check_rulebook(rb: Rulebook) -> list[Finding]:
    """Every finding for ``rb``: errors first, then warnings, each in file order."""
    acknowledged = {r.code for r in rb.readings}
    findings = _check_references(rb) + _check_mapping(rb)
    for f in _check_arithmetic(rb):
        if f.code in acknowledged:
            f = Finding("warning", f.code, f.message + "（原文如此，已记录解读）")
        findings.append(f)
    for r in rb.readings:
        findings.append(Finding("warning", r.code, f"原文“{r.source}”按“{r.reading}”理解：{r.why}"))
    return [f for f in findings if f.level == "error"] + [
        f for f in findings if f.level == "warning"
    ]
