"""Errors of the petitions app, under the core tree.

::

    XinfangError
    ├── TransitionNotAllowed
    │   └── GuardFailed            (the table allows the step, a rule of law refuses it)
    │       └── StepInputInvalid   (a step's input has an unknown key or a wrong type)
    ├── ConcurrentChange
    └── PetitionError
        ├── AttachmentRejected      (type not allowed by content, or too large)
        └── AccusationRoutingRefused (routing an accusation to the accused, Art. 30)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from xinfang.core.errors import InputInvalid, TransitionNotAllowed, XinfangError

if TYPE_CHECKING:
    from pydantic import ValidationError


class GuardFailed(TransitionNotAllowed):
    """A guard of a step refuses it (deadline passed, extension used, …)."""


class StepInputInvalid(GuardFailed, InputInvalid):
    """A step's input has a key the step does not take, or a value of the wrong type.

    ``unknown`` lists the refused keys (the API answers 422 and names them)."""

    def __init__(self, message: str, *, unknown: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.unknown = unknown

    @classmethod
    def from_validation(cls, label: str, exc: ValidationError) -> StepInputInvalid:
        errors = exc.errors()
        unknown = tuple(
            str(e["loc"][0]) for e in errors if e["type"] == "extra_forbidden" and e["loc"]
        )
        if unknown:
            return cls(f"“{label}”不接受参数：{'、'.join(unknown)}", unknown=unknown)
        names = "、".join(sorted({str(e["loc"][0]) for e in errors if e["loc"]})) or "参数"
        return cls(f"“{label}”的参数无效：{names}")


class PetitionError(XinfangError):
    """A petition write refused for a reason shown to the user."""


class AttachmentRejected(PetitionError):
    """The file's content is not an allowed type, or it exceeds the size limit."""


class AccusationRoutingRefused(PetitionError, TransitionNotAllowed):
    """An accusation must never be handed to the unit or person it accuses (条例 Art. 30)."""
