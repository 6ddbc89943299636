"""The rulebook schema: what a rulebook file may say, validated with pydantic.

A rulebook is data (domain.md §7): a base score, sections with maxima, items with
points, and the rules around them (caps, tags, first occurrences, vetoes, grades…).
The engine (``xinfang.assessment.engine``) turns a validated :class:`Rulebook` into
vectorised Polars expressions; nothing here knows about facts.

Points in the file are magnitudes (always ≥ 0); whether an item takes or gives
points follows from its section's ``mode``. See ``docs/assessment.md`` for the
reference with examples.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from xinfang.core.facts import is_duty_key

__all__ = [
    "Advanced",
    "Category",
    "Condition",
    "Group",
    "Item",
    "ItemKind",
    "MapEntry",
    "Reading",
    "Rulebook",
    "Section",
    "SectionMode",
    "TagRule",
    "Threshold",
    "Tier",
    "Variant",
    "Veto",
]

ItemKind = Literal[
    "fixed",  # fixed points per unit (occurrence, person, batch, day…)
    "range",  # the assessor picks the points per unit within [min, max] (value)
    "entered",  # the assessor enters the points (value), e.g. "per the city's standard"
    "awarded",  # awarded on review, up to `points` (value)
    "whole_group",  # takes the whole of its group's maximum ("未开展的不得分")
    "rate",  # a measured percentage (value) against a target or the subjects' average
    "part",  # a part score (value) of a weighted composite
    "condition",  # recorded for eligibility only (value), no points
    "veto",  # no points; the veto attached decides the effect
    "first_occurrence",  # the earliest fact of `items` across all subjects, at `points`
]

SectionMode = Literal[
    "deduct",  # starts at `max`, loses points, never below 0 (扣完为止)
    "penalty",  # takes points from the base score, at most `max` in all if given
    "award",  # accumulates points, at most `max`
    "composite",  # Σ weight × part score
    "record",  # vetoes and conditions only; contributes nothing
]

Unit = Literal["occurrence", "person", "batch", "day", "item", "time", "case"]


class _Strict(BaseModel):
    """Unknown keys are errors: a typo in a rulebook must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(_Strict):
    """A lower bound on a score: ``score >= min`` (or ``>`` when not inclusive)."""

    min: float
    inclusive: bool = True

    def holds(self, score: float) -> bool:
        """Whether ``score`` reaches this threshold."""
        return score >= self.min if self.inclusive else score > self.min


class Tier(Threshold):
    """One band of a grade or payout table; tiers are listed best first."""

    label: str | None = None
    ratio: float | None = Field(default=None, ge=0, le=1)
    qualified: bool = True


class Reading(_Strict):
    """How a garbled or inconsistent passage of the source was read.

    ``code`` is the item, group, section or category code concerned; the consistency
    check downgrades its own findings on that code from errors to warnings, because
    the inconsistency is the source's and the chosen reading is on record.
    """

    code: str
    source: str  # the passage as printed
    reading: str  # what the file uses
    why: str


class Veto(_Strict):
    """What a fact of the item does beyond its points (一票否决)."""

    effect: Literal["fail", "honours"]  # fail the subject / remove eligibility for honours
    zero_section: bool = False  # the item's section is set to 0 (Shenzhen 4.1)
    label: str  # Chinese, shown in the result


class Variant(_Strict):
    """A tag that replaces the item's points, e.g. collective visit 0.03 instead of 0.01."""

    tag: str
    points: float = Field(ge=0)
    title: str


class Item(_Strict):
    """One assessable item, identified by the code of ``rulebooks.md``."""

    code: str
    title: str
    kind: ItemKind = "fixed"
    points: float | None = Field(default=None, ge=0)
    min: float | None = Field(default=None, ge=0)
    max: float | None = Field(default=None, ge=0)
    per: Unit = "occurrence"
    once: bool = False  # a thing present or missing: counts at most once a period
    cap: float | None = Field(default=None, ge=0)  # most points the item takes a period
    allowance: int = Field(default=0, ge=0)  # the first N units a period are free
    group: str | None = None
    categories: list[str] | None = None  # None: every category
    variants: list[Variant] = []
    veto: Veto | None = None
    # rate items
    target: float | Literal["average"] | None = None
    per_point: float | None = Field(default=None, ge=0)
    step: float = Field(default=1, gt=0)
    # part items
    weight: float | None = Field(default=None, ge=0, le=1)
    # Who gives a part's score on the platform (Loudi 公众评议 / 领导评价 / 同级评价):
    # ``leaders`` and ``peers`` rate through forms, a ``survey`` result is entered by the
    # office with its evidence attached. None: entered like any fact.
    collected: Literal["leaders", "peers", "survey"] | None = None
    # A fact of this item whose value is below this fails the subject (Loudi's city
    # departments: every indicator at least 60); listed among its vetoes by the item code.
    fail_below: float | None = Field(default=None, ge=0)
    # first_occurrence items
    items: list[str] = []
    article: str | None = None  # the legal basis, e.g. "《信访工作条例》第34条"
    note: str | None = None

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> Item:
        """Each kind needs its own fields and forbids the others' (clear errors early)."""
        need: dict[str, tuple[str, ...]] = {
            "fixed": ("points",),
            "range": ("min", "max"),
            "entered": (),
            "awarded": ("points",),
            "whole_group": ("group",),
            "rate": ("target", "per_point"),
            "part": ("weight",),
            "condition": (),
            "veto": ("veto",),
            "first_occurrence": ("points", "items"),
        }
        missing = [f for f in need[self.kind] if getattr(self, f) in (None, [])]
        if missing:
            raise ValueError(f"{self.kind} 类项目必须填写 {', '.join(missing)}")
        if (
            self.kind == "range"
            and self.min is not None
            and self.max is not None
            and self.min > self.max
        ):
            raise ValueError(f"区间下限 {self.min} 大于上限 {self.max}")
        if self.kind != "range" and self.kind != "entered" and self.min is not None:
            raise ValueError("只有 range 类项目可以填写 min")
        if self.kind in ("rate", "part", "condition", "veto") and self.points is not None:
            raise ValueError(f"{self.kind} 类项目不填写 points")
        if self.allowance and (self.kind != "fixed" or self.variants):
            raise ValueError("allowance 只用于固定分值且无变体标签的项目")
        if self.once and self.kind not in ("fixed", "whole_group"):
            raise ValueError("once 只用于固定分值的项目")
        if self.variants and self.kind != "fixed":
            raise ValueError("variants 只用于固定分值的项目")
        if self.collected is not None and self.kind != "part":
            raise ValueError("collected 只用于 part 类项目")
        if self.fail_below is not None and self.kind not in ("part", "entered", "range"):
            raise ValueError("fail_below 只用于按分值计分的项目（part、entered、range）")
        return self

    @property
    def unit_points(self) -> float:
        """Points for one unit of a fixed item (0 for other kinds)."""
        return self.points or 0.0


class Group(_Strict):
    """Items sharing a maximum inside a section (e.g. xinfang item 1.1, 0.3 points)."""

    code: str
    title: str
    max: float = Field(ge=0)
    # The maximum as the source prints it, when the file reads it differently
    # (garbled); the check recomputes the section with it to show the inconsistency.
    source_max: float | None = Field(default=None, ge=0)


class Section(_Strict):
    """A section (the ``1``…``8`` of rulebooks.md) with its mode and maximum."""

    code: str
    title: str
    mode: SectionMode
    max: float | None = Field(default=None, ge=0)
    extra: bool = False  # bonus or penalty outside the declared total (Loudi ±50)
    yearly: Literal["mean"] | None = None  # scored per calendar year, then averaged
    groups: list[Group] = []
    items: list[Item]

    @model_validator(mode="after")
    def _mode_needs_max(self) -> Section:
        if self.mode in ("deduct",) and self.max is None:
            raise ValueError("deduct 节必须填写 max（起始分与扣分上限）")
        return self


class Category(_Strict):
    """A category of subjects with its own maximum (Shenzhen A 100 / B 95 / C 80)."""

    code: str
    title: str
    max: float = Field(gt=0)


class TagRule(_Strict):
    """A modifier code on a fact that multiplies the points of the items listed."""

    code: str
    title: str
    multiplier: float = Field(gt=0)
    items: list[str]


class Condition(_Strict):
    """An eligibility condition: the mean value of ``item``'s facts is at least ``min``."""

    item: str
    min: float


class Advanced(_Strict):
    """Top-N-percent "advanced" among the qualified subjects meeting conditions."""

    share: float = Field(gt=0, le=1)  # of the subjects assessed (in the category)
    label: str
    qualified_label: str
    unqualified_label: str
    requires: list[Condition] = []
    excludes: list[str] = []  # item codes: a fact of one of these rules a subject out


class MapEntry(_Strict):
    """A platform duty key scored as one of this rulebook's items (``mapping:``).

    The apps emit facts under namespaced duty keys (docs/assessment.md, "Duty keys"); the
    engine turns a fact of ``key`` into a fact of ``item`` with ``tags`` (this rulebook's
    own tag codes; the app's tags are dropped). ``why`` records the reading where it is a
    judgement which item the source meant.
    """

    key: str
    item: str
    tags: list[str] = []
    why: str | None = None

    @field_validator("key")
    @classmethod
    def _key_is_a_duty_key(cls, key: str) -> str:
        if not is_duty_key(key):
            raise ValueError(
                f"“{key}”不是职责键（应为 app.noun.what，小写，如 petitions.route.late）"
            )
        return key


class Period(_Strict):
    """The period a rulebook assesses; the dates come from the command line."""

    kind: Literal["bimonthly", "campaign", "annual", "two_years", "holiday"]
    description: str


class Rulebook(_Strict):
    """A complete, versioned rulebook."""

    rulebook: str
    version: str
    title: str
    source: str
    subjects: str
    period: Period
    base: float = 0  # score before the sections (pinghu 100, junan 1000)
    total: float = Field(gt=0)  # declared maximum (without extra sections)
    floor: float | None = None  # the score never goes below this
    categories: list[Category] = []
    sections: list[Section]
    tags: list[TagRule] = []
    pass_mark: Threshold | None = None
    grades: list[Tier] = []
    payout: list[Tier] = []
    advanced: Advanced | None = None
    readings: list[Reading] = []
    mapping: list[MapEntry] = []
    notes: list[str] = []

    def items(self) -> list[tuple[Section, Item]]:
        """Every item with its section, in file order."""
        return [(s, i) for s in self.sections for i in s.items]

    def item(self, code: str) -> Item | None:
        """The item of that code, or None."""
        for _, i in self.items():
            if i.code == code:
                return i
        return None

    def category_max(self, category: str | None) -> float:
        """The maximum for a subject of ``category`` (the total without categories)."""
        for c in self.categories:
            if c.code == category:
                return c.max
        return self.total
