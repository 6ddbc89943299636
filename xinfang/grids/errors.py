"""Errors of the grids app (messages are user-facing Chinese).

::

    XinfangError (core)
    └── GridsError
        ├── GeoJSONInvalid        (a boundary file that is not the expected GeoJSON)
        ├── GeometryInvalid       (a polygon shapely finds invalid; the message names the grid)
        ├── AddressImportRejected (an address file with bad rows; nothing was imported)
        ├── StaffingInvalid       (an AB pair or a grant that does not fit the grid)
        └── MeetingIncomplete     (a 当日清 meeting with an item left without a disposition)
"""

from __future__ import annotations

from collections.abc import Sequence

from xinfang.core.errors import XinfangError


class GridsError(XinfangError):
    """A grids operation that cannot proceed."""


class GeoJSONInvalid(GridsError):
    """The file is not a FeatureCollection of one community and its grids."""


class GeometryInvalid(GridsError):
    """A community or grid polygon is not a valid simple polygon."""

    def __init__(self, label: str, reason: str) -> None:
        super().__init__(f"{label}的边界无效：{reason}")
        self.label = label
        self.reason = reason


class AddressImportRejected(GridsError):
    """An import whose rows failed validation; ``errors`` lists them (row, column, message)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("导入失败，未导入任何地址：\n" + "\n".join(errors))
        self.errors = errors


class StaffingInvalid(GridsError):
    """A staffing change that does not fit (a pair of one person, a worker without a grant)."""


class MeetingIncomplete(GridsError):
    """The daily meeting left items without a disposition, so it was not recorded as held.

    ``labels`` names each item (``民情日志 12(甲村G11网格:楼道灯坏了三天)``)."""

    def __init__(self, labels: Sequence[str]) -> None:
        super().__init__(
            "当日清会议未登记：以下事项尚未议定处理方式（会上办结、转交单位或上报街道）："
            + "、".join(labels)
        )
        self.labels = list(labels)
