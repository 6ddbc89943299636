"""Errors of the trips app (messages are user-facing Chinese).

::

    XinfangError (core)
    ├── TransitionNotAllowed
    │   └── RulesViolated          (a request filed or approved with an unexcepted violation)
    └── TripError
        ├── TripInvalid            (a request, rule or plan that cannot be recorded as given)
        └── ExceptionRefused       (an exception without reason, or by someone not entitled)
"""

from __future__ import annotations

from xinfang.core.errors import TransitionNotAllowed, XinfangError

__all__ = ["ExceptionRefused", "RulesViolated", "TripError", "TripInvalid"]


class TripError(XinfangError):
    """A trips operation that cannot proceed."""


class TripInvalid(TripError):
    """A request, rule or plan that cannot be recorded as given."""


class ExceptionRefused(TripError):
    """An exception to a rule that the actor may not grant, or without a reason."""


class RulesViolated(TransitionNotAllowed):
    """The request breaks rules for which the approving level recorded no exception."""
