"""Errors of the documents app.

::

    XinfangError
    └── DocumentsError
        └── DocumentAltered     (an issued document's stored PDF no longer matches its digest)

Messages are user-facing Chinese.
"""

from __future__ import annotations

from xinfang.core.errors import XinfangError

__all__ = ["DocumentAltered", "DocumentsError"]


class DocumentsError(XinfangError):
    """Base of the documents app's own errors."""


class DocumentAltered(DocumentsError):
    """The stored bytes of an issued document fail its SHA-256: it is never printed so."""
