"""Supervision pages: lists per unit with due / overdue, the per-matter panel, forms.

Every page starts from ``<Model>.objects.restrict(request.user, "view")``; an object out of
scope is a 404. Writes call the services; their Chinese errors are shown in the form.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.core import workflow as engine
from xinfang.core.errors import XinfangError
from xinfang.org.access import granted_paths
from xinfang.org.guards import require_roles
from xinfang.org.models import Unit
from xinfang.petitions.models import Petition
from xinfang.petitions.querysets import petition_for_user
from xinfang.petitions.views import STAFF_ROLES
from xinfang.supervision import services
from xinfang.supervision.choices import RecordKind
from xinfang.supervision.errors import SupervisionInvalid
from xinfang.supervision.forms import CREATE_FORMS, ActionForm, ListFilterForm, exclude_accused
from xinfang.supervision.models import (
    CaseOwnership,
    Instruction,
    ListedSupervision,
    Reminder,
    SupervisionNotice,
)

__all__ = ["CREATE_SERVICES", "STAFF_ROLES"]

PAGE_SIZE = 25
DUE_SOON_DAYS = 7
MODELS: dict[str, Any] = {
    RecordKind.REMINDER: Reminder,
    RecordKind.NOTICE: SupervisionNotice,
    RecordKind.LISTED: ListedSupervision,
    RecordKind.OWNERSHIP: CaseOwnership,
    RecordKind.INSTRUCTION: Instruction,
}
ACTION_LABELS: dict[str, str] = {
    RecordKind.REMINDER: "报送办理情况",
    RecordKind.NOTICE: "书面回复",
    RecordKind.LISTED: "摘牌",
    RecordKind.OWNERSHIP: "结束包案",
    RecordKind.INSTRUCTION: "报告落实情况",
}
# The service that creates each kind of record. The fields of its form (``CREATE_FORMS``)
# and of its API schema are named after the service's keyword arguments.
CREATE_SERVICES: dict[str, Callable[..., Any]] = {
    RecordKind.REMINDER: services.send_reminder,
    RecordKind.NOTICE: services.issue_notice,
    RecordKind.LISTED: services.list_supervision,
    RecordKind.OWNERSHIP: services.assign_case_owner,
    RecordKind.INSTRUCTION: services.record_instruction,
}
_RELATED = ("petition", "responsible_unit", "supervising_unit")


def _kind(value: str) -> str:
    if value not in MODELS:
        raise Http404
    return value


def _scoped(kind: str, user: Any) -> Any:
    qs = MODELS[kind].objects.restrict(user, "view").select_related(*_RELATED)
    if kind == RecordKind.LISTED:
        qs = qs.select_related("lead_leader", "responsible_person", "supervisor")
    elif kind == RecordKind.OWNERSHIP:
        qs = qs.select_related("leader")
    elif kind == RecordKind.INSTRUCTION:
        qs = qs.select_related("completed_by")
    return qs


def by_state(qs: Any, state: str, today: date) -> Any:
    """Records narrowed to ``state``: open, overdue, due soon, or all."""
    if state == "open":
        return qs.open()
    if state == "overdue":
        return qs.overdue(today)
    if state == "due_soon":
        return qs.due_within(DUE_SOON_DAYS, today)
    return qs


def _filtered(kind: str, request: HttpRequest, today: date) -> tuple[Any, ListFilterForm]:
    form = ListFilterForm(request.GET or None, user=request.user)
    qs = _scoped(kind, request.user)
    state = "open"
    if form.is_valid():
        d = form.cleaned_data
        state = d["state"] or "open"
        if d["q"]:
            qs = qs.filter(
                Q(petition__summary__icontains=d["q"]) | Q(petition__number__iexact=d["q"].strip())
            )
        if d["unit"]:
            qs = qs.for_unit(d["unit"].path)
    return by_state(qs, state, today), form


def _due(record: Any, kind: str) -> date | None:
    field = MODELS[kind].objects.none().due_field
    value: Any = record
    for part in field.split("__"):
        value = getattr(value, part, None)
    return value if isinstance(value, date) else None


def timing(record: Any, kind: str, today: date) -> dict[str, Any]:
    """A record's due date and whether, still open, it is overdue or due soon."""
    due = _due(record, kind)
    is_open = record.status in MODELS[kind].objects.none().open_statuses
    return {
        "due": due,
        "overdue": bool(is_open and due and due < today),
        "due_soon": bool(is_open and due and today <= due <= today + timedelta(DUE_SOON_DAYS)),
    }


def _rows(page: Any, kind: str, today: date) -> list[dict[str, Any]]:
    return [{"r": record, **timing(record, kind, today)} for record in page]


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_roles(*STAFF_ROLES)
def record_list(request: HttpRequest) -> HttpResponse:
    """Open supervision (notices, listings, reminders, case ownership) per unit."""
    kind = request.GET.get("kind") or RecordKind.NOTICE
    if kind not in MODELS or kind == RecordKind.INSTRUCTION:
        kind = RecordKind.NOTICE
    today = timezone.localdate()
    qs, form = _filtered(kind, request, today)
    page = Paginator(qs.order_by("pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/list.html",
        {
            "kind": kind,
            "kind_label": RecordKind(kind).label,
            "kinds": [(k, RecordKind(k).label) for k in MODELS if k != RecordKind.INSTRUCTION],
            "page_obj": page,
            "rows": _rows(page, kind, today),
            "form": form,
            "qs": _querystring(request),
            "today": today,
        },
    )


@require_roles(*STAFF_ROLES)
def instruction_list(request: HttpRequest) -> HttpResponse:
    """Leaders' instructions per unit, with their due dates and completion."""
    today = timezone.localdate()
    qs, form = _filtered(RecordKind.INSTRUCTION, request, today)
    page = Paginator(qs.order_by("due", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/instructions.html",
        {
            "page_obj": page,
            "rows": _rows(page, RecordKind.INSTRUCTION, today),
            "form": form,
            "qs": _querystring(request),
        },
    )


def _matter(request: HttpRequest, pk: int) -> Petition:
    petition = petition_for_user(request.user, pk)
    return Petition.objects.select_related("responsible_unit", "registering_unit").get(
        pk=petition.pk
    )


def _panel_context(
    request: HttpRequest, petition: Petition, bound: tuple[str, Any] | None = None, error: str = ""
) -> dict[str, Any]:
    today = timezone.localdate()
    sections = []
    for kind in MODELS:
        records = _scoped(kind, request.user).filter(petition=petition).order_by("pk")
        rows = [
            # Only the follow-ups the user may take are offered (a handler sees no 摘牌).
            {**row, "actions": engine.allowed_steps(row["r"], request.user)}
            for row in _rows(records, kind, today)
        ]
        sections.append({"kind": kind, "label": RecordKind(kind).label, "rows": rows})
    may_supervise = bool(
        granted_paths(request.user, "supervise")
        or granted_paths(request.user, "lead")
        or granted_paths(request.user, "receive")
    )
    forms = []
    if may_supervise or request.user.is_superuser:
        for kind, form_class in CREATE_FORMS.items():
            if bound and bound[0] == kind:
                form = bound[1]
            else:
                form = exclude_accused(
                    form_class(user=request.user, petition=petition, prefix=kind), petition
                )
            forms.append({"kind": kind, "label": RecordKind(kind).label, "form": form})
    return {
        "p": petition,
        "sections": sections,
        "create_forms": forms,
        "action_form": ActionForm(),
        "error": error,
        "bound_kind": bound[0] if bound else "",
    }


@require_roles(*STAFF_ROLES)
def matter_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything supervision knows about one matter, with the forms the user may use."""
    petition = _matter(request, pk)
    return render(request, "supervision/matter.html", _panel_context(request, petition))


@require_roles(*STAFF_ROLES)
@require_POST
def record_create(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Create a reminder, notice, listing, ownership or instruction on a matter."""
    kind = _kind(kind)
    petition = _matter(request, pk)
    form = CREATE_FORMS[kind](request.POST, user=request.user, petition=petition, prefix=kind)
    exclude_accused(form, petition)
    error = ""
    if form.is_valid():
        try:
            CREATE_SERVICES[kind](actor=request.user, petition=petition, **form.cleaned_data)
        except XinfangError as exc:
            error = str(exc)
        else:
            messages.success(request, f"已登记{RecordKind(kind).label}")
            return redirect("supervision:matter_panel", petition.pk)
    else:
        error = "请检查填写的内容"
    context = _panel_context(request, petition, bound=(kind, form), error=error)
    return render(request, "supervision/matter.html", context, status=400)


@require_roles(*STAFF_ROLES)
@require_POST
def record_act(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The follow-up of a record: reply, answer, delist, release, complete."""
    kind = _kind(kind)
    record = get_object_or_404(_scoped(kind, request.user), pk=pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写内容")
        return redirect("supervision:matter_panel", record.petition_id)
    text = form.cleaned_data["text"]
    try:
        if kind == RecordKind.REMINDER:
            services.reply_reminder(record, actor=request.user, reply=text)
        elif kind == RecordKind.NOTICE:
            adopted = form.cleaned_data["adopted"]
            if adopted in (None, ""):
                raise SupervisionInvalid("请选择是否采纳督办建议")
            services.answer_notice(record, actor=request.user, adopted=adopted, answer=text)
        elif kind == RecordKind.LISTED:
            services.delist_supervision(record, actor=request.user, note=text)
        elif kind == RecordKind.OWNERSHIP:
            services.release_case_owner(record, actor=request.user, note=text)
        elif request.POST.get("step") == "complete":
            services.complete_instruction(record, actor=request.user, note=text)
        else:
            services.report_instruction(record, actor=request.user, note=text)
    except XinfangError as exc:
        messages.error(request, str(exc))
    else:
        done = "确认批示已落实" if request.POST.get("step") == "complete" else ACTION_LABELS[kind]
        messages.success(request, f"已{done}")
    return redirect("supervision:matter_panel", record.petition_id)


# ---------------------------------------------------------------------------------------
# Dashboard panels


def dashboard_data(request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    user = request.user
    notices: Any = SupervisionNotice.objects.restrict(user, "view")
    listed: Any = ListedSupervision.objects.restrict(user, "view")
    instructions: Any = Instruction.objects.restrict(user, "view")
    reminders: Any = Reminder.objects.restrict(user, "view")
    return {
        "notices_open": notices.open().count(),
        "notices_overdue": notices.overdue(today).count(),
        "listed_open": listed.open().count(),
        "listed_overdue": listed.overdue(today).count(),
        "instructions_open": instructions.open().count(),
        "instructions_overdue": instructions.overdue(today).count(),
        "reminders_open": reminders.open().count(),
    }


def home_unit(user: Any) -> Unit | None:
    """The unit whose measures a user's dashboard shows: the highest unit they view."""
    paths = granted_paths(user, "view")
    if paths:
        return Unit.objects.filter(path=min(paths, key=len)).first()
    return Unit.objects.filter(pk=user.unit_id).first() if user.unit_id else None


def measures_panel_data(request: HttpRequest) -> dict[str, Any]:
    from xinfang.petitions.measures import unit_measures

    unit = home_unit(request.user)
    if unit is None:
        return {"unit": None}
    today = timezone.localdate()
    return {
        "unit": unit,
        "month": unit_measures(unit, today.replace(day=1), today, today=today),
        "year": unit_measures(unit, today.replace(month=1, day=1), today, today=today),
    }
