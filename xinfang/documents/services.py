"""Issuing official documents: numbered, rendered once, stored, re-printed as issued.

- :func:`issue` — the issued document of a draft: the stored one when its source was issued
  before, else a new one with the next number of its type and year (GB/T 9704-2012 §7.2.4:
  ``甲镇受告〔2026〕13号``), its PDF rendered now and kept with its data and SHA-256.
- :func:`next_serial` — the per-body, per-type, per-year counter behind the number.
- :func:`printable` — the bytes a user may print of an issued document: the stored PDF
  (its digest checked), or, for a user not entitled to a confidential petitioner's
  identity, a copy rendered from the stored data without it (条例 Art. 30).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import IntegrityError, transaction

from xinfang.core import audit
from xinfang.core.models import AuditAction
from xinfang.documents.drafts import DOCUMENTS, PETITIONER, Draft
from xinfang.documents.errors import DocumentAltered
from xinfang.documents.models import DocumentCounter, IssuedDocument
from xinfang.documents.pdf import masked, render_pdf
from xinfang.documents.punctuation import fullwidth_data
from xinfang.org.models import Unit
from xinfang.petitions.confidentiality import accuser_withheld, identity_visible
from xinfang.petitions.models import Petition

__all__ = ["TEMPLATES", "doc_number", "issue", "next_serial", "printable"]

TEMPLATES = {kind: spec.template for kind, spec in DOCUMENTS.items()} | {
    "supervision_notice": "documents/supervision_notice.html"
}


def doc_number(unit: Unit, code: str, year: int, serial: int) -> str:
    """The 发文字号: organ, type code, year in 〔〕, serial, 号 (no leading zeros)."""
    return f"{unit.name}{code}〔{year}〕{serial}号"


def next_serial(unit: Unit, code: str, year: int) -> int:
    """The next serial number of ``unit``'s ``code`` documents in ``year`` (row-locked)."""
    DocumentCounter.objects.get_or_create(unit=unit, code=code, year=year)
    counter = DocumentCounter.objects.select_for_update().get(unit=unit, code=code, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _existing(kind: str, source: str) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(kind=kind, source=source).select_related("unit").first()


@transaction.atomic
def issue(petition: Petition, draft: Draft, *, actor: Any) -> IssuedDocument:
    """The issued document of ``draft``: issued now if its source never was."""
    found = _existing(draft.kind, draft.source)
    if found is not None:
        return found
    # One issuer at a time per matter: two clerks printing at once get one number.
    Petition.objects.select_for_update().filter(pk=petition.pk).first()
    found = _existing(draft.kind, draft.source)
    if found is not None:
        return found
    data = fullwidth_data(dict(draft.data))
    if draft.cites is not None:
        kind, source = draft.cites
        cited = next((d for d in DOCUMENTS[kind].drafts(petition) if d.source == source), None)
        data["cited_number"] = issue(petition, cited, actor=actor).number if cited else ""
    year = draft.issued_on.year
    serial = None if draft.number else next_serial(draft.unit, draft.code, year)
    number = draft.number or doc_number(draft.unit, draft.code, year, serial or 0)
    data["number"] = number
    pdf = render_pdf(TEMPLATES[draft.kind], data)
    try:
        with transaction.atomic():
            doc = IssuedDocument.objects.create(
                petition=petition,
                kind=draft.kind,
                source=draft.source,
                title=draft.title,
                unit=draft.unit,
                code=draft.code,
                year=year,
                serial=serial,
                number=number,
                issued_on=draft.issued_on,
                issued_by=actor if getattr(actor, "pk", None) else None,
                data=data,
                pdf=pdf,
                sha256=hashlib.sha256(pdf).hexdigest(),
            )
    except IntegrityError:
        found = _existing(draft.kind, draft.source)
        if found is None:
            raise
        return found
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=petition,
        after={"document": doc.title, "number": doc.number, "sha256": doc.sha256},
        detail={"issued_document": doc.pk, "source": doc.source},
    )
    return doc


def entitled(user: Any, doc: IssuedDocument) -> bool:
    """May ``user`` print the document as issued (with a confidential identity on it)?
    Never where the accuser of an accusation is withheld from the user (条例 Art. 30:
    the petition office that routed it to the discipline body keeps it without the name)."""
    if accuser_withheld(user, doc.petition):
        return False
    if doc.data.get("confidential") is not True or doc.kind not in DOCUMENTS:
        return True
    if DOCUMENTS[doc.kind].audience != PETITIONER:
        return True
    return identity_visible(user, doc.petition)


def stored_pdf(doc: IssuedDocument) -> bytes:
    """The PDF as issued; refused if it no longer matches the digest taken at issue."""
    stored = bytes(doc.pdf)
    if hashlib.sha256(stored).hexdigest() != doc.sha256:
        raise DocumentAltered(f"文书{doc.number}的存档与出具时的摘要不符，请联系管理员")
    return stored


def printable(doc: IssuedDocument, user: Any) -> bytes:
    """What ``user`` may print of ``doc``: the stored PDF, or the copy without identity."""
    stored = stored_pdf(doc)
    if entitled(user, doc):
        return stored
    return render_pdf(TEMPLATES[doc.kind], masked(doc.data))
