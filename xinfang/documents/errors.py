"""Errors of the documents app.

::

    XinfangError
    └── DocumentsError
        ├── DocumentAltered     (an issued document's stored PDF no longer matches its digest)
        └── RegisterImportInvalid (the general register to import does not validate)

Messages are user-facing Chinese.
"""

from __future__ import annotations

from xinfang.core.errors import XinfangError

__all__ = ["DocumentAltered", "DocumentsError", "RegisterImportInvalid"]


class DocumentsError(XinfangError):
    """Base of the documents app's own errors."""


class DocumentAltered(DocumentsError):
    """The stored bytes of an issued document fail its SHA-256: it is never printed so."""


class RegisterImportInvalid(DocumentsError):
    """The general register to import does not validate, or a row's step was refused;
    nothing was imported. ``problems`` holds every problem, each naming sheet, row and
    column, so one attempt reports them all."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            f"总登记簿有 {len(problems)} 处错误，未导入任何数据：" + ";".join(problems[:5])
        )
