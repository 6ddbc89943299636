"""Leaders' reception: the schedule (staff and public), iCalendar feed, door notice,
records, petition intake and spot checks."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.core.errors import XinfangError
from xinfang.core.querysets import get_object_for_user
from xinfang.ledgers import services
from xinfang.ledgers.choices import PublishStatus
from xinfang.ledgers.forms import PetitionIntakeForm, ReceptionForm, SlotForm, SpotCheckForm
from xinfang.ledgers.ical import reception_calendar
from xinfang.ledgers.models import Reception, ReceptionSlot
from xinfang.ledgers.pdf import pdf_response
from xinfang.ledgers.views._common import (
    CHECK_ROLES,
    LEAD_ROLES,
    STAFF_ROLES,
    flash_error,
    paginate,
    parse_date,
    query_string,
    visible_units,
    xlsx_response,
)
from xinfang.org.choices import Role
from xinfang.org.guards import require_roles
from xinfang.org.models import Unit

RECEIVE_ROLES = (Role.RECEIVING_LEADER, Role.UNIT_LEADER, Role.REGISTRAR)


@require_roles(*STAFF_ROLES)
def slot_list(request: HttpRequest) -> HttpResponse:
    slots = ReceptionSlot.objects.restrict(request.user).select_related("unit")
    start = parse_date(request.GET.get("from"))
    if start:
        slots = slots.filter(day__gte=start)
    status = request.GET.get("status", "")
    if status in PublishStatus.values:
        slots = slots.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        slots = slots.filter(
            Q(leader_name__icontains=q) | Q(place__icontains=q) | Q(topic__icontains=q)
        )
    units = visible_units(request, "lead")
    # The public links only where the public pages answer (``_public_unit``).
    public_unit_ids = set(
        ReceptionSlot.objects.published().filter(unit__in=units).values_list("unit_id", flat=True)
    )
    return render(
        request,
        "ledgers/slot_list.html",
        {
            "page_obj": paginate(request, slots),
            "q": q,
            "status": status,
            "statuses": PublishStatus.choices,
            "lead_units": units,
            "public_unit_ids": public_unit_ids,
            "qs": query_string(request),
        },
    )


@require_roles(*LEAD_ROLES)
def slot_create(request: HttpRequest) -> HttpResponse:
    form = SlotForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_reception(actor=request.user, **form.cleaned_data)
        except XinfangError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, "已加入接访日程（草稿），公布后对外可见")
            return redirect("ledgers:slot_list")
    return render(request, "ledgers/form.html", {"form": form, "title": "安排领导接访"})


@require_POST
@require_roles(*LEAD_ROLES)
def slot_publish(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Publish every draft slot of one unit."""
    unit: Unit = get_object_for_user(Unit.objects.all(), request.user, action="lead", pk=unit_id)
    drafts = list(ReceptionSlot.objects.filter(unit=unit, status=PublishStatus.DRAFT))
    try:
        count = services.publish_reception_schedule(actor=request.user, unit=unit, slots=drafts)
    except XinfangError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, f"已公布 {count} 个接访日程")
    return redirect("ledgers:slot_list")


def _public_slots(unit: Unit) -> object:
    since = timezone.localdate() - timedelta(days=31)
    return (
        ReceptionSlot.objects.published()
        .filter(unit=unit, day__gte=since)
        .order_by("day", "starts_at")
    )


def _public_unit(unit_id: int) -> Unit:
    unit = get_object_or_404(Unit, pk=unit_id, is_active=True)
    if not ReceptionSlot.objects.published().filter(unit=unit).exists():
        raise Http404
    return unit


def public_schedule(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The citizen-facing schedule page of one unit (no login). A unit that has published
    nothing yet answers "暂无" rather than 404: the portal links every unit its petition
    office lists (条例 Art. 18), and the citizen should read that nothing is scheduled."""
    unit = get_object_or_404(Unit, pk=unit_id, is_active=True)
    published = ReceptionSlot.objects.published().filter(unit=unit).exists()
    return render(
        request,
        "ledgers/public_schedule.html",
        {"unit": unit, "slots": _public_slots(unit), "published": published},
    )


def public_ics(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The schedule as an iCalendar feed (RFC 5545) to subscribe to."""
    unit = _public_unit(unit_id)
    body = reception_calendar(
        _public_slots(unit),  # type: ignore[arg-type]
        name=f"{unit.name}领导接访日程",
    )
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="reception.ics"'
    return response


def public_notice(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The printable notice for the reception-room door (PDF)."""
    unit = _public_unit(unit_id)
    return pdf_response(
        "ledgers/print/reception_notice.html",
        {"unit": unit, "slots": _public_slots(unit), "printed": timezone.localdate()},
        f"{unit.name}领导接访日程.pdf",
    )


@require_roles(*STAFF_ROLES)
def reception_list(request: HttpRequest) -> HttpResponse:
    receptions = Reception.objects.restrict(request.user).select_related("unit", "slot")
    q = request.GET.get("q", "").strip()
    if q:
        receptions = receptions.filter(
            Q(leader_name__icontains=q)
            | Q(matters_raised__icontains=q)
            | Q(instructions__icontains=q)
        )
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            request,
            filename=f"领导接访登记-{timezone.localdate():%Y%m%d}.xlsx",
            sheet="领导接访登记",
            headers=[
                "接访日期",
                "单位",
                "接访领导",
                "来访人数",
                "来访人员情况",
                "反映问题",
                "领导批示/处理意见",
                "信访事项编号",
            ],
            rows=(
                [
                    r.received_on,
                    r.unit.name,
                    r.leader_name,
                    r.visitor_count,
                    r.visitors,
                    r.matters_raised,
                    r.instructions,
                    r.petition_ref,
                ]
                for r in receptions.iterator()
            ),
            what="reception",
        )
    return render(
        request,
        "ledgers/reception_list.html",
        {"page_obj": paginate(request, receptions), "q": q, "qs": query_string(request)},
    )


@require_roles(*RECEIVE_ROLES)
def reception_create(request: HttpRequest) -> HttpResponse:
    slot = None
    slot_id = request.GET.get("slot") or request.POST.get("slot")
    if slot_id and str(slot_id).isdigit():
        slot = get_object_for_user(
            ReceptionSlot.objects.select_related("unit"),
            request.user,
            action="receive",
            pk=int(slot_id),
        )
    initial = {"received_on": timezone.localdate()}
    if slot:
        initial |= {"unit": slot.unit_id, "leader_name": slot.leader_name, "received_on": slot.day}
    form = ReceptionForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            reception = services.record_reception(
                actor=request.user, slot=slot, **form.cleaned_data
            )
        except XinfangError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, "接访记录已保存")
            return redirect("ledgers:reception_detail", pk=reception.pk)
    return render(request, "ledgers/form.html", {"form": form, "title": "登记接访情况"})


@require_roles(*STAFF_ROLES)
def reception_detail(request: HttpRequest, pk: int) -> HttpResponse:
    reception = get_object_for_user(
        Reception.objects.select_related("unit", "slot"), request.user, pk=pk
    )
    intake = PetitionIntakeForm(
        initial={"instruction_due": services.instruction_due_default(reception)}
    )
    return render(
        request,
        "ledgers/reception_detail.html",
        {
            "r": reception,
            "intake_form": intake,
            "may_register": services.may_register_reception(request.user, reception),
        },
    )


@require_POST
@require_roles(Role.REGISTRAR, Role.ADMINISTRATOR)
def reception_register_petition(request: HttpRequest, pk: int) -> HttpResponse:
    """The front desk registers the reception as a matter (the service checks its grant)."""
    reception = get_object_for_user(
        Reception.objects.select_related("unit", "slot__leader"),
        request.user,
        action="register",
        pk=pk,
    )
    form = PetitionIntakeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写信访人姓名并选择信访类别")
        return redirect("ledgers:reception_detail", pk=reception.pk)
    try:
        ref = services.register_reception_as_petition(
            actor=request.user, reception=reception, **form.cleaned_data
        )
    except XinfangError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, f"已登记为信访事项 {ref}")
    return redirect("ledgers:reception_detail", pk=reception.pk)


@require_POST
@require_roles(*CHECK_ROLES)
def spotcheck_create(request: HttpRequest, pk: int) -> HttpResponse:
    slot = get_object_for_user(
        ReceptionSlot.objects.select_related("unit"), request.user, action="supervise", pk=pk
    )
    form = SpotCheckForm(request.POST)
    if form.is_valid():
        try:
            services.record_spot_check(actor=request.user, slot=slot, **form.cleaned_data)
        except XinfangError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, "督查情况已记录")
    else:
        messages.error(request, "请选择领导是否在岗")
    return redirect("ledgers:slot_list")
