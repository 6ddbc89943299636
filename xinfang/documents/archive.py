"""The yearly archive package of closed matters, for the petition archive (信访档案).

One zip per year (and, if asked, per responsible unit's subtree): for each matter closed
that year a folder ``<number>/`` with ``metadata.json`` (the matter's fields; sealed
personal data stays sealed and shows as ``***``, as in the audit trail), ``timeline.json``
(every workflow step: who, when, from, to, why) and ``documents/*.pdf`` (the documents as
issued); at the top ``manifest.json`` with the SHA-256 of every file. Exporting is audited
with the manifest's own hash, so a package can later be matched to its audit entry.

:func:`issued_documents` is the one place that says which PDFs a matter has: the stored
documents as issued (their hash checked); a document of the matter never printed is issued
now, with the date of its own act, so the archive holds what the matter's life produced.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinfang.core import audit
from xinfang.core.audit import snapshot
from xinfang.core.models import AuditAction
from xinfang.documents.drafts import drafts_of
from xinfang.documents.services import issue, stored_pdf
from xinfang.org.models import Unit
from xinfang.org.querysets import subtree_q
from xinfang.petitions.models import Petition, Transition


@dataclass(frozen=True)
class ArchivedDocument:
    filename: str
    title: str
    number: str
    data: bytes


def issued_documents(petition: Petition, actor: Any) -> list[ArchivedDocument]:
    """The documents of a matter as issued, in the order of the matter's life."""
    found = []
    for n, draft in enumerate(drafts_of(petition), start=1):
        doc = issue(petition, draft, actor=actor)
        found.append(
            ArchivedDocument(
                filename=f"{n:02d}-{doc.kind}.pdf",
                title=doc.title,
                number=doc.number,
                data=stored_pdf(doc),
            )
        )
    return found


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode()


def timeline(petition: Petition) -> list[dict[str, Any]]:
    rows = Transition.objects.filter(petition=petition).order_by("at", "pk")
    return [
        {
            "step": row.step,
            "from": row.from_status,
            "to": row.to_status,
            "actor": row.actor_label,
            "reason": row.reason,
            "data": row.data,
            "at": row.at.isoformat(timespec="seconds"),
        }
        for row in rows
    ]


def closed_matters(year: int, unit: Unit | None = None) -> Any:
    matters = Petition.objects.filter(closed_on__year=year)
    if unit is not None:
        matters = matters.filter(subtree_q(unit.path, "responsible_unit__path"))
    return matters.order_by("closed_on", "pk")


def _files(petition: Petition, actor: Any) -> Iterator[tuple[str, bytes]]:
    folder = petition.number or f"P{petition.pk}"
    documents = issued_documents(petition, actor)
    metadata = {
        **snapshot(petition),
        "documents": [
            {"file": d.filename, "title": d.title, "number": d.number} for d in documents
        ],
    }
    yield f"{folder}/metadata.json", _json(metadata)
    yield f"{folder}/timeline.json", _json(timeline(petition))
    for document in documents:
        yield f"{folder}/documents/{document.filename}", document.data


@dataclass(frozen=True)
class Package:
    path: Path
    matters: int
    files: int
    manifest_sha256: str


@transaction.atomic
def export_year(year: int, target: Path, *, actor: Any, unit: Unit | None = None) -> Package:
    """Write the archive package of ``year`` to ``target`` (a .zip) and audit the export."""
    manifest: dict[str, Any] = {
        "year": year,
        "unit": unit.admin_code or unit.name if unit is not None else "",
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "files": {},
    }
    matters = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for petition in closed_matters(year, unit).iterator(chunk_size=200):
            matters += 1
            for name, data in _files(petition, actor):
                package.writestr(name, data)
                manifest["files"][name] = {
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "bytes": len(data),
                }
        manifest["matters"] = matters
        body = _json(manifest)
        package.writestr("manifest.json", body)
    digest = hashlib.sha256(body).hexdigest()
    audit.record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="documents.archive",
        object_id=f"{year}",
        detail={"year": year, "matters": matters, "manifest_sha256": digest, "file": target.name},
    )
    return Package(target, matters, len(manifest["files"]), digest)
