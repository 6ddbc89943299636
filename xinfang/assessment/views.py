"""Pages of the assessment platform.

The office (``assess`` over the scheme's assessing unit) runs its periods here; a subject
unit (``handle`` over itself) sees its own facts, each with its rule, evidence and points,
declares facts in the self-declaration phase and appeals before the appeal deadline.
Every page starts from ``restrict`` / ``get_object_for_user`` (404 alike for missing and
forbidden).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from xinfang.assessment import services
from xinfang.assessment.choices import (
    COLLECTING_STATUSES,
    FINAL_STATUSES,
    RATING_STATUSES,
    AppealStatus,
    FactStatus,
    PeriodStatus,
)
from xinfang.assessment.collect import (
    counted_facts,
    period_evaluation,
    subject_lines,
)
from xinfang.assessment.forms import FactForm, PeriodForm, SchemeForm
from xinfang.assessment.models import (
    Appeal,
    AssessmentTransition,
    Fact,
    Period,
    Rating,
    Result,
    Scheme,
    Subject,
)
from xinfang.assessment.publication import XLSX_MIME, ranking, results_xlsx
from xinfang.assessment.querysets import UNIT_ACTION, ancestors_q
from xinfang.assessment.ratings import (
    components,
    progress,
    rated_items,
    rating_maximum,
    rating_open,
)
from xinfang.assessment.scoring import item_of, rulebook_of, what_if
from xinfang.assessment.tables import ranked_table
from xinfang.core import audit
from xinfang.core.errors import XinfangError
from xinfang.core.models import AuditAction
from xinfang.core.querysets import get_object_for_user
from xinfang.core.workflow import allowed_steps
from xinfang.documents.pdf import render_pdf
from xinfang.org.access import can, roles_for
from xinfang.org.guards import require_roles
from xinfang.org.models import RoleGrant, Unit

OFFICE_ROLES = tuple(sorted(roles_for("assess")))
# Any staff member reads as the unit they work for; the scopes decide what they see.
ROLES = tuple(sorted(roles_for("view")))
PAGE_SIZE = 100


def _period(request: HttpRequest, pk: int, action: str = "view") -> Period:
    return get_object_for_user(
        Period.objects.select_related("scheme__assessing_unit"), request.user, action=action, pk=pk
    )


def is_office(user: Any, period: Period) -> bool:
    return can(user, "assess", period.scheme.assessing_unit.path)


def _own_subjects(user: Any, period: Period) -> list[Subject]:
    return list(Subject.objects.restrict(user, "view").filter(period=period).select_related("unit"))


def _flash(request: HttpRequest, call: Any, ok: str) -> Any:
    try:
        result = call()
    except XinfangError as exc:
        messages.error(request, str(exc))
        return None
    messages.success(request, ok)
    return result


@require_roles(*ROLES)
def period_list(request: HttpRequest) -> HttpResponse:
    schemes = Scheme.objects.restrict(request.user, "view").select_related("assessing_unit")
    periods = (
        Period.objects.restrict(request.user, "view")
        .select_related("scheme__assessing_unit")
        .order_by("-start", "pk")
    )
    return render(
        request,
        "assessment/period_list.html",
        {
            "schemes": schemes,
            "periods": periods,
            "period_form": PeriodForm(),
            "my_ratings": Rating.objects.assigned_to(request.user)
            .filter(score__isnull=True, period__status__in=RATING_STATUSES)
            .count(),
        },
    )


@require_roles(*OFFICE_ROLES)
def scheme_create(request: HttpRequest) -> HttpResponse:
    form = SchemeForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        text = form.rulebook_text()
        if text is None and d["upload"] is not None:
            form.add_error("upload", "细则文件须为 UTF-8 编码的 YAML")
        elif text is None and not d["rulebook"]:
            form.add_error("rulebook", "请选择内置细则或上传细则文件")
        else:
            scheme = _flash(
                request,
                lambda: services.create_scheme(
                    actor=request.user,
                    name=d["name"],
                    assessing_unit=d["assessing_unit"],
                    rulebook_text=text or services.shipped_text(d["rulebook"]),
                    period_kind=d["period_kind"],
                    subject_category=d["subject_category"].strip(),
                    working_days=d["working_days"],
                    declaration_days=d["declaration_days"],
                    review_days=d["review_days"],
                    appeal_days=d["appeal_days"],
                    min_matters=d["min_matters"],
                ),
                "考评方案已建立",
            )
            if scheme is not None:
                return redirect("assessment:period_list")
    return render(request, "assessment/scheme_form.html", {"form": form})


@require_POST
@require_roles(*OFFICE_ROLES)
def period_create(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = get_object_for_user(
        Scheme.objects.select_related("assessing_unit"), request.user, action="assess", pk=pk
    )
    form = PeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写考评期间的起止日期")
        return redirect("assessment:period_list")
    d = form.cleaned_data
    period = _flash(
        request,
        lambda: services.open_period(
            actor=request.user, scheme=scheme, title=d["title"], start=d["start"], end=d["end"]
        ),
        "考评期次已开启",
    )
    if period is None:
        return redirect("assessment:period_list")
    return redirect("assessment:period_detail", pk=period.pk)


@require_roles(*ROLES)
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    office = is_office(request.user, period)
    own = _own_subjects(request.user, period)
    counts = dict(
        Fact.objects.restrict(request.user, "view")
        .filter(period=period)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return render(
        request,
        "assessment/period_detail.html",
        {
            "period": period,
            "office": office,
            "steps": allowed_steps(period, request.user) if office else [],
            "counts": [(FactStatus(k).label, v) for k, v in counts.items()],
            "own": own,
            "pending_appeals": Appeal.objects.restrict(request.user, "view")
            .filter(period=period, status=AppealStatus.PENDING)
            .count(),
            "final": period.status in FINAL_STATUSES,
            "published": period.status == PeriodStatus.PUBLISHED,
            "may_declare": period.status == PeriodStatus.DECLARATION
            and not office
            and any(can(request.user, UNIT_ACTION, s.unit.path) for s in own),
            "may_enter": office and period.status in COLLECTING_STATUSES,
            "rated": bool(rated_items(rulebook_of(period.scheme.rulebook_text)[0])),
            "timeline": AssessmentTransition.objects.filter(
                period=period, record_type="period"
            ).order_by("at", "pk"),
        },
    )


@require_POST
@require_roles(*OFFICE_ROLES)
def period_step(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk, "assess")
    _flash(
        request,
        lambda: services.take_step(
            period,
            request.POST.get("step", ""),
            actor=request.user,
            reason=request.POST.get("reason", ""),
        ),
        "已办理",
    )
    return redirect("assessment:period_detail", pk=period.pk)


def _with_rules(period: Period, facts: list[Fact]) -> list[Fact]:
    """Each fact with its rule (``fact.rule``: the rulebook's item, a duty key mapped)."""
    rb, _e, _w = rulebook_of(period.scheme.rulebook_text)
    for f in facts:
        f.rule = item_of(rb, f.item)  # type: ignore[attr-defined]
    return facts


@require_roles(*ROLES)
def fact_list(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    office = is_office(request.user, period)
    facts = (
        Fact.objects.restrict(request.user, "view")
        .filter(period=period)
        .select_related("unit")
        .prefetch_related(Prefetch("appeals", queryset=Appeal.objects.order_by("pk")))
        .order_by("subject", "pk")
    )
    status = request.GET.get("status", "")
    if status in FactStatus.values:
        facts = facts.filter(status=status)
    page = Paginator(facts, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    return render(
        request,
        "assessment/fact_list.html",
        {
            "period": period,
            "office": office,
            "page": page,
            "facts": _with_rules(period, rows),
            "reviewing": office
            and period.status in (PeriodStatus.DECLARATION, PeriodStatus.REVIEW),
            "appealing": period.status == PeriodStatus.APPEALS,
            "status": status,
            "statuses": FactStatus.choices,
        },
    )


@require_roles(*ROLES)
def fact_create(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    office = is_office(request.user, period)
    scope = Subject.objects.all() if office else Subject.objects.restrict(request.user, "view")
    subjects = scope.filter(period=period).select_related("unit")
    unit_ids = [
        s.unit_id for s in subjects if office or can(request.user, UNIT_ACTION, s.unit.path)
    ]
    units = Unit.objects.filter(pk__in=unit_ids).order_by("path")
    form = FactForm(request.POST or None, request.FILES or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        create = services.enter_fact if office else services.declare_fact
        fact = _flash(
            request,
            lambda: create(
                actor=request.user,
                period=period,
                unit=d["unit"],
                item=d["item"],
                day=d["day"],
                quantity=d["quantity"],
                value=d["value"],
                note=d["note"],
                evidence=d["evidence"],
                attachment=d["attachment"],
            ),
            "事实已录入" if office else "自评事实已申报，待考评办审核",
        )
        if fact is not None:
            return redirect("assessment:fact_list", pk=period.pk)
    return render(
        request, "assessment/fact_form.html", {"period": period, "form": form, "office": office}
    )


@require_POST
@require_roles(*OFFICE_ROLES)
def fact_step(request: HttpRequest, pk: int) -> HttpResponse:
    fact = get_object_for_user(
        Fact.objects.select_related("period__scheme__assessing_unit"),
        request.user,
        action="assess",
        pk=pk,
    )
    step = request.POST.get("step", "")
    data: dict[str, Any] = {}
    if step == "adjust":
        for key in ("quantity", "value"):
            raw = request.POST.get(key, "").strip()
            if raw:
                try:
                    data[key] = float(raw)
                except ValueError:
                    messages.error(request, "数量和分值须为数字")
                    return redirect("assessment:fact_list", pk=fact.period_id)
    _flash(
        request,
        lambda: services.take_step(
            fact, step, actor=request.user, reason=request.POST.get("reason", ""), data=data
        ),
        "已审核",
    )
    return redirect("assessment:fact_list", pk=fact.period_id)


@require_POST
@require_roles(*ROLES)
def appeal_create(request: HttpRequest, pk: int) -> HttpResponse:
    fact = get_object_for_user(
        Fact.objects.select_related("period", "unit"), request.user, action="view", pk=pk
    )
    _flash(
        request,
        lambda: services.file_appeal(
            actor=request.user, fact=fact, reason=request.POST.get("reason", "")
        ),
        "申诉已提交，待考评办决定",
    )
    return redirect("assessment:unit_detail", pk=fact.period_id, unit_id=fact.unit_id)


@require_POST
@require_roles(*OFFICE_ROLES)
def appeal_step(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = get_object_for_user(
        Appeal.objects.select_related("period__scheme__assessing_unit", "fact"),
        request.user,
        action="assess",
        pk=pk,
    )
    _flash(
        request,
        lambda: services.take_step(
            appeal,
            request.POST.get("step", ""),
            actor=request.user,
            reason=request.POST.get("reason", ""),
        ),
        "已作出决定",
    )
    return redirect("assessment:what_if_page", pk=appeal.period_id)


@require_roles(*OFFICE_ROLES)
def fact_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    fact = get_object_for_user(Fact.objects.all(), request.user, action="view", pk=pk)
    if not fact.attachment:
        raise Http404
    with fact.attachment.open("rb") as fh:
        body = fh.read()
    response = HttpResponse(body, content_type="application/octet-stream")
    name = fact.attachment.name.rsplit("/", 1)[-1]
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@require_roles(*OFFICE_ROLES)
def what_if_page(request: HttpRequest, pk: int) -> HttpResponse:
    """How the results change if the pending appeals are upheld (the office's view)."""
    period = _period(request, pk, "assess")
    appeals = list(
        Appeal.objects.filter(period=period).select_related("fact", "unit").order_by("status", "pk")
    )
    pending = {a.fact_id for a in appeals if a.status == AppealStatus.PENDING}
    rows: list[dict[str, Any]] = []
    if period.status not in FINAL_STATUSES and Subject.objects.filter(period=period).exists():
        subjects = list(Subject.objects.filter(period=period).order_by("position"))
        rows = what_if(period.scheme.rulebook_text, counted_facts(period), subjects, pending)
        rows = [r for r in rows if r["delta"] or r["rank"] != r["rank_if"]] if pending else []
    return render(
        request,
        "assessment/what_if.html",
        {"period": period, "appeals": appeals, "rows": rows, "pending": len(pending)},
    )


def _results_period(request: HttpRequest, pk: int) -> Period:
    """A closed period for the office, a published one for everyone who sees it."""
    period = _period(request, pk)
    if period.status == PeriodStatus.PUBLISHED:
        return period
    if period.status == PeriodStatus.CLOSED and is_office(request.user, period):
        return period
    raise Http404


@require_roles(*ROLES)
def result_list(request: HttpRequest, pk: int) -> HttpResponse:
    period = _results_period(request, pk)
    # The tables were rendered when the period closed (``tables``): read, never rendered.
    table, previous = ranked_table(period, office=is_office(request.user, period))
    return render(
        request,
        "assessment/result_list.html",
        {"period": period, "table": mark_safe(table), "previous": previous},  # noqa: S308 - our own renderer's output, escaped there
    )


def _export(request: HttpRequest, period: Period, kind: str, nbytes: int) -> None:
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=period,
        detail={"kind": kind, "bytes": nbytes},
    )


@require_roles(*ROLES)
def result_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    period = _results_period(request, pk)
    body = results_xlsx(period)
    _export(request, period, "xlsx", len(body))
    response = HttpResponse(body, content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(period.title)}.xlsx"
    return response


@require_roles(*ROLES)
def result_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The 通报: the ranked results per category in the style of an official notice."""
    period = _results_period(request, pk)
    body = render_pdf(
        "assessment/print/notice.html", {"period": period, "ranking": ranking(period)}
    )
    _export(request, period, "pdf", len(body))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(period.title)}.pdf"
    return response


@require_roles(*ROLES)
def unit_detail(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    """One subject's score, sections and the why of every point; its facts with their
    rules and evidence; its appeals."""
    period = _period(request, pk)
    office = is_office(request.user, period)
    scope = (
        Subject.objects.filter(period=period)
        if office
        else Subject.objects.restrict(request.user, "view").filter(period=period)
    )
    subject = scope.select_related("unit").filter(unit_id=unit_id).first()
    if subject is None:
        raise Http404
    result: dict[str, Any] | None = None
    provisional = False
    if period.status in FINAL_STATUSES:
        stored = Result.objects.filter(period=period, subject=subject.code).first()
        result = dict(stored.data) if stored else None
        if result is not None and not result["lines"]:  # scored from the database's sums
            result["lines"] = subject_lines(period, subject) or []
    elif period.status == PeriodStatus.APPEALS or office:
        data = period_evaluation(period).data
        result = next((s for s in data["subjects"] if s["subject"] == subject.code), None)
        provisional = True
    facts = list(
        Fact.objects.filter(period=period, unit_id=subject.unit_id)
        .prefetch_related(Prefetch("appeals", queryset=Appeal.objects.order_by("pk")))
        .order_by("pk")
    )
    return render(
        request,
        "assessment/unit_detail.html",
        {
            "period": period,
            "subject": subject,
            "result": result,
            "provisional": provisional,
            "facts": _with_rules(period, facts),
            "may_appeal": period.status == PeriodStatus.APPEALS
            and can(request.user, UNIT_ACTION, subject.unit.path),
            "small_sample": subject.sample < period.scheme.min_matters,
            "parts": components(period, [subject.code]).get(subject.code, [])
            if result is not None
            else [],
        },
    )


def _rater_choices(period: Period, kind: str, subjects: list[Subject]) -> list[tuple[str, str]]:
    """Who may be assigned: for leaders, each ``lead`` grant on or above the assessing
    unit or inside it (``lead:<grant>``); for peers, the active units inside the assessing
    unit that are not this period's subjects (``unit:<pk>``)."""
    top = period.scheme.assessing_unit
    if kind == "leaders":
        near = Q(unit__path__startswith=top.path) | (ancestors_q([top.path], "unit__path") or Q())
        grants = (
            RoleGrant.objects.filter(near, role__in=roles_for("lead"), unit__is_active=True)
            .select_related("user", "unit")
            .order_by("unit__path", "user__username")
        )
        return [
            (f"lead:{g.pk}", f"{g.unit.name} {g.user.full_name or g.user.username}") for g in grants
        ]
    taken = {s.unit_id for s in subjects}
    units = Unit.objects.filter(is_active=True, path__startswith=top.path).order_by("path")
    return [(f"unit:{u.pk}", u.name) for u in units if u.pk not in taken]


def _assign(request: HttpRequest, period: Period, subjects: list[Subject]) -> None:
    item = request.POST.get("item", "")
    kind, _sep, raw = request.POST.get("rater", "").partition(":")
    chosen = {int(x) for x in request.POST.getlist("subjects") if x.isdigit()}
    picked = [s for s in subjects if s.pk in chosen]
    rater_user = None
    rater_unit: Unit | None = None
    if kind == "lead" and raw.isdigit():
        grant = RoleGrant.objects.select_related("user", "unit").filter(pk=int(raw)).first()
        if grant is not None:
            rater_user, rater_unit = grant.user, grant.unit
    elif kind == "unit" and raw.isdigit():
        rater_unit = Unit.objects.filter(pk=int(raw), is_active=True).first()
    if rater_unit is None or not picked:
        messages.error(request, "请选择评分人和被评单位")
        return
    unit = rater_unit
    _flash(
        request,
        lambda: services.assign_raters(
            actor=request.user,
            period=period,
            item=item,
            rater_unit=unit,
            rater_user=rater_user,
            subjects=picked,
        ),
        "评分任务已分配",
    )


@require_roles(*OFFICE_ROLES)
def rating_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The office assigns raters to subjects and follows completion (never a score)."""
    period = _period(request, pk, "assess")
    parts = rated_items(rulebook_of(period.scheme.rulebook_text)[0])
    if not parts:
        raise Http404
    subjects = list(Subject.objects.filter(period=period).select_related("unit"))
    if request.method == "POST":
        _assign(request, period, subjects)
        return redirect("assessment:rating_list", pk=period.pk)
    return render(
        request,
        "assessment/rating_list.html",
        {
            "period": period,
            "parts": [
                (code, item.title, _rater_choices(period, item.collected or "", subjects))
                for code, item in parts.items()
            ],
            "subjects": subjects,
            "progress": progress(period),
            "open": period.status in RATING_STATUSES,
        },
    )


@require_roles(*ROLES)
def my_ratings(request: HttpRequest) -> HttpResponse:
    """A rater's own ratings: only the subjects assigned to them."""
    ratings = list(
        Rating.objects.assigned_to(request.user)
        .select_related("period__scheme", "subject", "rater_unit")
        .order_by("-period__start", "period_id", "item", "subject__position")
    )
    today = timezone.localdate()
    for r in ratings:
        r.top = rating_maximum(rulebook_of(r.period.scheme.rulebook_text)[0], r.item)
        r.open = rating_open(r.period, today)
    return render(request, "assessment/my_ratings.html", {"ratings": ratings})


@require_POST
@require_roles(*ROLES)
def rating_submit(request: HttpRequest, pk: int) -> HttpResponse:
    rating = Rating.objects.assigned_to(request.user).filter(pk=pk).first()
    if rating is None:
        raise Http404
    raw = request.POST.get("score", "").strip()
    try:
        score: float | None = float(raw)
    except ValueError:
        score = None
    _flash(
        request,
        lambda: services.submit_rating(actor=request.user, rating=rating, score=score),
        "评分已提交",
    )
    return redirect("assessment:my_ratings")
