"""Errors of the organisation app.

::

    XinfangError
    └── OrgError
        └── OrgImportInvalid   (a workbook refused: every problem, by sheet, row and column)
"""

from __future__ import annotations

from xinfang.core.errors import XinfangError


class OrgError(XinfangError):
    """A refusal by the organisation app."""


class OrgImportInvalid(OrgError):
    """The organisation workbook does not validate; nothing was imported.

    ``problems`` holds every problem found, each naming its sheet, row and column, so one
    attempt reports them all.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"组织机构表有 {len(problems)} 处错误，未导入任何数据：" + ";".join(problems[:5])
        )
