"""Who approves a trip: the level named by the rank of its most senior member — pure.

渝委发〔2005〕14号 第(十二)条 routes a request by the rank of those who travel: 市管干部
(县处级) are approved by the city (市委/市政府, through the 市外办), and, as the notice's
last clause extends it to 非市管党政干部, those below by the county; 厅局级 and above go
to the province. The table is data; :func:`approving_level` reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xinfang.org.choices import UnitLevel
from xinfang.trips.choices import SENIORITY, Rank

__all__ = ["APPROVAL_TABLE", "Approval", "approving_level", "approving_unit_path", "most_senior"]


@dataclass(frozen=True)
class Approval:
    ranks: frozenset[str]
    level: str
    label: str
    source: str


APPROVAL_TABLE: tuple[Approval, ...] = (
    Approval(
        frozenset({Rank.PROVINCIAL, Rank.BUREAU_CHIEF, Rank.BUREAU_DEPUTY}),
        UnitLevel.PROVINCE,
        "省委、省政府（省外办审核）",
        "中办发〔2005〕17号",
    ),
    Approval(
        frozenset({Rank.COUNTY_CHIEF, Rank.COUNTY_DEPUTY}),
        UnitLevel.CITY,
        "市委、市政府（市外办审核）",
        "渝委发〔2005〕14号 第（十二）条",
    ),
    Approval(
        frozenset({Rank.SECTION, Rank.STAFF}),
        UnitLevel.COUNTY,
        "县委、县政府（县外办审核）",
        "渝委发〔2005〕14号 第（二十）条（参照执行）",
    ),
)


def most_senior(ranks: Iterable[str]) -> str:
    """The most senior of ``ranks`` (:data:`~xinfang.trips.choices.SENIORITY`)."""
    listed = [r for r in ranks if r in SENIORITY]
    return min(listed, key=SENIORITY.index) if listed else Rank.STAFF


def approving_level(ranks: Iterable[str]) -> Approval:
    top = most_senior(ranks)
    return next(a for a in APPROVAL_TABLE if top in a.ranks)


def approving_unit_path(level: str, chain: Sequence[tuple[str, str]]) -> str:
    """The path of the approving unit among the organizing unit's ``chain`` of (level, path)
    from the top down, itself included: the nearest unit of ``level``, or the top of the
    tree when the chain has none (a tree without that level)."""
    found = [path for lvl, path in chain if lvl == level]
    return found[-1] if found else chain[0][1]
