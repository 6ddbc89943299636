"""Document downloads (scoped: 404 out of scope) and the general register export."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.core import audit
from xinfang.core.errors import ConcurrentChange, TransitionNotAllowed
from xinfang.core.models import AuditAction
from xinfang.core.workflow import SYSTEM
from xinfang.documents import register as reg
from xinfang.documents import register_jobs as jobs
from xinfang.documents.citizen import CITIZEN_KINDS
from xinfang.documents.drafts import DOCUMENTS, Draft, drafts_of, supervision_notice_draft
from xinfang.documents.errors import RegisterImportInvalid
from xinfang.documents.models import ExportJob, ExportStatus, ImportJob, IssuedDocument
from xinfang.documents.services import issue, printable
from xinfang.org.access import granted_paths, roles_for
from xinfang.org.guards import require_roles
from xinfang.org.models import Unit
from xinfang.petitions.forms import FilterForm
from xinfang.petitions.models import Petition
from xinfang.petitions.querysets import petition_for_user
from xinfang.petitions.views import STAFF_ROLES
from xinfang.petitions.workflow.backlog import IMPORT_ACTION
from xinfang.portal.services import my_matters, titled_matter


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _audit_document(user: Any, obj: Any, title: str, number: str) -> None:
    audit.record(
        actor=user, action=AuditAction.EXPORT, obj=obj, detail={"document": title, "number": number}
    )


def _matter(request: HttpRequest, pk: int) -> Petition:
    petition = petition_for_user(request.user, pk)
    return Petition.objects.select_related(
        "responsible_unit", "registering_unit", "handed_down_by", "matter_type__parent"
    ).get(pk=petition.pk)


def _draft_for(petition: Petition, kind: str, source: str | None) -> Draft:
    spec = DOCUMENTS.get(kind)
    if spec is None:
        raise Http404
    drafts = spec.drafts(petition)
    found = next((d for d in drafts if d.source == source), None) if source else None
    draft = found or (drafts[-1] if drafts and not source else None)
    if draft is None:
        raise Http404
    return draft


def _print(request: HttpRequest, doc: IssuedDocument) -> HttpResponse:
    data = printable(doc, request.user)
    _audit_document(request.user, doc.petition, doc.title, doc.number)
    return _pdf_response(data, f"{doc.petition.number}-{doc.title}-{doc.number}.pdf")


@require_roles(*STAFF_ROLES)
def document_index(request: HttpRequest, pk: int) -> HttpResponse:
    """Every document of the matter at every stage: issued ones with their number and
    date, the others as "出具并打印" links (issuing gives the next number)."""
    petition = _matter(request, pk)
    issued = {
        (d.kind, d.source): d
        for d in IssuedDocument.objects.filter(petition=petition).select_related("unit")
    }
    rows = [(draft, issued.pop((draft.kind, draft.source), None)) for draft in drafts_of(petition)]
    from xinfang.supervision.models import SupervisionNotice

    notices = SupervisionNotice.objects.restrict(request.user, "view").filter(petition=petition)
    return render(
        request,
        "documents/index.html",
        {
            "p": petition,
            "rows": rows,
            "orphans": list(issued.values()),
            "notices": notices.order_by("pk"),
            "may_title": titled_matter(request.user, petition.pk) is not None,
        },
    )


@require_roles(*STAFF_ROLES)
def document_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """One document of a matter (the latest of its kind, or ``?source=`` an earlier
    stage's), issued on its first print and re-printed as issued; 404 when out of scope or
    not applicable."""
    petition = _matter(request, pk)
    draft = _draft_for(petition, kind, request.GET.get("source"))
    return _print(request, issue(petition, draft, actor=request.user))


@require_roles(*STAFF_ROLES)
def issued_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """An issued document re-printed as issued (scoped like its matter)."""
    doc = get_object_or_404(
        IssuedDocument.objects.restrict(request.user, "view").select_related("petition"), pk=pk
    )
    return _print(request, doc)


@require_roles(*STAFF_ROLES)
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The 督办通知书 of a supervision notice (scoped like the notice), issued once."""
    from xinfang.supervision.models import SupervisionNotice

    notice = get_object_or_404(
        SupervisionNotice.objects.restrict(request.user, "view").select_related(
            "petition", "supervising_unit", "responsible_unit"
        ),
        pk=pk,
    )
    doc = issue(notice.petition, supervision_notice_draft(notice), actor=request.user)
    data = printable(doc, request.user)
    _audit_document(request.user, notice, doc.title, doc.number)
    return _pdf_response(data, f"{notice.petition.number}-督办通知书.pdf")


# ---------------------------------------------------------------------------------------
# The citizen's own documents ("my matters" on the portal)


def citizen_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """A document addressed to the petitioner, for the signed-in citizen whose verified
    phone is on the matter: the document as issued (issued now if it never was, dated by
    its act). Anyone else is sent to "my matters"."""
    user: Any = request.user
    if not getattr(user, "is_citizen", False):
        return redirect("portal:my_matters")
    if kind not in CITIZEN_KINDS:
        raise Http404
    petition = get_object_or_404(my_matters(user), pk=pk)
    draft = _draft_for(petition, kind, request.GET.get("source"))
    doc = issue(petition, draft, actor=SYSTEM)
    _audit_document(user, petition, doc.title, doc.number)
    return _pdf_response(bytes(printable(doc, user)), f"{petition.number}-{doc.title}.pdf")


# ---------------------------------------------------------------------------------------
# The general register


@require_roles(*STAFF_ROLES)
def register_page(request: HttpRequest) -> HttpResponse:
    """Filters like the matter list, the row count, the export button and recent jobs."""
    form = FilterForm(request.GET or None, user=request.user)
    filters = reg.clean_filters(request.GET)
    count = reg.filtered_petitions(request.user, filters).count()
    jobs = ExportJob.objects.restrict(request.user, "view").order_by("-pk")[:10]
    return render(
        request,
        "documents/register.html",
        {
            "form": form,
            "filters": filters,
            "count": count,
            "direct_limit": reg.DIRECT_LIMIT,
            "pdf_limit": reg.PDF_LIMIT,
            "columns": reg.COLUMNS,
            "jobs": jobs,
        },
    )


@require_roles(*STAFF_ROLES)
@require_POST
def register_export(request: HttpRequest) -> HttpResponse:
    """Small exports download at once; larger ones become a background job with progress."""
    filters = reg.clean_filters(request.POST)
    count = reg.filtered_petitions(request.user, filters).count()
    if count < reg.DIRECT_LIMIT:
        # Below the limit the file is small (well under a few MB): read it and let go of it.
        with reg.direct_export(request.user, filters) as fh:
            data = fh.read()
        name = f"受理事项总登记簿-{timezone.localdate():%Y%m%d}.xlsx"
        response = HttpResponse(data, content_type=reg.XLSX_MIME)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        response["Cache-Control"] = "private, no-store"
        return response
    requester: Any = request.user
    job = ExportJob.objects.create(requested_by=requester, filters=filters, total=count)
    from xinfang.documents.tasks import export_register

    export_register(job.pk)
    return redirect("documents:job_page", job.pk)


@require_roles(*STAFF_ROLES)
@require_POST
def register_print(request: HttpRequest) -> HttpResponse:
    """The filtered register as a printable PDF (at most ``PDF_LIMIT`` rows)."""
    filters = reg.clean_filters(request.POST)
    data = reg.register_pdf(request.user, filters)
    return _pdf_response(data, f"受理事项总登记簿-{timezone.localdate():%Y%m%d}.pdf")


def _file_chunks(path: Path, size: int = 64 * 1024) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(size):
            yield chunk


def _job(request: HttpRequest, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob.objects.restrict(request.user, "view"), pk=pk)


@require_roles(*STAFF_ROLES)
def job_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "documents/job.html", {"job": _job(request, pk)})


@require_roles(*STAFF_ROLES)
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx fragment polled by the progress bar (stops polling when the job has ended)."""
    return render(request, "documents/_job_status.html", {"job": _job(request, pk)})


@require_roles(*STAFF_ROLES)
def job_download(request: HttpRequest, pk: int) -> Any:
    job = _job(request, pk)
    path = Path(job.file_path)
    root = (Path(settings.MEDIA_ROOT) / "exports").resolve()
    if job.status != ExportStatus.DONE or not job.file_path or root not in path.resolve().parents:
        raise Http404
    if not path.exists():
        raise Http404
    # The file is opened only when the body is read (and closed after), so a client that
    # drops the response leaves no open handle behind.
    response = StreamingHttpResponse(_file_chunks(path), content_type=reg.XLSX_MIME)
    name = f"受理事项总登记簿-{job.created_at:%Y%m%d}-{job.pk}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Content-Length"] = str(path.stat().st_size)
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------
# Importing the backlog from the general register: upload → preview → confirm, with the
# worker's progress (documents.register_jobs).

IMPORTERS = tuple(roles_for(IMPORT_ACTION))


def _import_units(user: Any) -> list[Unit]:
    """The units the user may import into: the tops of their "import_register" subtrees."""
    paths = granted_paths(user, IMPORT_ACTION)
    return list(Unit.objects.filter(path__in=paths, is_active=True).order_by("path"))


@require_roles(*IMPORTERS)
def register_import(request: HttpRequest) -> HttpResponse:
    """Upload the register to import; the worker checks it and shows the preview."""
    units = _import_units(request.user)
    problems: list[str] = []
    if request.method == "POST":
        chosen = next((u for u in units if str(u.pk) == request.POST.get("unit")), None)
        upload = request.FILES.get("file")
        if chosen is None:
            problems.append("请选择导入到的单位")
        if upload is None:
            problems.append("请选择要导入的总登记簿文件（.xlsx）")
        elif upload.size is not None and upload.size > jobs.MAX_UPLOAD:
            problems.append("文件过大：总登记簿不得超过 200 MB")
        if not problems and chosen is not None and upload is not None:
            user: Any = request.user
            try:
                job = jobs.start_import(
                    user=user, unit=chosen, file_name=upload.name or "", data=upload.read()
                )
            except RegisterImportInvalid as exc:
                problems = exc.problems
            else:
                return redirect("documents:import_job_page", job.pk)
    recent = ImportJob.objects.restrict(request.user, "view").select_related("unit")[:10]
    return render(
        request,
        "documents/import.html",
        {"units": units, "problems": problems, "jobs": recent, "columns": reg.COLUMNS},
    )


def _import_job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(
        ImportJob.objects.restrict(request.user, "view").select_related("unit"), pk=pk
    )


def _import_context(job: ImportJob) -> dict[str, Any]:
    return {"job": job, "progress": jobs.progress_of(job), "stale": jobs.is_stale(job)}


@require_roles(*IMPORTERS)
def import_job_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = _import_job(request, pk)
    return render(request, "documents/import_job.html", _import_context(job))


@require_roles(*IMPORTERS)
def import_job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx fragment polled by the progress bar (stops polling when the pass has ended)."""
    job = _import_job(request, pk)
    return render(request, "documents/_import_status.html", _import_context(job))


@require_roles(*IMPORTERS)
@require_POST
def import_job_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _import_job(request, pk)
    user: Any = request.user
    # Already moved on (confirmed twice, or still running): the page shows where it stands.
    with contextlib.suppress(TransitionNotAllowed, ConcurrentChange):
        jobs.confirm_import(job, user=user)
    return redirect("documents:import_job_page", job.pk)


@require_roles(*IMPORTERS)
@require_POST
def import_job_restart(request: HttpRequest, pk: int) -> HttpResponse:
    job = _import_job(request, pk)
    user: Any = request.user
    # Already moved on (confirmed twice, or still running): the page shows where it stands.
    with contextlib.suppress(TransitionNotAllowed, ConcurrentChange):
        jobs.restart_import(job, user=user)
    return redirect("documents:import_job_page", job.pk)
