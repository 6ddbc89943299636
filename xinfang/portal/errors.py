"""Errors of the portal app.

::

    XinfangError
    └── PortalError
        └── PortalInvalid        (a request the portal refuses, with the reason)
            └── PhoneCodeInvalid (a phone verification code wrong, expired or used up)

Messages are user-facing Chinese.
"""

from __future__ import annotations

from xinfang.core.errors import XinfangError

__all__ = ["PhoneCodeInvalid", "PortalError", "PortalInvalid"]


class PortalError(XinfangError):
    """Base of the portal app's own errors."""


class PortalInvalid(PortalError):
    """A request the portal refuses; ``str()`` says why, in Chinese."""


class PhoneCodeInvalid(PortalInvalid):
    """The phone verification code is wrong, expired or out of tries."""
