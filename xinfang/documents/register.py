"""The general register (受理事项总登记簿) as xlsx, in the columns offices keep.

Rows come from a server-side iterator over the user's scoped matters (``.iterator()`` in
chunks; petitioners and ratings fetched once per chunk), and are written by xlsxwriter in
``constant_memory`` mode, so neither the queryset nor the workbook sits in memory. Small
exports (fewer than :data:`DIRECT_LIMIT` rows) are streamed to the browser; larger ones run
as an :class:`ExportJob` in the worker with progress. Every export writes an audit entry.

A confidential petitioner's name and phone appear only where the exporting user may see them
(the ``Petitioner`` scope of the petitions app: register / handle over the registering or
responsible unit, never the accused); accusations are not in the accused's scope at all.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

from django.conf import settings
from django.http import QueryDict

from xinfang.core import audit
from xinfang.core import workflow as engine
from xinfang.core.errors import ConcurrentChange
from xinfang.core.models import AuditAction
from xinfang.core.workflow import SYSTEM
from xinfang.documents.models import ExportJob, ExportStatus
from xinfang.org.models import User
from xinfang.petitions.choices import Channel, Kind, Outcome, Rating, Status
from xinfang.petitions.confidentiality import CONFIDENTIAL_LABEL, conceals
from xinfang.petitions.filters import filter_petitions
from xinfang.petitions.forms import FilterForm
from xinfang.petitions.models import Petition, Petitioner, ReturnVisit

__all__ = [
    "CHUNK",
    "COLUMNS",
    "DIRECT_LIMIT",
    "PDF_COLUMNS",
    "PDF_LIMIT",
    "filtered_petitions",
    "register_pdf",
    "register_rows",
    "run_export_job",
    "write_register",
]

DIRECT_LIMIT = 5000
CHUNK = 1000
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The columns of 受理事项总登记簿 (docs/documents.md explains each).
COLUMNS = [
    "序号",
    "登记编号",
    "收到日期",
    "信访形式",
    "来访人数",
    "信访人",
    "联系电话",
    "信访类别",
    "事项分类",
    "问题属地",
    "内容摘要",
    "被反映单位",
    "登记单位",
    "登记人",
    "责任单位",
    "转送交办日期",
    "受理日期",
    "告知期限",
    "办理期限",
    "延期天数",
    "答复日期",
    "处理结果",
    "回访评价",
    "当前状态",
    "是否超期",
    "复查复核",
    "终结",
]
WIDTHS = {1: 16, 2: 12, 5: 18, 6: 14, 8: 16, 10: 40, 11: 16, 12: 16, 14: 18}


def filtered_petitions(user: Any, filters: dict[str, str]) -> Any:
    """The user's scoped matters filtered like the matter list (``petitions.forms.FilterForm``)."""
    qd = QueryDict(mutable=True)
    for key, value in filters.items():
        qd[key] = value
    form = FilterForm(qd, user=user)
    qs = Petition.objects.restrict(user, "view")
    if form.is_valid():
        qs = filter_petitions(qs, form.cleaned_data, user=user)
    return qs


def clean_filters(params: Any) -> dict[str, str]:
    """The filter fields of a request's query string, as a JSON-safe dict."""
    names = set(FilterForm.base_fields)
    return {k: str(v) for k, v in params.items() if k in names and v not in ("", None)}


@dataclass
class _People:
    names: str
    phones: str


def _people(batch: list[dict[str, Any]], user: Any, shown: dict[Any, bool]) -> dict[int, _People]:
    """Names and masked phones per matter of the (already scoped) chunk, one query.

    Whether a petitioner's identity shows is decided in Python from the user's grants
    (``confidentiality.conceals``: a confidential one to register / handle / lead over the
    registering or responsible unit, never the accused; the accuser of an accusation held
    by a discipline body to that body alone), not by re-running the scoped ``Petitioner``
    query for every chunk; the answer depends only on the matter's units, kind and accused,
    so ``shown`` remembers it across the export.
    """
    by_pk = {row["pk"]: row for row in batch}
    grouped: dict[int, tuple[list[str], list[str]]] = {}
    rows = (
        Petitioner.objects.filter(petition_id__in=list(by_pk))
        .order_by("petition_id", "pk")
        .values_list("petition_id", "name", "phone_masked", "wants_confidentiality")
    )
    for petition_id, name, phone, confidential in rows:
        names, phones = grouped.setdefault(petition_id, ([], []))
        if not _identity_shown(user, by_pk[petition_id], shown, confidential):
            if CONFIDENTIAL_LABEL not in names:
                names.append(CONFIDENTIAL_LABEL)
            continue
        names.append(name)
        if phone:
            phones.append(phone)
    return {k: _People("、".join(n), "、".join(p)) for k, (n, p) in grouped.items()}


def _identity_shown(
    user: Any, row: dict[str, Any], shown: dict[Any, bool], confidential: bool
) -> bool:
    key = (
        row["registering_unit__path"],
        row["responsible_unit__path"],
        row["accused_unit_id"],
        row["accused_user_id"],
        row["kind"],
        confidential,
    )
    if key not in shown:
        matter = SimpleNamespace(
            registering_unit=SimpleNamespace(path=key[0]),
            responsible_unit=SimpleNamespace(path=key[1]),
            accused_unit_id=key[2],
            accused_user_id=key[3],
            kind=key[4],
        )
        shown[key] = not conceals(user, matter, confidential)
    return shown[key]


def _labels(choices: Any) -> dict[str, str]:
    """``{value: label}`` of a choices class, translated once per export (not per row)."""
    return {str(value): str(label) for value, label in choices.choices}


def _ratings(chunk_ids: list[int], labels: dict[str, str]) -> dict[int, str]:
    found: dict[int, str] = {}
    visits = (
        ReturnVisit.objects.filter(petition_id__in=chunk_ids)
        .order_by("petition_id", "visited_on", "pk")
        .values_list("petition_id", "rating")
    )
    for petition_id, rating in visits:
        found[petition_id] = labels.get(rating, rating)
    return found


# What a register row reads: plain values, no model instances (100,000 rows × 6 models).
ROW_FIELDS = (
    "pk",
    "number",
    "received_on",
    "channel",
    "head_count",
    "kind",
    "matter_type__name",
    "matter_type__parent__name",
    "place",
    "summary",
    "accused_unit_id",
    "accused_unit__name",
    "accused_person",
    "accused_user_id",
    "registering_unit__name",
    "registering_unit__path",
    "registrar_id",
    "registrar__full_name",
    "registrar__username",
    "responsible_unit__name",
    "responsible_unit__path",
    "routed_on",
    "accepted_on",
    "notice_due",
    "handle_due",
    "extension_days",
    "answered_on",
    "outcome",
    "status",
    "is_overdue",
    "review_requested_on",
    "rereview_requested_on",
    "is_final",
)


def register_rows(user: Any, qs: Any, *, chunk: int = CHUNK) -> Iterator[list[Any]]:
    """Rows of the register for ``qs`` (already scoped), streamed chunk by chunk.

    Choice labels are translated once per export, petitioners and ratings read once per
    chunk, and rows come as values (no model instances).
    """
    rows = (
        qs.prefetch_related(None)
        .order_by("received_on", "pk")
        .values(*ROW_FIELDS)
        .iterator(chunk_size=chunk)
    )
    channels, kinds = _labels(Channel), _labels(Kind)
    outcomes, statuses, ratings_labels = _labels(Outcome), _labels(Status), _labels(Rating)
    shown: dict[Any, bool] = {}
    serial = 0
    while True:
        batch: list[dict[str, Any]] = list(islice(rows, chunk))
        if not batch:
            return
        people = _people(batch, user, shown)
        ratings = _ratings([p["pk"] for p in batch], ratings_labels)
        for p in batch:
            serial += 1
            person = people.get(p["pk"], _People("", ""))
            matter_type = p["matter_type__name"] or ""
            if matter_type and p["matter_type__parent__name"]:
                matter_type = f"{p['matter_type__parent__name']} / {matter_type}"
            registrar = "网上提交"
            if p["registrar_id"]:
                registrar = p["registrar__full_name"] or p["registrar__username"]
            yield [
                serial,
                p["number"] or "",
                p["received_on"],
                channels.get(p["channel"], p["channel"]),
                p["head_count"] or None,
                person.names,
                person.phones,
                kinds.get(p["kind"], p["kind"]),
                matter_type,
                p["place"],
                p["summary"],
                p["accused_unit__name"] or p["accused_person"] or "",
                p["registering_unit__name"],
                registrar,
                p["responsible_unit__name"],
                p["routed_on"],
                p["accepted_on"],
                p["notice_due"],
                p["handle_due"],
                p["extension_days"] or None,
                p["answered_on"],
                outcomes.get(p["outcome"], p["outcome"]) if p["outcome"] else "",
                ratings.get(p["pk"], ""),
                statuses.get(p["status"], p["status"]),
                "是" if p["is_overdue"] else "否",
                "是" if p["review_requested_on"] or p["rereview_requested_on"] else "",
                "是" if p["is_final"] else "",
            ]


def write_register(
    target: str | IO[bytes], rows: Iterator[list[Any]], *, on_chunk: Any = None
) -> int:
    """Write rows to an xlsx file (``constant_memory``); returns the number of rows."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("受理事项总登记簿")
    head = workbook.add_format(
        {"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True}
    )
    sheet.freeze_panes(1, 2)
    for col, title in enumerate(COLUMNS):
        sheet.set_column(col, col, WIDTHS.get(col, 11))
        sheet.write_string(0, col, title, head)
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            # Dates are dates and missing numbers are empty cells, so the office can sort,
            # filter and count in the spreadsheet (the ledger exports do the same).
            if value is None or value == "":
                continue
            if isinstance(value, date):
                sheet.write_datetime(count, col, value, day)
            elif isinstance(value, int):
                sheet.write_number(count, col, value)
            else:
                sheet.write_string(count, col, str(value))
        if on_chunk is not None and count % CHUNK == 0:
            on_chunk(count)
    workbook.close()
    return count


def audit_export(
    user: Any,
    filters: dict[str, str],
    rows: int,
    job: ExportJob | None = None,
    *,
    fmt: str = "xlsx",
) -> None:
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        obj=job,
        object_type="" if job else "petitions.register",
        detail={"document": "受理事项总登记簿", "filters": filters, "rows": rows, "format": fmt},
    )


# The printed register: the columns a page of A4 landscape holds (the xlsx has them all).
PDF_COLUMNS = [
    "序号",
    "登记编号",
    "收到日期",
    "信访形式",
    "信访人",
    "信访类别",
    "内容摘要",
    "责任单位",
    "受理日期",
    "办理期限",
    "答复日期",
    "处理结果",
    "当前状态",
]
PDF_LIMIT = 2000  # rows; a longer register is narrowed by the filters or taken as xlsx


def register_pdf(user: Any, filters: dict[str, str]) -> bytes:
    """The register as a printable PDF (A4 landscape, page numbers, the header repeated
    on every page); audited like the xlsx."""
    from xinfang.documents.pdf import render_pdf

    qs = filtered_petitions(user, filters)
    picks = [COLUMNS.index(c) for c in PDF_COLUMNS]
    rows = [
        [
            value.isoformat() if isinstance(value, date) else ("" if value is None else value)
            for value in (row[i] for i in picks)
        ]
        for row in islice(register_rows(user, qs), PDF_LIMIT)
    ]
    data = render_pdf(
        "documents/register_print.html",
        {"columns": PDF_COLUMNS, "rows": rows, "filters": filters},
    )
    audit_export(user, filters, len(rows), fmt="pdf")
    return data


def export_path() -> Path:
    """A fresh random file name under MEDIA_ROOT/exports (outside the web root)."""
    folder = Path(settings.MEDIA_ROOT) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"register-{secrets.token_hex(12)}.xlsx"


def direct_export(user: Any, filters: dict[str, str]) -> IO[bytes]:
    """Write the register for a small export to a temporary file and return it, rewound."""
    qs = filtered_petitions(user, filters)
    fh = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    rows = write_register(fh, register_rows(user, qs))
    fh.seek(0)
    audit_export(user, filters, rows)
    return fh


def run_export_job(job_id: int) -> ExportJob | None:
    """Run one queued export (idempotent: only the run that wins queued → running works)."""
    job = ExportJob.objects.select_related("requested_by").filter(pk=job_id).first()
    if job is None or job.status != ExportStatus.QUEUED:
        return None
    try:
        engine.transition(job, "claim", actor=SYSTEM)
    except ConcurrentChange:
        return None  # another run claimed it
    user: User = job.requested_by
    path = export_path()
    try:
        qs = filtered_petitions(user, job.filters)
        total = qs.count()
        ExportJob.objects.filter(pk=job.pk).update(total=total)

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(done=done)

        rows = write_register(str(path), register_rows(user, qs), on_chunk=progress)
    except Exception as exc:  # the job must end visibly, whatever went wrong
        path.unlink(missing_ok=True)
        engine.transition(job, "fail", actor=SYSTEM, data={"error": str(exc)[:500]})
        raise
    engine.transition(
        job,
        "finish",
        actor=SYSTEM,
        data={"done": rows, "total": max(total, rows), "file_path": str(path)},
    )
    job.refresh_from_db()
    audit_export(user, job.filters, rows, job)
    return job
