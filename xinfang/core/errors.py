"""Xinfang's exception tree.

::

    XinfangError
    ├── NotFoundOrForbidden      (missing and forbidden look the same: 404)
    ├── InputInvalid             (a request's input is malformed for the operation: 422)
    ├── TransitionNotAllowed     (a workflow step the table or the grant refuses)
    ├── ConcurrentChange         (compare-and-swap lost: someone else moved the object: 409)
    ├── DeadlineError
    │   ├── CalendarNotCovered   (a date in a year the holiday table does not cover)
    │   └── HolidayNoticeInvalid (a year's holiday notice refused, with the lines to fix)
    ├── PersonalDataError
    │   ├── InvalidIdNumber
    │   └── TamperedCiphertext   (a stored value fails authentication: changed or damaged)
    └── RulebookInvalid          (raised by xinfang.assessment)

Each app may subclass these; messages are user-facing Chinese. The API answers every one
through one handler (``xinfang.api``): the statuses above, 400 for any other refusal.
"""

from __future__ import annotations


class XinfangError(Exception):
    """Base of every error Xinfang raises on purpose; ``str()`` is a Chinese message."""


class OfficeZipRejected(XinfangError):
    """An uploaded Office file (a zip) holds what no document holds, or is a zip bomb."""


class NotFoundOrForbidden(XinfangError):
    """The object does not exist or the actor may not see it; callers cannot tell which."""


class InputInvalid(XinfangError):
    """The input has the wrong shape for the operation (an unknown key, a wrong type)."""


class TransitionNotAllowed(XinfangError):
    """The transition table, a guard, or the actor's grant refuses this step."""


class ConcurrentChange(XinfangError):
    """The object changed state between reading and writing it."""


class DeadlineError(XinfangError):
    """A due date cannot be computed."""


class CalendarNotCovered(DeadlineError):
    """The official holiday calendar has no entries for the year asked about."""


class HolidayNoticeInvalid(DeadlineError):
    """A transcribed holiday notice that does not validate or cannot be entered as it is.

    ``problems`` lists every problem as ``(line, message)`` (1-based line of the YAML, 0
    when unknown), so one attempt reports them all.
    """

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"第 {line} 行：{message}" for line, message in problems))

    def located(self, filename: str) -> list[str]:
        """The problems as ``FILE:LINE: message`` lines, the way compilers report them."""
        return [f"{filename}:{line}: {message}" for line, message in self.problems]


class PersonalDataError(XinfangError):
    """Personal data could not be encrypted, decrypted or validated."""


class InvalidIdNumber(PersonalDataError):
    """A resident ID number fails the GB 11643 format or checksum."""


class TamperedCiphertext(PersonalDataError):
    """A sealed personal-data value does not authenticate: it was changed or damaged."""


class RulebookInvalid(XinfangError):
    """A rulebook file does not validate."""
