"""Document downloads (scoped: 404 out of scope) and the general register export."""

from __future__ import annotations

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
from xinfang.core.models import AuditAction
from xinfang.documents import register as reg
from xinfang.documents.models import ExportJob, ExportStatus
from xinfang.documents.pdf import DOCUMENTS, render_pdf, supervision_notice_context
from xinfang.org.guards import require_roles
from xinfang.petitions.forms import FilterForm
from xinfang.petitions.models import Petition
from xinfang.petitions.querysets import petition_for_user
from xinfang.petitions.views import STAFF_ROLES


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


@require_roles(*STAFF_ROLES)
def document_index(request: HttpRequest, pk: int) -> HttpResponse:
    """The documents that apply to a matter now, as download links."""
    petition = _matter(request, pk)
    available = [
        spec for spec in DOCUMENTS.values() if spec.build(petition, request.user) is not None
    ]
    from xinfang.supervision.models import SupervisionNotice

    notices = SupervisionNotice.objects.restrict(request.user, "view").filter(petition=petition)
    return render(
        request,
        "documents/index.html",
        {"p": petition, "documents": available, "notices": notices.order_by("pk")},
    )


@require_roles(*STAFF_ROLES)
def document_pdf(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """One official document of a matter as PDF; 404 when out of scope or not applicable."""
    spec = DOCUMENTS.get(kind)
    if spec is None:
        raise Http404
    petition = _matter(request, pk)
    context = spec.build(petition, request.user)
    if context is None:
        raise Http404
    data = render_pdf(spec.template, context)
    _audit_document(request.user, petition, spec.title, context["number"])
    return _pdf_response(data, f"{petition.number}-{spec.title}.pdf")


@require_roles(*STAFF_ROLES)
def notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The 督办通知书 of a supervision notice (scoped like the notice)."""
    from xinfang.supervision.models import SupervisionNotice

    notice = get_object_or_404(
        SupervisionNotice.objects.restrict(request.user, "view").select_related(
            "petition", "supervising_unit", "responsible_unit"
        ),
        pk=pk,
    )
    context = supervision_notice_context(notice)
    data = render_pdf("documents/supervision_notice.html", context)
    _audit_document(request.user, notice, "督办通知书", notice.number)
    return _pdf_response(data, f"{notice.petition.number}-督办通知书.pdf")


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
