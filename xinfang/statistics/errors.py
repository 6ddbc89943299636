"""Errors of the statistics app.

::

    XinfangError
    ├── InputInvalid
    │   └── StatisticsInvalid      a request the statistics cannot answer
    │       ├── PeriodInvalid      a period that does not parse or is too long
    │       └── RankingInvalid     weights or sample size out of range
    └── NotFoundOrForbidden        (core) a unit outside the user's subtrees
"""

from __future__ import annotations

from xinfang.core.errors import InputInvalid

__all__ = ["PeriodInvalid", "RankingInvalid", "StatisticsInvalid"]


class StatisticsInvalid(InputInvalid):
    """A statistics request that cannot be answered as asked (422 over the API)."""


class PeriodInvalid(StatisticsInvalid):
    pass


class RankingInvalid(StatisticsInvalid):
    pass
