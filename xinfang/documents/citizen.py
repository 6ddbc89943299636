"""The documents a petitioner downloads from "my matters" on the portal.

Only documents addressed to the petitioner (受理告知书, 不予受理告知书, 延期办理告知书 and
the opinions of every stage): never a hand-over slip, a completion report or a receipt,
which go between offices. Each is the document as issued; the portal lists them through
:func:`xinfang.portal.mine.register_document_lister` (it sits below this app).
"""

from __future__ import annotations

from urllib.parse import quote

from django.urls import reverse

from xinfang.documents.drafts import DOCUMENTS, cn_date
from xinfang.documents.models import IssuedDocument
from xinfang.petitions.models import Petition
from xinfang.portal.mine import DocumentLink

__all__ = ["CITIZEN_KINDS", "citizen_documents"]

CITIZEN_KINDS = ("acceptance", "non_acceptance", "extension", "answer")


def citizen_documents(petition: Petition) -> list[DocumentLink]:
    issued = {
        (d.kind, d.source): d
        for d in IssuedDocument.objects.filter(petition=petition, kind__in=CITIZEN_KINDS)
    }
    out = []
    drafts = [d for kind in CITIZEN_KINDS for d in DOCUMENTS[kind].drafts(petition)]
    for draft in sorted(drafts, key=lambda d: d.issued_on):
        doc = issued.get((draft.kind, draft.source))
        url = reverse("documents:citizen_pdf", args=[petition.pk, draft.kind])
        out.append(
            DocumentLink(
                title=draft.title,
                number=doc.number if doc else "",
                issued=cn_date(draft.issued_on),
                url=f"{url}?source={quote(draft.source)}",
            )
        )
    return out
