"""Campaigns: list, creation and each campaign's own dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, F, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xinfang.core.errors import XinfangError
from xinfang.core.querysets import get_object_for_user
from xinfang.ledgers import services
from xinfang.ledgers.choices import DisputeStatus, ReportStatus
from xinfang.ledgers.forms import CampaignForm, SubmissionForm
from xinfang.ledgers.models import Campaign, Dispute, ReportDue, ScreeningRound
from xinfang.ledgers.views._common import LEAD_ROLES, STAFF_ROLES, flash_error, paginate
from xinfang.org.guards import require_roles


@require_roles(*STAFF_ROLES)
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.restrict(request.user).select_related("unit")
    q = request.GET.get("q", "").strip()
    if q:
        campaigns = campaigns.filter(Q(name__icontains=q) | Q(unit__name__icontains=q))
    return render(
        request,
        "ledgers/campaign_list.html",
        {"page_obj": paginate(request, campaigns), "q": q, "today": timezone.localdate()},
    )


@require_roles(*LEAD_ROLES)
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(actor=request.user, **form.cleaned_data)
        except XinfangError as exc:
            flash_error(request, exc)
        else:
            return redirect("ledgers:campaign_detail", pk=campaign.pk)
    return render(request, "ledgers/form.html", {"form": form, "title": "部署专项行动"})


@require_roles(*STAFF_ROLES)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's dashboard: phases, targets, per-participant screening, disputes and
    submissions (due, late, missing)."""
    campaign = get_object_for_user(Campaign.objects.select_related("unit"), request.user, pk=pk)
    today = timezone.localdate()
    now = timezone.now()
    participants = list(campaign.participants.order_by("path"))
    ids = [p.pk for p in participants]
    rounds = {
        r["unit_id"]: r
        for r in ScreeningRound.objects.filter(campaign=campaign)
        .values("unit_id")
        .annotate(
            total=Count("pk", filter=Q(due_date__lt=today, due_pending=False)),
            filed=Count("pk", filter=Q(filed_at__isnull=False)),
            missing=Count(
                "pk", filter=Q(filed_at__isnull=True, due_date__lt=today, due_pending=False)
            ),
        )
    }
    subs = {
        r["unit_id"]: r
        for r in ReportDue.objects.filter(obligation__campaign=campaign)
        .values("unit_id")
        .annotate(
            due=Count("pk", filter=Q(due_at__lt=now)),
            on_time=Count("pk", filter=Q(filed_at__isnull=False, filed_at__lte=F("due_at"))),
            late=Count("pk", filter=Q(filed_at__gt=F("due_at"), marked_missing_at__isnull=True)),
            missing=Count(
                "pk",
                filter=Q(status=ReportStatus.MISSING) | Q(status=ReportStatus.DUE, due_at__lt=now),
            ),
        )
    }
    disputes = {
        r["unit_id"]: r
        for r in Dispute.objects.filter(
            unit_id__in=ids, found_on__gte=campaign.starts_on, found_on__lte=campaign.ends_on
        )
        .values("unit_id")
        .annotate(found=Count("pk"), closed=Count("pk", filter=Q(status=DisputeStatus.CLOSED)))
    }
    rows = [
        {
            "unit": p,
            "rounds": rounds.get(p.pk, {}),
            "subs": subs.get(p.pk, {}),
            "disputes": disputes.get(p.pk, {}),
        }
        for p in participants
    ]
    phase = next((ph for ph in campaign.phases.all() if ph.starts_on <= today <= ph.ends_on), None)
    can_lead = _can_lead(request, campaign)
    return render(
        request,
        "ledgers/campaign_detail.html",
        {
            "c": campaign,
            "rows": rows,
            "phases": campaign.phases.all(),
            "current_phase": phase,
            # One line per requirement, not the obligation rows (one per participant).
            "obligations": _submission_lines(campaign),
            "form": SubmissionForm(),
            "can_lead": can_lead,
            "today": today,
        },
    )


def _submission_lines(campaign: Campaign) -> list[str]:
    seen: list[str] = []
    for ob in campaign.obligations.order_by("pk"):
        when = (
            f"每周{'一二三四五六日'[ob.due_weekday]} {ob.due_time:%H:%M} 前"
            if ob.once_due_date is None
            else f"{ob.once_due_date:%m月%d日} {ob.due_time:%H:%M} 前"
        )
        line = f"{ob.title}：{when}"
        if line not in seen:
            seen.append(line)
    return seen


def _can_lead(request: HttpRequest, campaign: Campaign) -> bool:
    from xinfang.org.access import can

    return can(request.user, "lead", campaign.unit.path)


@require_POST
@require_roles(*LEAD_ROLES)
def submission_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_for_user(
        Campaign.objects.select_related("unit"), request.user, action="lead", pk=pk
    )
    form = SubmissionForm(request.POST)
    if form.is_valid():
        try:
            obligations = services.add_campaign_submission(
                actor=request.user, campaign=campaign, **form.cleaned_data
            )
        except XinfangError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, f"已向 {len(obligations)} 个参加单位布置报送要求")
    else:
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("ledgers:campaign_detail", pk=campaign.pk)
