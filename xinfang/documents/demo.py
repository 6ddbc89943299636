"""Demo documents (registered in ``org.demo.DEMO_HOOKS``, after the portal's): the demo
citizen's acceptance notice and answer are issued, so the matter's document page and
"我的信访" show issued documents with their numbers next to ones not issued yet."""

from __future__ import annotations

from xinfang.core.workflow import SYSTEM
from xinfang.documents.drafts import DOCUMENTS
from xinfang.documents.services import issue
from xinfang.org.demo import DemoCounty
from xinfang.petitions.models import Petition
from xinfang.portal.demo import DEMO_CITIZEN_SUMMARY

__all__ = ["add_demo_documents"]


def add_demo_documents(demo: DemoCounty) -> None:
    for p in Petition.objects.filter(summary=DEMO_CITIZEN_SUMMARY):
        for kind in ("acceptance", "answer"):
            draft = DOCUMENTS[kind].latest(p)
            if draft is not None:
                issue(p, draft, actor=SYSTEM)
