""" "My matters": what a citizen with a verified phone sees of each of their matters.

For each matter: where it stands (``progress.describe``), its documents as issued (listed
by the documents app, which registers :func:`register_document_lister` from its
``ready()``: the portal sits below it and cannot import it), and who in which office read
the petitioner's full personal data and when — the ``pii_read`` entries of the audit trail
on the matter's petitioners (domain principle: reads are logged, and shown to the person).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from xinfang.core.models import AuditAction, AuditEntry
from xinfang.petitions.models import Petition, Petitioner
from xinfang.portal import progress

__all__ = [
    "DocumentLink",
    "MatterCard",
    "PersonalDataRead",
    "cards",
    "register_document_lister",
]

FIELD_LABELS = {"phone": "联系电话", "id_number": "身份证号码", "address": "住址"}


@dataclass(frozen=True)
class DocumentLink:
    title: str
    number: str
    issued: str  # the document's date, "2026年3月2日"
    url: str


@dataclass(frozen=True)
class PersonalDataRead:
    at: datetime
    who: str
    office: str
    what: str


@dataclass
class MatterCard:
    petition: Petition
    view: progress.Progress
    documents: list[DocumentLink] = field(default_factory=list)
    reads: list[PersonalDataRead] = field(default_factory=list)


DocumentLister = Callable[[Petition], list[DocumentLink]]
_LISTERS: list[DocumentLister] = []


def register_document_lister(lister: DocumentLister) -> None:
    if lister not in _LISTERS:
        _LISTERS.append(lister)


def _reads(petition: Petition) -> list[PersonalDataRead]:
    people = [
        str(pk) for pk in Petitioner.objects.filter(petition=petition).values_list("pk", flat=True)
    ]
    entries = (
        AuditEntry.objects.filter(
            action=AuditAction.PII_READ,
            object_type=Petitioner._meta.label_lower,
            object_id__in=people,
        )
        .select_related("actor__unit")
        .order_by("-created_at", "-seq")
    )
    out = []
    for entry in entries:
        if (entry.detail or {}).get("failed"):
            continue  # a value that failed to decrypt was not read
        actor = entry.actor
        field_name = (entry.detail or {}).get("field", "")
        out.append(
            PersonalDataRead(
                at=timezone.localtime(entry.created_at),
                who=(actor.full_name or actor.username) if actor else entry.actor_label,
                office=actor.unit.name if actor is not None and actor.unit else "",
                what=FIELD_LABELS.get(field_name, field_name),
            )
        )
    return out


def cards(matters: Any) -> list[MatterCard]:
    out = []
    for petition in matters:
        card = MatterCard(petition=petition, view=progress.describe(petition))
        for lister in _LISTERS:
            card.documents.extend(lister(petition))
        card.reads = _reads(petition)
        out.append(card)
    return out
