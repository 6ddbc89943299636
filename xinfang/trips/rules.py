"""The rules a trip request is checked against, as data with their source clauses — pure.

The defaults come from seed 004 (中共重庆市委办公厅 重庆市人民政府办公厅《关于进一步规范和
加强市管党政领导干部因公临时出国(境)管理的通知》,渝委发〔2005〕14号); an office adjusts
a value or switches a rule off for its subtree (``TripRule`` rows), the clause stays cited.
:func:`check` lists every violation in Chinese; an exception recorded by the approving level
(with its reason) lets a request go on despite one (“原则上” in every clause).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from xinfang.trips.choices import LEADER_RANKS, Rank, TripType
from xinfang.trips.clock import add_months

__all__ = [
    "DEFAULT_RULES",
    "SOURCE",
    "MemberFacts",
    "OtherTrip",
    "RuleValue",
    "TripFacts",
    "Violation",
    "check",
    "days_abroad",
    "plan_is_late",
]

SOURCE = "渝委发〔2005〕14号"


@dataclass(frozen=True)
class RuleValue:
    """One rule as an office applies it: its value, whether it is on, and its clause."""

    code: str
    label: str
    value: int
    source: str
    enabled: bool = True


def _rule(code: str, label: str, value: int, clause: str) -> RuleValue:
    return RuleValue(code, label, value, f"{SOURCE} {clause}")


DEFAULT_RULES: dict[str, RuleValue] = {
    r.code: r
    for r in (
        _rule("members_max", "团组人数上限（人）", 6, "第（五）条"),
        _rule("countries_max", "一次出访国家（地区）上限（个）", 2, "第（八）条"),
        _rule("days_one_country", "出访1国在外停留上限（天，含旅途）", 6, "第（八）条"),
        _rule("days_two_countries", "出访2国在外停留上限（天，含旅途）", 10, "第（八）条"),
        _rule("training_min_days", "培训团组在外停留下限（天）", 21, "第（八）条"),
        _rule("training_max_months", "培训团组在外停留上限（月）", 6, "第（八）条"),
        _rule("trips_per_year", "每人每年出访次数上限（次）", 1, "第（七）条"),
        _rule("same_level_leaders", "同一单位同级领导同时在外上限（人）", 1, "第（七）条"),
        _rule("file_ahead_days", "办理护照签证前报批提前（天）", 21, "第（十三）条"),
        _rule("plan_required", "须列入年度出访计划（1=是）", 1, "第（三）条"),
        _rule("plan_due_day", "次年出访计划报送截止（11月的日）", 10, "第（二）条"),
    )
}


@dataclass(frozen=True)
class MemberFacts:
    name: str
    unit_id: int
    unit_name: str
    rank: str


@dataclass(frozen=True)
class TripFacts:
    """What the rules read of a request (no ORM)."""

    trip_type: str
    countries: tuple[str, ...]
    depart_on: date
    return_on: date
    visa_apply_on: date
    members: tuple[MemberFacts, ...]
    in_plan: bool


@dataclass(frozen=True)
class OtherTrip:
    """Another request still in force (filed, approved or back), for the per-person limits."""

    title: str
    depart_on: date
    return_on: date
    members: tuple[MemberFacts, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Violation:
    code: str
    message: str
    source: str


def days_abroad(depart_on: date, return_on: date) -> int:
    """Days abroad, both travel days included (“以上时间均含旅途时间”)."""
    return (return_on - depart_on).days + 1


def _person(m: MemberFacts) -> tuple[str, int]:
    return (m.name.strip(), m.unit_id)


def _overlap(a: TripFacts | OtherTrip, b: OtherTrip) -> bool:
    return a.depart_on <= b.return_on and b.depart_on <= a.return_on


def _on(rules: Mapping[str, RuleValue], code: str) -> RuleValue | None:
    rule = rules.get(code, DEFAULT_RULES[code])
    return rule if rule.enabled else None


def _size(trip: TripFacts, rules: Mapping[str, RuleValue]) -> Iterable[Violation]:
    if (r := _on(rules, "members_max")) and len(trip.members) > r.value:
        yield Violation(r.code, f"团组共 {len(trip.members)} 人，超过上限 {r.value} 人", r.source)
    if (r := _on(rules, "countries_max")) and len(trip.countries) > r.value:
        yield Violation(
            r.code, f"出访 {len(trip.countries)} 个国家（地区），超过上限 {r.value} 个", r.source
        )


def _duration(trip: TripFacts, rules: Mapping[str, RuleValue]) -> Iterable[Violation]:
    days = days_abroad(trip.depart_on, trip.return_on)
    if trip.trip_type == TripType.TRAINING:
        if (r := _on(rules, "training_min_days")) and days < r.value:
            yield Violation(r.code, f"培训团组在外 {days} 天，少于下限 {r.value} 天", r.source)
        r = _on(rules, "training_max_months")
        if r and trip.return_on > add_months(trip.depart_on, r.value) - timedelta(days=1):
            yield Violation(r.code, f"培训团组在外 {days} 天，超过 {r.value} 个月", r.source)
        return
    code = "days_one_country" if len(trip.countries) <= 1 else "days_two_countries"
    if (r := _on(rules, code)) and days > r.value:
        n = "1" if code == "days_one_country" else "2"
        yield Violation(
            r.code, f"出访{n}国在外 {days} 天（含旅途），超过上限 {r.value} 天", r.source
        )


def _per_person(
    trip: TripFacts, rules: Mapping[str, RuleValue], others: Sequence[OtherTrip]
) -> Iterable[Violation]:
    if r := _on(rules, "trips_per_year"):
        year = trip.depart_on.year
        for m in trip.members:
            count = sum(
                1
                for o in others
                if o.depart_on.year == year and _person(m) in {_person(x) for x in o.members}
            )
            if count + 1 > r.value:
                yield Violation(
                    r.code,
                    f"{m.name}（{m.unit_name}）{year}年已有 {count} 次出访，超过每年 {r.value} 次",
                    r.source,
                )
    if r := _on(rules, "same_level_leaders"):
        # 同一部门的同级领导不得同团出访,也不得同时分别率团出访 (第(七)条).
        abroad = list(trip.members) + [m for o in others if _overlap(trip, o) for m in o.members]
        seen: set[tuple[int, str]] = set()
        for m in trip.members:
            key = (m.unit_id, m.rank)
            if m.rank not in LEADER_RANKS or key in seen:
                continue
            together = {_person(x) for x in abroad if (x.unit_id, x.rank) == key}
            if len(together) > r.value:
                seen.add(key)
                yield Violation(
                    r.code,
                    f"{m.unit_name}{Rank(m.rank).label}领导 {len(together)} 人同时在外，"
                    f"超过 {r.value} 人",
                    r.source,
                )


def _filing(trip: TripFacts, rules: Mapping[str, RuleValue], filed_on: date) -> Iterable[Violation]:
    r = _on(rules, "file_ahead_days")
    if r and (trip.visa_apply_on - filed_on).days < r.value:
        yield Violation(
            r.code,
            f"报批日 {filed_on.isoformat()} 距办理护照签证日 {trip.visa_apply_on.isoformat()}"
            f"不足 {r.value} 天",
            r.source,
        )
    r = _on(rules, "plan_required")
    if r and r.value and not trip.in_plan:
        yield Violation(r.code, "计划外团组：未列入本单位年度出访计划", r.source)


def check(
    trip: TripFacts,
    rules: Mapping[str, RuleValue],
    others: Sequence[OtherTrip],
    filed_on: date,
) -> list[Violation]:
    """Every rule ``trip`` breaks, in the order of the notice's clauses' reading."""
    return [
        *_size(trip, rules),
        *_duration(trip, rules),
        *_per_person(trip, rules, others),
        *_filing(trip, rules, filed_on),
    ]


def plan_is_late(year: int, filed_on: date, rules: Mapping[str, RuleValue]) -> bool:
    """Was the plan for ``year`` filed after early November of the year before (第(二)条)?"""
    r = _on(rules, "plan_due_day")
    return bool(r) and filed_on > date(year - 1, 11, r.value if r else 10)
