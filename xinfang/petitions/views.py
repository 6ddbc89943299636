"""Staff pages: register, list, detail with timeline and actions, due-soon list, download.

Every page starts from ``Petition.objects.restrict(request.user, …)``; an object outside
the user's scope is a 404. Writes call the services; their Chinese errors are shown in
the form.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.core.errors import TransitionNotAllowed, XinfangError
from xinfang.core.personal_data import digest_for
from xinfang.org.access import can
from xinfang.org.choices import Role
from xinfang.org.guards import require_roles
from xinfang.petitions import location, services
from xinfang.petitions.attachments import attachment_response
from xinfang.petitions.choices import Channel, Status
from xinfang.petitions.confidentiality import (
    CONFIDENTIAL_LABEL,
    conceals,
    personal_data_revealable,
)
from xinfang.petitions.filters import filter_petitions, sort_petitions
from xinfang.petitions.forms import (
    AttachmentForm,
    CompletionReportForm,
    DeliveryForm,
    EvidenceForm,
    ExtensionForm,
    FilterForm,
    HearingEndForm,
    HearingStartForm,
    PersonSearchForm,
    PetitionerFormSet,
    RegisterForm,
    StepForm,
)
from xinfang.petitions.linking import (
    dismiss_candidate,
    group_summary,
    link_candidate,
    open_proposals,
    similarity,
)
from xinfang.petitions.models import (
    Answer,
    Attachment,
    DeliveryReceipt,
    Extension,
    Petition,
    Petitioner,
    SameMatterCandidate,
)
from xinfang.petitions.person_search import open_query, parse_query, record_search, seal_query
from xinfang.petitions.querysets import petition_for_user
from xinfang.petitions.workflow import (
    IN_STATE_STEPS,
    STEPS,
    Step,
    actor_may,
    allowed_steps,
    input_for,
    open_draft,
    opinion_stage,
    take_in_state_step,
    transition,
)

PAGE_SIZE = 25
DUE_SOON_DAYS = 7
STAFF_ROLES = (
    Role.REGISTRAR,
    Role.HANDLER,
    Role.UNIT_LEADER,
    Role.SUPERVISOR,
    Role.RECEIVING_LEADER,
    Role.ADMINISTRATOR,
)
# The in-state steps with a plain step form on the matter page: the handler's draft of the
# stage's opinion and the leader's return of it (the leader approves by the opinion step).
DRAFT_STEPS = ("draft_opinion", "return_opinion")
OPINION_STEPS = ("answer", "review_opinion", "rereview_opinion")
_STEP_BY_NAME = {
    step.name: step
    for step in (*STEPS, *IN_STATE_STEPS)
    if not step.in_state or step.name in DRAFT_STEPS
}


def _list_rows(qs: Any) -> Any:
    return qs.select_related("responsible_unit", "matter_type__parent")


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_roles(*STAFF_ROLES)
def petition_list(request: HttpRequest) -> HttpResponse:
    """Matters in scope with filters, sorting, search on summary/number, a petitioner
    search (posted, see ``person_search``), pagination and the filtered rows' export."""
    if request.method == "POST":
        return _person_search(request)
    form = FilterForm(request.GET or None, user=request.user)
    qs = Petition.objects.restrict(request.user, "view")
    sort = ""
    if form.is_valid():
        qs = filter_petitions(qs, form.cleaned_data, user=request.user)
        sort = form.cleaned_data["sort"]
    page = Paginator(sort_petitions(_list_rows(qs), sort), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    who = open_query(request.GET.get("who", "")) if request.GET.get("who") else None
    filters = {k: v for k, v in request.GET.items() if k in FilterForm.base_fields and v}
    return render(
        request,
        "petitions/list.html",
        {
            "page_obj": page,
            "form": form,
            "qs": _querystring(request),
            "person_form": PersonSearchForm(),
            "who": who,
            "export_filters": filters,
        },
    )


def _person_search(request: HttpRequest) -> HttpResponse:
    """Seal the posted petitioner search into the list's query string, audited."""
    form = PersonSearchForm(request.POST)
    if form.is_valid():
        try:
            query = parse_query(form.cleaned_data["person"])
        except XinfangError as exc:
            messages.error(request, str(exc))
        else:
            record_search(request.user, query)
            return redirect(
                reverse("petitions:petition_list") + "?" + urlencode({"who": seal_query(query)})
            )
    else:
        messages.error(request, "请输入信访人姓名、联系电话或身份证号")
    return redirect("petitions:petition_list")


@require_roles(*STAFF_ROLES)
def due_list(request: HttpRequest) -> HttpResponse:
    """Due soon and overdue matters the user's units are responsible for or oversee."""
    today = timezone.localdate()
    days = DUE_SOON_DAYS
    qs = Petition.objects.restrict(request.user, "view").due_within(days, today=today)
    rows = _list_rows(qs).order_by("next_due", "pk")
    # performance (bench/results/province.md): the first page is read with one row more;
    # if that is the whole list, no COUNT over the scope is needed, and otherwise the
    # page is not read a second time.
    number = request.GET.get("page") or "1"
    head = list(rows[: PAGE_SIZE + 1]) if number == "1" else None
    if head is not None and len(head) <= PAGE_SIZE:
        page = Paginator(head, PAGE_SIZE).get_page(1)
    else:
        page = Paginator(rows, PAGE_SIZE).get_page(number)
        if head is not None:
            page.object_list = head[:PAGE_SIZE]
    pending = Petition.objects.restrict(request.user, "view").filter(deadline_pending=True).count()
    return render(
        request,
        "petitions/due_list.html",
        {"page_obj": page, "today": today, "days": days, "pending": pending, "qs": ""},
    )


def _petitioner_row(
    person: Petitioner, *, hide: bool, revealable: bool, revealed: Any = None
) -> dict[str, Any]:
    return {
        "pk": person.pk,
        "role": person.get_role_display(),
        "name": CONFIDENTIAL_LABEL if hide else person.name,
        "phone": revealed.phone if revealed else ("" if hide else person.phone_masked),
        "id_number": revealed.id_number if revealed else ("" if hide else person.id_number_masked),
        "address": revealed.address if revealed else ("" if hide else person.address_masked),
        "confidential": person.wants_confidentiality,
        "revealable": revealable
        and revealed is None
        and bool(person.phone_token or person.id_number_token or person.address_token),
        "revealed": revealed is not None,
    }


def _petitioner_rows(petition: Petition, user: Any) -> list[dict[str, Any]]:
    hide_confidential = conceals(user, petition, True)
    hide_any = conceals(user, petition, False)
    rows = []
    for person in petition.petitioners.all():
        person.petition = petition  # the loaded matter, with its units (no extra query)
        rows.append(
            _petitioner_row(
                person,
                hide=hide_confidential if person.wants_confidentiality else hide_any,
                revealable=personal_data_revealable(user, person),
            )
        )
    return rows


def _answer_rows(petition: Petition, user: Any) -> list[dict[str, Any]]:
    rows = []
    for answer in petition.answers.select_related("unit", "receipt").order_by("answered_on", "pk"):
        receipt = getattr(answer, "receipt", None) if _has_receipt(answer) else None
        may_record = receipt is None and can(user, "handle", answer.unit.path)
        rows.append(
            {
                "answer": answer,
                "receipt": receipt,
                "delivery_form": DeliveryForm(prefix=f"dlv{answer.pk}") if may_record else None,
            }
        )
    return rows


def _has_receipt(answer: Any) -> bool:
    try:
        return answer.receipt is not None
    except DeliveryReceipt.DoesNotExist:
        return False


def _hearing_context(petition: Petition, user: Any) -> dict[str, Any]:
    hearings = list(petition.hearings.order_by("started_on", "pk"))
    open_hearing = next((h for h in hearings if h.ended_on is None), None)
    stage = services.hearing_stage(petition)
    may_start = bool(stage) and open_hearing is None
    if may_start:
        may_start = can(user, "lead", services.stage_unit(petition, stage).path)
    may_end = open_hearing is not None and can(
        user, "lead", services.stage_unit(petition, open_hearing.stage).path
    )
    return {
        "hearings": hearings,
        "hearing_start_form": HearingStartForm(prefix="hs") if may_start else None,
        "hearing_end_form": HearingEndForm(prefix="he") if may_end else None,
    }


def _report_expected(petition: Petition) -> bool:
    return petition.report_required or petition.handed_down_by_id is not None


def _draft_steps(petition: Petition, user: Any, draft: Any) -> list[Step]:
    """The draft and return forms the user may use: a leader returns an open draft that is
    not their own; anyone with the stage's handling grant drafts."""
    steps = []
    for name in DRAFT_STEPS:
        step = _STEP_BY_NAME[name]
        if petition.status not in step.sources or not actor_may(user, petition, step):
            continue
        if name == "return_opinion" and (draft is None or draft.drafted_by_id == user.pk):
            continue
        steps.append(step)
    return steps


def _draft_initial(draft: Any) -> dict[str, Any]:
    """The leader's opinion form starts from the open draft."""
    if draft is None:
        return {}
    fields = ("outcome", "request", "facts", "reasons", "legal_basis", "review_route")
    return {name: getattr(draft, name) for name in fields}


def _opinion_context(petition: Petition) -> dict[str, Any]:
    stage = opinion_stage(petition)
    draft = open_draft(petition, stage) if stage else None
    drafts = petition.opinion_drafts.select_related("drafted_by", "returned_by").order_by("pk")
    return {"draft": draft, "drafts": drafts}


# Where the matter stands when no office's period runs: the petitioner's own window, or
# the end of the procedure (条例 Arts. 35–36).
_AT_REST: dict[str, tuple[str, str | None]] = {
    Status.ANSWERED: ("已出具处理意见；信访人可申请复查", "review_request_due"),
    Status.EVALUATED: ("已回访评价；信访人可申请复查", "review_request_due"),
    Status.REVIEWED: ("已出具复查意见；信访人可申请复核", "rereview_request_due"),
    Status.FINAL: ("已出具复核意见，信访事项终结", None),
    Status.CLOSED: ("已办结", None),
    Status.NOT_ACCEPTED: ("不予受理，已书面告知", None),
    Status.LINKED: ("已并入同一事项", None),
}


def stage_at_rest(petition: Petition) -> str:
    """The matter's stage when no office's period is running ("" while one runs)."""
    if petition.next_due or petition.next_due_not_before or petition.deadline_pending:
        return ""
    text, column = _AT_REST.get(petition.status, ("", None))
    if column and petition.due_text(column) not in ("", "—"):
        text = f"{text}（期限 {petition.due_text(column)}）"
    return text


def _detail_context(request: HttpRequest, petition: Petition) -> dict[str, Any]:
    user = request.user
    opinion = _opinion_context(petition)
    draft = opinion["draft"]
    steps = [*allowed_steps(petition, user), *_draft_steps(petition, user, draft)]
    forms = [
        {
            "step": step,
            "form": StepForm(
                step=step,
                petition=petition,
                prefix=step.name,
                initial=_draft_initial(draft) if step.name in OPINION_STEPS else None,
            ),
            "approves": draft is not None and step.name in OPINION_STEPS,
        }
        for step in steps
    ]
    may_extend = (
        petition.status in (Status.ACCEPTED, Status.IN_HANDLING)
        and not petition.extension_days
        and can(user, "lead", petition.responsible_unit.path)
    )
    may_lead = can(user, "lead", petition.responsible_unit.path)
    may_handle = can(user, "handle", petition.responsible_unit.path)
    report_expected = _report_expected(petition)
    return {
        "p": petition,
        "at_rest": stage_at_rest(petition),
        **opinion,
        "petitioners": _petitioner_rows(petition, user),
        "timeline": petition.transitions.select_related("actor").order_by("at", "pk"),
        "handovers": petition.handovers.select_related("from_unit", "to_unit"),
        "answers": _answer_rows(petition, user),
        **_hearing_context(petition, user),
        "evidence": petition.evidence.select_related("attachment", "added_by"),
        "evidence_form": EvidenceForm(prefix="ev")
        if may_handle and petition.accepted_on is not None
        else None,
        "report_expected": report_expected,
        "reports": petition.completion_reports.select_related("to_unit", "submitted_by"),
        "report_form": CompletionReportForm(prefix="cr")
        if report_expected and may_lead and petition.answered_on is not None
        else None,
        "attachments": petition.attachments.all(),
        "extension": Extension.objects.filter(petition=petition).first(),
        "return_visits": petition.return_visits.all(),
        "candidates": open_proposals(petition, user),
        "group": group_summary(petition, user),
        "step_forms": forms,
        "extension_form": ExtensionForm(prefix="ext") if may_extend else None,
        **_procedure_context(petition, user),
        "attachment_form": AttachmentForm(),
        "can_upload": services_can(user, "register", petition)
        or services_can(user, "handle", petition),
        **_location_context(petition, user),
    }


def _location_context(petition: Petition, user: Any) -> dict[str, Any]:
    """Matters within ``NEARBY_METRES`` and the community and grid the location lies in."""
    if petition.lat is None or petition.lon is None:
        return {}
    return {
        "nearby_metres": settings.NEARBY_METRES,
        "nearby": location.nearby(petition, user, settings.NEARBY_METRES),
        "proposed_units": location.propose_units(petition.lat, petition.lon),
    }


def _procedure_context(petition: Petition, user: Any) -> dict[str, Any]:
    # The recusal, co-handling, agreement and aftercare sections have their own module,
    # which builds on this one's helpers (hence imported here, not at the top).
    from xinfang.petitions.procedure_views import procedure_context

    return procedure_context(petition, user)


def services_can(user: Any, action: str, petition: Petition) -> bool:
    return any(
        can(user, action, unit.path)
        for unit in (petition.registering_unit, petition.responsible_unit)
    )


def _get(request: HttpRequest, pk: int) -> Petition:
    petition = petition_for_user(request.user, pk)
    return Petition.objects.select_related(
        "registering_unit",
        "responsible_unit",
        "matter_type__parent",
        "handler",
        "registrar",
        "accused_unit",
        "handed_down_by",
    ).get(pk=petition.pk)


@require_roles(*STAFF_ROLES)
def petition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _get(request, pk)
    return render(request, "petitions/detail.html", _detail_context(request, petition))


def _htmx_redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect htmx follows (``HX-Redirect`` on a 204), or a plain one without htmx."""
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _done(request: HttpRequest, petition: Petition) -> HttpResponse:
    return _htmx_redirect(request, reverse("petitions:petition_detail", args=[petition.pk]))


def _report(request: HttpRequest, run: Callable[[], Any], success: str) -> None:
    """Call a service and flash its outcome: ``success``, or its Chinese error."""
    try:
        run()
    except XinfangError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)


def _form_action(
    request: HttpRequest,
    petition: Petition,
    form: Any,
    *,
    template: str,
    run: Callable[[dict[str, Any]], Any],
    success: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """Validate an htmx action form, call its service, redirect to the matter on success;
    otherwise re-render the form with the service's Chinese error (400 without htmx)."""
    error = ""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except XinfangError as exc:
            error = str(exc)
        else:
            messages.success(request, success)
            return _done(request, petition)
    return render(
        request,
        template,
        {"p": petition, "form": form, "error": error, **(context or {})},
        status=200 if request.htmx else 400,  # type: ignore[attr-defined]
    )


def _take(
    request: HttpRequest, petition: Petition, step: Step, reason: str, payload: dict[str, Any]
) -> Petition:
    if step.in_state:
        return take_in_state_step(petition, step.name, actor=request.user, reason=reason, **payload)
    return transition(
        petition,
        step.target,
        actor=request.user,
        reason=reason,
        input=input_for(step, payload),
        step=step.name,
    )


@require_roles(*STAFF_ROLES)
@require_POST
def petition_step(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Run one workflow step from its htmx form."""
    petition = _get(request, pk)
    step = _STEP_BY_NAME.get(name)
    if step is None or step.petitioner_only:
        raise Http404  # the petitioner's own steps have no staff form (workflow.proof)
    form = StepForm(request.POST, step=step, petition=petition, prefix=step.name)
    return _form_action(
        request,
        petition,
        form,
        template="petitions/_step_form.html",
        run=lambda d: _take(request, petition, step, d.get("reason", ""), form.payload()),
        success=f"已完成：{step.label}",
        context={"item": {"step": step, "form": form}},
    )


@require_roles(*STAFF_ROLES)
@require_POST
def petition_extend(request: HttpRequest, pk: int) -> HttpResponse:
    """延期: at most 30 more days with the leader's approval (条例 Art. 34)."""
    petition = _get(request, pk)
    return _form_action(
        request,
        petition,
        ExtensionForm(request.POST, prefix="ext"),
        template="petitions/_extension_form.html",
        run=lambda d: services.extend_handling(
            petition,
            actor=request.user,
            days=d["days"],
            reason=d["reason"],
            late_reason=d["late_reason"],
            occurred_on=d["occurred_on"],
            occurred_reason=d["occurred_reason"],
        ),
        success="已延长办理期限，延期理由将告知信访人",
    )


@require_roles(*STAFF_ROLES)
@require_POST
def hearing_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a hearing (听证); in re-review its days are not counted (条例 Art. 36)."""
    petition = _get(request, pk)
    return _form_action(
        request,
        petition,
        HearingStartForm(request.POST, prefix="hs"),
        template="petitions/_hearing_start_form.html",
        run=lambda d: services.start_hearing(
            petition, actor=request.user, started_on=d["started_on"], note=d["note"]
        ),
        success="已记录听证开始",
    )


@require_roles(*STAFF_ROLES)
@require_POST
def hearing_end(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the open hearing; a re-review's due date moves by the hearing days."""
    petition = _get(request, pk)
    return _form_action(
        request,
        petition,
        HearingEndForm(request.POST, prefix="he"),
        template="petitions/_hearing_end_form.html",
        run=lambda d: services.end_hearing(petition, actor=request.user, ended_on=d["ended_on"]),
        success="已记录听证结束",
    )


@require_roles(*STAFF_ROLES)
@require_POST
def delivery_record(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    """送达回证 of one answer: the petitioner's receipt starts the review window."""
    petition = _get(request, pk)
    answer = get_object_or_404(
        Answer.objects.select_related("unit", "petition"), pk=answer_pk, petition=petition
    )
    return _form_action(
        request,
        petition,
        DeliveryForm(request.POST, prefix=f"dlv{answer.pk}"),
        template="petitions/_delivery_form.html",
        run=lambda d: services.record_delivery(
            answer,
            actor=request.user,
            delivered_on=d["delivered_on"],
            method=d["method"],
            recipient=d["recipient"],
        ),
        success="已登记送达回证",
        context={"answer": answer},
    )


@require_roles(*STAFF_ROLES)
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    """佐证材料: a description and optionally a file."""
    petition = _get(request, pk)
    return _form_action(
        request,
        petition,
        EvidenceForm(request.POST, request.FILES, prefix="ev"),
        template="petitions/_evidence_form.html",
        run=lambda d: services.add_evidence(
            petition, actor=request.user, description=d["description"], upload=d["file"]
        ),
        success="已添加佐证材料",
    )


@require_roles(*STAFF_ROLES)
@require_POST
def completion_report(request: HttpRequest, pk: int) -> HttpResponse:
    """结案报告 to the office that handed the matter down."""
    petition = _get(request, pk)
    return _form_action(
        request,
        petition,
        CompletionReportForm(request.POST, prefix="cr"),
        template="petitions/_report_form.html",
        run=lambda d: services.submit_completion_report(
            petition, actor=request.user, text=d["text"]
        ),
        success="已报送结案报告",
    )


@require_roles(*STAFF_ROLES)
@require_POST
def petitioner_reveal(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    """htmx: the full phone, ID number and address of one petitioner, for staff who need them.

    Every read is audited (``pii_read``); anyone else — the accused, a unit that only
    oversees, anyone not entitled to a confidential petitioner — gets a 404.
    """
    petition = _get(request, pk)
    person = get_object_or_404(Petitioner.objects.filter(petition=petition), pk=person_pk)
    person.petition = petition
    htmx = bool(getattr(request, "htmx", False))
    try:
        revealed = services.reveal_petitioner(person, actor=request.user)
    except TransitionNotAllowed as exc:
        raise Http404 from exc
    row = _petitioner_row(person, hide=False, revealable=False, revealed=revealed)
    status = 200
    if revealed.damaged:
        labels = "、".join(DAMAGED_LABELS[name] for name in revealed.damaged)
        row["error"] = (
            f"{labels}的密文已损坏或被篡改，无法显示；已记入审计日志，请联系系统管理员核查。"
        )
        # Shown in the row (htmx swaps only 2xx answers); the full page says 422.
        status = 200 if htmx else 422
    template = "petitions/_petitioner_row.html" if htmx else "petitions/petitioner_revealed.html"
    response = render(request, template, {"p": petition, "person": row}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_roles(*STAFF_ROLES)
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _get(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件")
        return _done(request, petition)
    _report(
        request,
        lambda: services.add_attachment(
            petition, actor=request.user, upload=form.cleaned_data["file"], stage="handling"
        ),
        "附件已上传",
    )
    return _done(request, petition)


@require_roles(*STAFF_ROLES)
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The only way out for a stored file: scoped, and always as a download."""
    attachment = get_object_or_404(Attachment.objects.restrict(request.user, "view"), pk=pk)
    return cast(HttpResponse, attachment_response(attachment))


@require_roles(Role.REGISTRAR, Role.ADMINISTRATOR)
def petition_register(request: HttpRequest) -> HttpResponse:
    """Register a matter from any staff channel, with co-signers and attachments."""
    if request.method == "POST":
        form = RegisterForm(request.POST, request.FILES, user=request.user)
        formset = PetitionerFormSet(request.POST, prefix="people")
        if form.is_valid() and formset.is_valid():
            d = form.cleaned_data
            people = [
                services.PetitionerData(**f.cleaned_data)
                for f in formset.forms
                if f.cleaned_data and f.cleaned_data.get("name")
            ]
            try:
                result = services.register_petition(
                    actor=request.user,
                    registering_unit=d["registering_unit"],
                    channel=d["channel"],
                    kind=d["kind"],
                    summary=d["summary"],
                    full_text=d["full_text"],
                    received_on=d["received_on"],
                    matter_type=d["matter_type"],
                    place=d["place"],
                    lat=d["lat"],
                    lon=d["lon"],
                    head_count=d["head_count"],
                    accused_unit=d["accused_unit"],
                    accused_person=d["accused_person"],
                    handed_down_by=d["handed_down_by"],
                    report_due=d["report_due"],
                    source_reference=d["source_reference"],
                    petitioners=people,
                    attachments=d["attachments"],
                    sms_opt_in=d["sms_opt_in"],
                    litigation_related=d["litigation_related"],
                )
            except XinfangError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"已登记 {result.petition.number}。信访人查询码：{result.query_code}"
                    "（仅显示一次，请告知信访人）",
                )
                return redirect("petitions:petition_detail", result.petition.pk)
    else:
        form = RegisterForm(
            user=request.user,
            initial={"received_on": timezone.localdate(), "channel": Channel.LETTER},
        )
        units = cast(ModelChoiceField, form.fields["registering_unit"]).queryset
        unit_id = getattr(request.user, "unit_id", None)
        if unit_id and units is not None and units.filter(pk=unit_id).exists():
            form.initial["registering_unit"] = unit_id
        formset = PetitionerFormSet(prefix="people")
    return render(request, "petitions/register.html", {"form": form, "formset": formset})


DAMAGED_LABELS = {"phone": "联系电话", "id_number": "身份证号", "address": "住址"}


@require_roles(Role.REGISTRAR, Role.ADMINISTRATOR)
@require_POST
def register_matches(request: HttpRequest) -> HttpResponse:
    """htmx: possible earlier matters while registering (same phone/ID or similar text).

    POST, and only the three fields the check needs: a query string lands in every access
    log and proxy log, and the phone and ID number must not (个人信息保护法 Art. 51).
    """
    summary = request.POST.get("summary", "").strip()
    phone = request.POST.get("people-0-phone", "").strip()
    id_number = request.POST.get("people-0-id_number", "").strip()
    visible = Petition.objects.restrict(request.user, "view")
    since = timezone.localdate() - timedelta(days=730)
    matches: dict[int, tuple[Petition, int, bool]] = {}
    digests: list[Q] = []
    for kind, raw, field in (
        ("phone", phone, "phone_digest"),
        ("id_number", id_number, "id_number_digest"),
    ):
        if raw:
            try:
                digests.append(Q(**{field: digest_for(kind, raw)}))  # type: ignore[arg-type]
            except XinfangError:
                continue
    if digests:
        q = digests[0]
        for extra in digests[1:]:
            q |= extra
        ids = Petitioner.objects.filter(q).values("petition_id")
        for p in visible.filter(pk__in=ids, received_on__gte=since).select_related(
            "responsible_unit"
        )[:10]:
            matches[p.pk] = (p, 100, True)
    if len(summary) >= 4:
        for p in (
            visible.filter(received_on__gte=since)
            .select_related("responsible_unit")
            .order_by("-pk")[:200]
        ):
            if p.pk in matches:
                continue
            score = similarity(summary, p.summary)
            if score >= 70:
                matches[p.pk] = (p, score, False)
    rows = sorted(matches.values(), key=lambda m: (-m[2], -m[1]))[:8]
    return render(request, "petitions/_matches.html", {"matches": rows})


_CANDIDATE_DECISIONS: dict[str, tuple[Callable[..., Any], str]] = {
    "link": (link_candidate, "已关联为同一事项"),
    "dismiss": (dismiss_candidate, "已排除该候选"),
}


@require_roles(Role.REGISTRAR, Role.HANDLER, Role.UNIT_LEADER, Role.ADMINISTRATOR)
@require_POST
def candidate_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    candidate = get_object_or_404(
        SameMatterCandidate.objects.restrict(request.user, "view").select_related(
            "petition__registering_unit", "petition__responsible_unit", "candidate"
        ),
        pk=pk,
    )
    if (
        not Petition.objects.restrict(request.user, "view")
        .filter(pk=candidate.candidate_id)
        .exists()
    ):
        raise Http404
    if decision not in _CANDIDATE_DECISIONS:
        raise Http404
    decide, success = _CANDIDATE_DECISIONS[decision]
    _report(request, lambda: decide(candidate, actor=request.user), success)
    return _done(request, candidate.petition)


def dashboard_data(request: HttpRequest) -> dict[str, Any]:
    today = timezone.localdate()
    qs = Petition.objects.restrict(request.user, "view")
    return {
        "open": qs.open().count(),
        "due_soon": qs.due_within(DUE_SOON_DAYS, today=today).filter(is_overdue=False).count(),
        "overdue": qs.overdue().count(),
        "pending": qs.filter(deadline_pending=True).count(),
    }


@require_roles(*STAFF_ROLES)
def inbox(request: HttpRequest) -> HttpResponse:
    """The inbox moved to ``org:inbox`` (every app's messages); old links still work."""
    url = reverse("org:inbox")
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{url}?{query}" if query else url)
