"""Errors raised by the assessment engine.

::

    XinfangError
    ├── RulebookInvalid            (xinfang.core.errors)
    │   ├── RulebookSyntaxError    a rulebook file is not YAML, or fails the schema
    │   └── RulebookNotFound       no shipped rulebook of that name, no file at that path
    ├── FactsInvalid               a facts or subjects row the engine refuses
    └── AssessmentInvalid          the platform refuses an act on a period
        ├── PhaseClosed            declaring, reviewing or appealing outside its phase
        └── ReasonMissing          a range item's points, a review or a decision without
                                   its reason

Every message is user-facing Chinese and names the file, the line or row, and the
offending value, so an office fixing its spreadsheet knows where to look.
"""

from __future__ import annotations

from xinfang.core.errors import RulebookInvalid, XinfangError

__all__ = [
    "AssessmentInvalid",
    "FactsInvalid",
    "PhaseClosed",
    "ReasonMissing",
    "RulebookInvalid",
    "RulebookNotFound",
    "RulebookSyntaxError",
]


class RulebookSyntaxError(RulebookInvalid):
    """A rulebook file that cannot be parsed or does not match the schema.

    ``problems`` lists every problem found (``file:line: field: message``), so one run
    reports them all instead of one at a time.
    """

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("考核细则文件无效：\n" + "\n".join(problems))


class RulebookNotFound(RulebookInvalid):
    """Neither a shipped rulebook name nor an existing file."""


class FactsInvalid(XinfangError):
    """One input row is refused.

    ``source`` says which input ("facts" or "subjects"), ``row`` is the 1-based data
    row as the office sees it in Excel (the header is row 1, so the first data row is
    row 2), ``column`` and ``value`` name what is wrong. The command adds the file
    path when it prints the message.
    """

    def __init__(
        self, *, source: str, row: int | None, column: str, value: object, reason: str
    ) -> None:
        self.source = source
        self.row = row
        self.column = column
        self.value = value
        self.reason = reason
        self.file: str | None = None
        super().__init__(self.render())

    def render(self, file: str | None = None) -> str:
        """The Chinese message, naming ``file`` (or the input kind) and the row."""
        where = (
            file
            or self.file
            or {"facts": "事实表", "subjects": "考核对象表"}.get(self.source, self.source)
        )
        row = f"第{self.row}行" if self.row is not None else ""
        return f"{where} {row} {self.column}={self.value!r}: {self.reason}".replace("  ", " ")


class AssessmentInvalid(XinfangError):
    """The platform refuses an act on a scheme, a period, a fact or an appeal."""


class PhaseClosed(AssessmentInvalid):
    """The act belongs to a phase the period is not in, or whose deadline has passed."""


class ReasonMissing(AssessmentInvalid):
    """Points picked within a range, a review or a decision must say why."""
