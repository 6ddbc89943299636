"""Errors of the petitions app, under the core tree.

::

    XinfangError
    ├── TransitionNotAllowed
    │   └── GuardFailed            (the table allows the step, a rule of law refuses it)
    ├── ConcurrentChange
    └── PetitionError
        ├── AttachmentRejected      (type not allowed by content, or too large)
        └── AccusationRoutingRefused (routing an accusation to the accused, Art. 30)
"""

from __future__ import annotations

from xinfang.core.errors import TransitionNotAllowed, XinfangError


class GuardFailed(TransitionNotAllowed):
    """A guard of a step refuses it (deadline passed, extension used, …)."""


class PetitionError(XinfangError):
    """A petition write refused for a reason shown to the user."""


class AttachmentRejected(PetitionError):
    """The file's content is not an allowed type, or it exceeds the size limit."""


class AccusationRoutingRefused(PetitionError, TransitionNotAllowed):
    """An accusation must never be handed to the unit or person it accuses (条例 Art. 30)."""
