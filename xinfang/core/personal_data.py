"""Personal data fields: encrypted at rest, searchable by keyed hash, masked on display.

Declare on a model::

    class Petitioner(models.Model):
        id_number = ProtectedField("id_number", verbose_name="身份证号")
        phone = ProtectedField("phone", verbose_name="联系电话")
        address = ProtectedField("address", verbose_name="住址")

Each declaration adds three columns: ``<name>_token`` (the sealed value), ``<name>_digest``
(HMAC-SM3 of the normalised value, indexed, for exact-match search) and ``<name>_masked``
(what every page shows). Assigning ``obj.phone = "138…"`` validates and fills all three;
reading ``obj.phone`` returns the masked text. The full value is read only through
:func:`reveal`, which writes an audit entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from django.db import models

from xinfang.core import audit, crypto
from xinfang.core.errors import InvalidIdNumber, PersonalDataError, TamperedCiphertext
from xinfang.core.models import AuditAction

__all__ = [
    "ProtectedField",
    "digest_for",
    "mask_address",
    "mask_id_number",
    "mask_phone",
    "normalize_address",
    "normalize_phone",
    "protected_field_names",
    "register_sealed_files",
    "reveal",
    "sealed_file_rekeyers",
    "validate_id_number",
]

Kind = Literal["address", "id_number", "phone"]

ADDRESS_MAX_LENGTH = 200
# The masked address keeps its first characters (the township or street, which every
# handler of a local matter knows anyway) and hides the house; the mask has a fixed length
# so that it tells nothing about the rest.
ADDRESS_SHOWN_CHARS = 6

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{5,8})$")


def validate_id_number(raw: str) -> str:
    """Return the normalised 18-character ID number or raise :class:`InvalidIdNumber`.

    GB 11643-1999: 17 digits and a check character (0–9 or X) computed modulo 11.
    """
    value = (raw or "").strip().upper()
    if not _ID_RE.match(value):
        raise InvalidIdNumber("身份证号码应为18位：17位数字加1位数字或X")
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        raise InvalidIdNumber("身份证号码校验位不正确，请核对")
    return value


def normalize_phone(raw: str) -> str:
    value = re.sub(r"[\s()()]", "", raw or "")
    value = value.removeprefix("+86")
    if not _PHONE_RE.match(value):
        raise PersonalDataError("电话号码格式不正确：手机号为11位，座机为区号-号码")
    return value


def normalize_address(raw: str) -> str:
    value = " ".join((raw or "").split())
    if len(value) > ADDRESS_MAX_LENGTH:
        raise PersonalDataError(f"住址过长：不得超过 {ADDRESS_MAX_LENGTH} 字")
    return value


def mask_address(value: str) -> str:
    shown = min(ADDRESS_SHOWN_CHARS, len(value) // 2)
    return value[:shown] + "****"


def mask_id_number(value: str) -> str:
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_phone(value: str) -> str:
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


_NORMALIZERS = {
    "address": normalize_address,
    "id_number": validate_id_number,
    "phone": normalize_phone,
}
_MASKERS = {"address": mask_address, "id_number": mask_id_number, "phone": mask_phone}


def digest_for(kind: Kind, raw: str) -> str:
    """The keyed hash to search ``<name>_digest`` columns with (raises on invalid input)."""
    return crypto.blind_index(_NORMALIZERS[kind](raw), kind)


class ProtectedField(property):
    """Declares an encrypted personal-data attribute (three concrete columns).

    On instances it reads as the masked text and accepts the plain value on assignment.
    It is a ``property`` subclass so that Django treats it like one: ``Model(phone=…)``,
    ``objects.create(phone=…)`` and ``get_or_create(defaults={"phone": …})`` all go through
    :meth:`__set__` (and so are encrypted), never to a column.
    """

    def __init__(self, kind: Kind, verbose_name: str = "") -> None:
        super().__init__()
        self.kind = kind
        self.verbose_name = verbose_name
        self.name = ""

    def contribute_to_class(self, cls: type[models.Model], name: str) -> None:
        self.name = name
        token = models.TextField(blank=True, default="", editable=False)
        token.audit_redact = True  # type: ignore[attr-defined]
        digest = models.CharField(max_length=64, blank=True, default="", editable=False)
        digest.audit_redact = True  # type: ignore[attr-defined]
        cls.add_to_class(f"{name}_token", token)
        cls.add_to_class(f"{name}_digest", digest)
        cls.add_to_class(
            f"{name}_masked",
            models.CharField(self.verbose_name or name, max_length=32, blank=True, default=""),
        )
        setattr(cls, name, self)
        existing = dict(getattr(cls, "_personal_data_fields", {}))
        existing[name] = self.kind
        cls._personal_data_fields = existing  # type: ignore[attr-defined]

    def __get__(self, obj: Any, owner: type | None = None, /) -> Any:
        # On the class: the declaration itself; on an instance: the masked text (a str).
        if obj is None:
            return self
        return str(getattr(obj, f"{self.name}_masked"))

    def __set__(self, obj: Any, raw: str | None) -> None:
        value = _NORMALIZERS[self.kind](raw) if raw else ""
        if not value:
            for suffix in ("token", "digest", "masked"):
                setattr(obj, f"{self.name}_{suffix}", "")
            return
        setattr(obj, f"{self.name}_token", crypto.seal(value))
        setattr(obj, f"{self.name}_digest", crypto.blind_index(value, self.kind))
        setattr(obj, f"{self.name}_masked", _MASKERS[self.kind](value))


# Files sealed with the same keys (attachments): each app that stores some registers, in its
# AppConfig.ready, a function re-sealing them under the active key, so that
# `xinfang rekey_personal_data` covers them before the old key is dropped. The function
# takes keyword-only ``batch_size`` and ``dry_run`` and returns how many files it
# re-sealed (or would).
SealedFilesRekeyer = Callable[..., int]
_SEALED_FILES: dict[str, SealedFilesRekeyer] = {}


def register_sealed_files(label: str, rekey: SealedFilesRekeyer) -> None:
    _SEALED_FILES[label] = rekey


def sealed_file_rekeyers() -> dict[str, SealedFilesRekeyer]:
    return dict(_SEALED_FILES)


def protected_field_names(model: type[models.Model]) -> dict[str, Kind]:
    return dict(getattr(model, "_personal_data_fields", {}))


def reveal(obj: models.Model, name: str, *, actor: Any, reason: str = "") -> str:
    """Decrypt one personal-data value and log the read. Callers check the permission first."""
    token = getattr(obj, f"{name}_token")
    if not token:
        return ""
    try:
        value = crypto.open_(token)
    except TamperedCiphertext:
        # A ciphertext that fails authentication was changed in the database: record the
        # attempt (the read was asked for) and let the caller show the error, not the value.
        audit.record(
            actor=actor,
            action=AuditAction.PII_READ,
            obj=obj,
            detail={"field": name, "reason": reason, "failed": "tampered"},
        )
        raise
    audit.record(
        actor=actor,
        action=AuditAction.PII_READ,
        obj=obj,
        detail={"field": name, "reason": reason},
    )
    return value
