"""Errors of the supervision app.

::

    XinfangError
    ├── TransitionNotAllowed   (core: the actor's grant refuses the action)
    ├── ConcurrentChange       (core: compare-and-swap lost)
    └── SupervisionError
        └── SupervisionInvalid (a rule of supervision: six fields, dates, people)

Messages are user-facing Chinese.
"""

from __future__ import annotations

from xinfang.core.errors import XinfangError


class SupervisionError(XinfangError):
    """Base of the supervision app's own errors."""


class SupervisionInvalid(SupervisionError):
    """Input that breaks a rule of supervision; ``str()`` says which, in Chinese."""
