"""Permission cases of the document routes added with issued documents (the older document
routes are registered by ``xinfang/supervision/tests/permission_cases.py``)."""

from __future__ import annotations

from typing import Any

from xinfang.documents.drafts import DOCUMENTS
from xinfang.documents.models import IssuedDocument
from xinfang.documents.services import issue
from xinfang.org.choices import Role
from xinfang.petitions.services import PetitionerData, register_petition
from xinfang.petitions.workflow import transition
from xinfang.shell.testing import Cast, RouteCase, register


def _issued(cast: Cast) -> IssuedDocument:
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    p = register_petition(
        actor=cast.user_with(Role.REGISTRAR, cast.unit_a),
        registering_unit=cast.unit_a,
        channel="letter",
        kind="appeal",
        summary="已出具文书矩阵事项",
        petitioners=[PetitionerData(name="矩阵信访人", phone="13911114444")],
        propose_matches=False,
    ).petition
    p = transition(p, "accepted", actor=handler)
    draft = DOCUMENTS["acceptance"].latest(p)
    assert draft is not None
    return issue(p, draft, actor=handler)


def _import_job(cast: Cast) -> Any:
    """A register import into unit_a by unit_a's administrator, previewed."""
    from xinfang.documents.register_jobs import run_import_job, start_import
    from xinfang.documents.tests.test_register_import import _book, _row

    job = start_import(
        user=cast.user_with(Role.ADMINISTRATOR, cast.unit_a),
        unit=cast.unit_a,
        file_name="矩阵登记簿.xlsx",
        data=_book([_row(内容摘要="导入矩阵事项")]),
    )
    run_import_job(job.pk)
    return job


def _pk(obj: Any) -> dict[str, Any]:
    return {"pk": obj.pk}


register(
    RouteCase("documents:issued_pdf", role=Role.HANDLER, make=_issued, kwargs=_pk),
    # Only a citizen with the matter's verified phone gets the PDF; anyone else is sent to
    # "my matters" (covered in test_citizen.py).
    RouteCase(
        "documents:citizen_pdf",
        role=Role.HANDLER,
        make=_issued,
        kwargs=lambda d: {"pk": d.petition_id, "kind": "acceptance"},
        anonymous="public",
        ok_status=302,
    ),
    RouteCase(
        "documents:register_print", role=Role.HANDLER, list_view=True, make=_issued, method="post"
    ),
    # Importing the register: administrators (the "import_register" action), their own jobs.
    RouteCase("documents:register_import", role=Role.ADMINISTRATOR, list_view=True),
    RouteCase(
        "documents:import_job_page",
        role=Role.ADMINISTRATOR,
        make=_import_job,
        kwargs=_pk,
        marker=lambda job: job.file_name,
    ),
    RouteCase(
        "documents:import_job_status",
        role=Role.ADMINISTRATOR,
        make=_import_job,
        kwargs=_pk,
        marker=lambda job: "确认导入 1 件",
    ),
    RouteCase(
        "documents:import_job_confirm",
        role=Role.ADMINISTRATOR,
        make=_import_job,
        kwargs=_pk,
        method="post",
        ok_status=302,
    ),
    RouteCase(
        "documents:import_job_restart",
        role=Role.ADMINISTRATOR,
        make=_import_job,
        kwargs=_pk,
        method="post",
        ok_status=302,
    ),
)
