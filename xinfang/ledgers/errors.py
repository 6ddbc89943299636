"""Errors of the ledgers app (messages are user-facing Chinese).

::

    XinfangError (core)
    ├── NotFoundOrForbidden
    ├── TransitionNotAllowed
    │   └── VerifierConflict     (the resolver cannot verify their own close-out)
    ├── ConcurrentChange
    └── LedgerError
        └── ImportRejected       (an xlsx import with bad rows; nothing was imported)
"""

from __future__ import annotations

from xinfang.core.errors import TransitionNotAllowed, XinfangError


class VerifierConflict(TransitionNotAllowed):
    """Close-out verification by the person who resolved the dispute."""


class LedgerError(XinfangError):
    """A ledger operation that cannot proceed."""


class ImportRejected(LedgerError):
    """An import whose rows failed validation; ``errors`` lists them (row, column, message)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("导入失败，未导入任何数据：\n" + "\n".join(errors))
        self.errors = errors
