"""Assessment facts derived from the petition records (model rulebook items 1.x–5.x).

Each fact is one breached process duty of the 2022 《信访工作条例》 on one record (a matter,
a hand-over, an extension, an answer, a review request, an audit entry), a
:class:`xinfang.core.facts.Fact` under a ``petitions.*`` duty key (:data:`PETITION_KEYS`);
the matter is its evidence. Rulebooks map the keys to their items (model-2022: 1.1–5.2).
The three service rates come from :mod:`xinfang.petitions.measures`, supervision answers
from :mod:`xinfang.supervision.facts`.

Rules shared by every item:

* **Deadlines are the stored due columns** (``route_due``, ``notice_due``, ``handle_due``,
  ``report_due``, ``review_due``, ``rereview_due``, ``objection_due``), computed by the legal
  calendar in ``deadlines.py`` (holidays and make-up working days; a due date waiting for a
  year's calendar is NULL and produces no fact). A deadline duty is breached on ``due + 1``
  whether the act came late or not at all, so a breach falls in exactly one period however
  late the act comes. Duties without a deadline (a document missing from an answer, an
  extension not told) are breached on the day of the act that lacked them.
* **Period**: a fact is dated in ``[start, as_of]``, ``as_of = min(end, today)``.
* **Subject**: the unit that owed the duty (the registering unit for the hand-over, the
  responsible unit for notice / handling / answers, the receiving unit for an objection, the
  reviewing body for review opinions, the reader's unit for a read without right). As in
  the rate and supervision rows, each subject (a unit with an assessment category) is
  measured on its subtree, so a fact counts for every subject above the unit that owed it.
* **Scope boundary** (domain.md §2.4, §7): no item looks at the level a matter reached
  (``level_reached``) or counts escalations; the notes name the matter and the units, never
  a petitioner or a member of staff.

Queries are pushed into the database: one query per item over the union of the subjects'
subtrees (annotations and ``Exists`` over the indexed due columns), plus a constant number
for the audit-trail items; no query per row or per subject.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Length, Trim
from django.utils import timezone

from xinfang.core.calendar import LegalCalendar, legal_calendar
from xinfang.core.errors import CalendarNotCovered
from xinfang.core.facts import (
    Fact,
    FactWindow,
    Provider,
    SubjectUnit,
    covering,
    record_ref,
    unit_subject,
)
from xinfang.core.models import AuditAction, AuditEntry
from xinfang.org.access import roles_for
from xinfang.org.choices import Role
from xinfang.org.models import RoleGrant, Unit
from xinfang.org.querysets import PATH_END, any_subtree_q
from xinfang.petitions import deadlines
from xinfang.petitions.choices import (
    Channel,
    Kind,
    PetitionerRole,
    ReviewLevel,
    Stage,
    Status,
)
from xinfang.petitions.confidentiality import discipline_paths, inside_accused
from xinfang.petitions.measures import RATE_KEYS, rate_facts
from xinfang.petitions.models import (
    Answer,
    DeliveryReceipt,
    Evidence,
    Extension,
    Petition,
    Petitioner,
    PetitionReach,
    ReturnVisit,
    ReviewRequest,
    RouteHandover,
    Transition,
)
from xinfang.petitions.workflow import RETURN_VISIT_COSIGNERS

__all__ = ["PETITION_KEYS", "PROVIDER", "petition_facts", "petitions_provider"]

# The duty keys of this provider (docs/assessment.md, "Duty keys"); rulebooks map them to
# their own item codes (model-2022: 1.1–5.2).
PETITION_KEYS: dict[str, str] = {
    "petitions.route.late": "信访事项未在15日内转送、交办或处理（第二十二条）",
    "petitions.notice.late": "未在期限内书面告知是否受理（第二十三条）",
    "petitions.objection.late": "未在5个工作日内提出异议（第二十三条）",
    "petitions.answer.late": "未在办理期限内答复（第三十四条）",
    "petitions.extension.untold": "延期理由未告知信访人（第三十四条）",
    "petitions.extension.unapproved": "延期未经本单位负责人批准或超过30日（第三十四条）",
    "petitions.answer.incomplete": "答复意见要素不全（第三十二条）",
    "petitions.answer.undocumented": "答复缺送达回证或佐证材料（第三十二条）",
    "petitions.report.late": "交办事项结案报告迟报或未报",
    "petitions.return_visit.missing": "应回访的事项未回访（第二十一条）",
    "petitions.review.late": "复查意见逾期（第三十五条）",
    "petitions.rereview.late": "复核意见逾期（第三十六条）",
    "petitions.accusation.exposed": "检举控告材料被被检举单位或人员接触（第三十条）",
    "petitions.confidential.read": "要求保密的信访人信息被无权人员查看（第三十条）",
}
_SOURCE = "petitions.facts"

# The title of the extension notice in documents/pdf.py (its download is audited).
EXTENSION_NOTICE_TITLE = "延期办理告知书"
# Grants that give a right to a confidential petitioner's identity (confidentiality.py).
IDENTITY_ROLES = sorted(roles_for("register") | roles_for("handle") | roles_for("lead"), key=str)
_PETITION_TYPE = "petitions.petition"
_PETITIONER_TYPE = "petitions.petitioner"


def _d(day: date) -> str:
    return f"{day:%Y-%m-%d}"


def _covering(qs: Any, path_field: str, target: Any) -> Any:
    """Rows of ``qs`` whose unit (``path_field``) has ``target`` (a path from the enclosing
    query) in its subtree: the range ``[path, path + "~")`` of ``org.querysets.subtree_q``."""
    return qs.annotate(subtree_end=Concat(F(path_field), Value(PATH_END))).filter(
        **{f"{path_field}__lte": target, "subtree_end__gt": target}
    )


@dataclass(frozen=True)
class _Hit:
    """One breached duty of the unit at ``unit_path`` (before attribution to subjects)."""

    unit_path: str
    key: str
    date: date
    note: str
    number: str | None  # the matter's number: its record is the fact's evidence


# ---------------------------------------------------------------------------------------
# Section 1: register, route, notice (Arts. 22–23)


def _route_late(w: FactWindow, scope: Q) -> list[_Hit]:
    """1.1: the registering office routes (转送/交办) or otherwise deals with a matter within
    15 days of receipt (Art. 22). The act is the first hand-over, or linking it to the same
    matter (Art. 19); a matter the registering unit decides itself is judged by its notice
    (1.2), so one late decision is not counted twice."""
    first_route = Subquery(
        RouteHandover.objects.filter(petition=OuterRef("pk"))
        .order_by("routed_on", "pk")
        .values("routed_on")[:1],
        output_field=DateField(),
    )
    rows = (
        Petition.objects.filter(scope, w.due("route_due"))
        .annotate(first_route=first_route)
        .filter(
            Q(first_route__gt=F("route_due"))
            | Q(first_route__isnull=True, status=Status.REGISTERED)
            | Q(first_route__isnull=True, status=Status.LINKED, closed_on__gt=F("route_due"))
        )
        .values_list(
            "number", "route_due", "first_route", "status", "closed_on", "registering_unit__path"
        )
    )
    hits = []
    for number, due, routed, status, closed, path in rows:
        if due is None:  # excluded by the query; narrowed for the type checker
            continue
        if routed is not None:
            what = f"{_d(routed)}转送交办"
        elif status == Status.LINKED:
            what = f"{_d(closed)}并入同一事项"
        else:
            what = f"截至{_d(w.as_of)}仍未转送、交办或处理"
        note = f"事项{number} 应于{_d(due)}前转送、交办或处理（第二十二条），{what}"
        hits.append(_Hit(path, "route.late", due + timedelta(days=1), note, number))
    return hits


def _notice_late(w: FactWindow, scope: Q) -> list[_Hit]:
    """1.2: the body that must decide tells the petitioner in writing within 15 days of
    receiving the matter whether it is accepted (Art. 23): the accept / not-accept step (the
    written notice) after ``notice_due``, or a handed-over matter still undecided."""
    decided = Case(
        When(accepted_on__isnull=False, then=F("accepted_on")),
        When(status=Status.NOT_ACCEPTED, then=F("closed_on")),
        default=None,
        output_field=DateField(),
    )
    rows = (
        Petition.objects.filter(scope, w.due("notice_due"))
        .annotate(decided=decided)
        .filter(Q(decided__gt=F("notice_due")) | Q(decided__isnull=True, status=Status.ROUTED))
        .values_list("number", "notice_due", "decided", "accepted_on", "responsible_unit__path")
    )
    hits = []
    for number, due, day, accepted, path in rows:
        if due is None:  # excluded by the query; narrowed for the type checker
            continue
        if day is None:
            what = f"截至{_d(w.as_of)}仍未告知"
        else:
            what = f"{_d(day)}{'告知受理' if accepted else '告知不予受理'}"
        note = f"事项{number} 应于{_d(due)}前书面告知是否受理（第二十三条），{what}"
        hits.append(_Hit(path, "notice.late", due + timedelta(days=1), note, number))
    return hits


def _objection_late(w: FactWindow, scope: Q, calendar: LegalCalendar) -> list[_Hit]:
    """1.3: a receiving body that is not competent objects within 5 working days of the
    hand-over (Art. 23). The stored ``objection_due`` belongs to the latest hand-over; an
    earlier one's is counted with the same legal calendar (working days, 调休 included)."""
    rows = (
        RouteHandover.objects.filter(scope, w.act("objected_on"))
        .values_list(
            "routed_on",
            "objected_on",
            "petition__routed_on",
            "petition__objection_due",
            "petition__number",
            "to_unit__path",
            "from_unit__name",
        )
        .order_by("objected_on", "pk")
    )
    hits = []
    for routed, objected, latest, stored_due, number, path, sender in rows:
        due = stored_due if routed == latest and stored_due is not None else None
        if due is None:
            try:
                due = calendar.add_working_days(routed, deadlines.OBJECTION_WORKING_DAYS)
            except CalendarNotCovered:
                continue
        if objected <= due:
            continue
        note = (
            f"事项{number} {_d(routed)}由{sender}转交办，应于{_d(due)}前提出异议"
            f"（5个工作日，第二十三条），{_d(objected)}才提出"
        )
        hits.append(_Hit(path, "objection.late", objected, note, number))
    return hits


# ---------------------------------------------------------------------------------------
# Section 2: handling and answer (Arts. 32, 34)


def _answer_late(w: FactWindow, scope: Q) -> list[_Hit]:
    """2.1: the answer within 60 days of acceptance, or the approved extension (Art. 34);
    ``handle_due`` already includes the extension and the holiday roll-over."""
    rows = (
        Petition.objects.filter(scope, w.due("handle_due"), accepted_on__isnull=False)
        .filter(Q(answered_on__isnull=True) | Q(answered_on__gt=F("handle_due")))
        .values_list(
            "number", "handle_due", "answered_on", "extension_days", "responsible_unit__path"
        )
    )
    hits = []
    for number, due, answered, ext, path in rows:
        if due is None:  # excluded by the query; narrowed for the type checker
            continue
        period = f"（含延期{ext}日）" if ext else ""
        what = f"{_d(answered)}答复" if answered else f"截至{_d(w.as_of)}仍未答复"
        note = f"事项{number} 办理期限{_d(due)}{period}（第三十四条），{what}"
        hits.append(_Hit(path, "answer.late", due + timedelta(days=1), note, number))
    return hits


def _extension_petition_id() -> Any:
    return Cast(OuterRef("petition_id"), output_field=CharField())


def _extension_untold(w: FactWindow, scope: Q) -> list[_Hit]:
    """2.2: the petitioner is told the reason for an extension (Art. 34). Told: the reason
    is recorded on the ``extend`` step (shown on the petitioner's progress page) or the
    延期办理告知书 was issued (its download is audited). Extensions made by the service always
    are; imported ones may not be."""
    on_step = Transition.objects.filter(petition=OuterRef("petition"), step="extend").exclude(
        reason=""
    )
    issued = AuditEntry.objects.filter(
        action=AuditAction.EXPORT,
        object_type=_PETITION_TYPE,
        object_id=_extension_petition_id(),
        detail__document=EXTENSION_NOTICE_TITLE,
    )
    rows = (
        Extension.objects.filter(scope, w.act("approved_on"))
        .annotate(reason_len=Length(Trim("reason")))
        .filter(Q(reason_len=0) | (~Exists(on_step) & ~Exists(issued)))
        .values_list(
            "approved_on",
            "days",
            "reason_len",
            "petition__number",
            "petition__responsible_unit__path",
        )
    )
    hits = []
    for approved, days, reason_len, number, path in rows:
        what = "未写明延期理由" if not reason_len else "延期理由未告知信访人（无告知记录）"
        note = f"事项{number} {_d(approved)}延期{days}日，{what}（第三十四条）"
        hits.append(_Hit(path, "extension.untold", approved, note, number))
    return hits


def _extension_unapproved(
    w: FactWindow, scope: Q, matter_scope: Q, calendar: LegalCalendar
) -> list[_Hit]:
    """2.3: one extension of at most 30 days, approved by the unit head (Art. 34).

    Approved: the approver recorded the ``extend`` step on the platform (the service checked
    the unit-leader grant then), or holds a unit-leader grant over the responsible unit.
    The database refuses more than 30 days; a matter whose handling period was lengthened
    (``extension_days``) without any extension record is unapproved, breached the day after
    the 60-day period."""
    by_approver = Transition.objects.filter(
        petition=OuterRef("petition"), step="extend", actor=OuterRef("approved_by")
    )
    leader = _covering(
        RoleGrant.objects.filter(
            user=OuterRef("approved_by"), role=Role.UNIT_LEADER, unit__is_active=True
        ),
        "unit__path",
        OuterRef("petition__responsible_unit__path"),
    )
    rows = (
        Extension.objects.filter(scope, w.act("approved_on"))
        .filter(
            Q(days__gt=deadlines.MAX_EXTENSION_DAYS)
            | (~Exists(by_approver) & ~Exists(leader) & Q(approved_by__is_superuser=False))
        )
        .values_list("approved_on", "days", "petition__number", "petition__responsible_unit__path")
    )
    hits = []
    for approved, days, number, path in rows:
        what = (
            f"超过{deadlines.MAX_EXTENSION_DAYS}日"
            if days > deadlines.MAX_EXTENSION_DAYS
            else "批准人不是本单位负责人"
        )
        note = f"事项{number} {_d(approved)}延期{days}日，{what}（第三十四条）"
        hits.append(_Hit(path, "extension.unapproved", approved, note, number))

    # A longer handling period without an extension record: the 60th day by the calendar.
    lengthened = Petition.objects.filter(
        matter_scope,
        extension_days__gt=0,
        extension__isnull=True,
        accepted_on__isnull=False,
        accepted_on__gte=w.start - timedelta(days=deadlines.HANDLE_DAYS + 31),
        accepted_on__lt=w.as_of,
    ).values_list("number", "accepted_on", "extension_days", "responsible_unit__path")
    for number, accepted, ext, path in lengthened:
        if accepted is None:  # excluded by the query; narrowed for the type checker
            continue
        try:
            due = calendar.add_calendar_days(
                accepted, deadlines.HANDLE_DAYS, settings.XINFANG_DEADLINE_CONVENTION
            )
        except CalendarNotCovered:
            continue
        day = due + timedelta(days=1)
        if w.holds(day):
            note = f"事项{number} 办理期限延长{ext}日，无经批准的延期记录（第三十四条）"
            hits.append(_Hit(path, "extension.unapproved", day, note, number))
    return hits


_ANSWER_PARTS = (
    ("facts", "事实"),
    ("reasons", "理由"),
    ("legal_basis", "依据"),
)


def _answer_incomplete(w: FactWindow, scope: Q) -> list[_Hit]:
    """2.4: the written answer states the facts, reasons, legal basis, and (except the final
    re-review opinion) the route and deadline for review (Art. 32; Arts. 35–36)."""
    lengths = {f"{name}_len": Length(Trim(name)) for name, _label in _ANSWER_PARTS}
    reviewable = ~Q(stage=Stage.REREVIEW)
    missing = Q()
    for name, _label in _ANSWER_PARTS:
        missing |= Q(**{f"{name}_len": 0})
    missing |= reviewable & (Q(route_len=0) | Q(review_deadline_days=0))
    rows = (
        Answer.objects.filter(scope, w.act("answered_on"))
        .annotate(**lengths, route_len=Length(Trim("review_route")))
        .filter(missing)
        .values_list(
            "answered_on",
            "stage",
            "facts_len",
            "reasons_len",
            "legal_basis_len",
            "route_len",
            "review_deadline_days",
            "petition__number",
            "unit__path",
        )
    )
    hits = []
    for answered, stage, facts, reasons, basis, route, days, number, path in rows:
        parts = [
            label
            for (_name, label), length in zip(_ANSWER_PARTS, (facts, reasons, basis), strict=True)
            if not length
        ]
        if stage != Stage.REREVIEW:
            if not route:
                parts.append("复查（复核）途径")
            if not days:
                parts.append("申请期限")
        note = (
            f"事项{number} {_d(answered)}出具的{Stage(stage).label}意见缺少"
            f"{'、'.join(parts)}（第三十二条）"
        )
        hits.append(_Hit(path, "answer.incomplete", answered, note, number))
    return hits


def _answer_undocumented(w: FactWindow, scope: Q) -> list[_Hit]:
    """2.5: an answer with its delivery receipt (送达回证) and, for the handling answer, the
    evidence of handling (佐证材料) on record when the facts are exported (Art. 32)."""
    receipt = DeliveryReceipt.objects.filter(answer=OuterRef("pk"))
    evidence = Evidence.objects.filter(petition=OuterRef("petition"))
    rows = (
        Answer.objects.filter(scope, w.act("answered_on"))
        .annotate(has_receipt=Exists(receipt), has_evidence=Exists(evidence))
        .filter(Q(has_receipt=False) | Q(stage=Stage.HANDLING, has_evidence=False))
        .values_list(
            "answered_on", "stage", "has_receipt", "has_evidence", "petition__number", "unit__path"
        )
    )
    hits = []
    for answered, stage, has_receipt, has_evidence, number, path in rows:
        needs_evidence = stage == Stage.HANDLING and not has_evidence
        parts = ([] if has_receipt else ["送达回证"]) + (["佐证材料"] if needs_evidence else [])
        note = (
            f"事项{number} {_d(answered)}出具的{Stage(stage).label}意见缺少"
            f"{'、'.join(parts)}（第三十二条）"
        )
        hits.append(_Hit(path, "answer.undocumented", answered, note, number))
    return hits


def _report_late(w: FactWindow, scope: Q) -> list[_Hit]:
    """2.5: an assigned (交办) matter's completion report (结案报告) to the assigning office by
    the date it gave, else with the handling period (``report_due``)."""
    rows = (
        Petition.objects.filter(scope, w.due("report_due"), report_required=True)
        .filter(Q(report_submitted_on__isnull=True) | Q(report_submitted_on__gt=F("report_due")))
        .values_list("number", "report_due", "report_submitted_on", "responsible_unit__path")
    )
    hits = []
    for number, due, submitted, path in rows:
        if due is None:  # excluded by the query; narrowed for the type checker
            continue
        what = f"{_d(submitted)}报送" if submitted else f"截至{_d(w.as_of)}仍未报送"
        note = f"交办事项{number} 应于{_d(due)}前报送结案报告，{what}"
        hits.append(_Hit(path, "report.late", due + timedelta(days=1), note, number))
    return hits


# ---------------------------------------------------------------------------------------
# Section 3: return visits (Art. 21)


def _return_visit_missing(w: FactWindow, scope: Q) -> list[_Hit]:
    """3.1: a matter that must be visited (collective visit, 5+ signers, a repeat matter,
    a matter from above — ``workflow.return_visit_required``) closed without a return visit.
    "Repeat" is read as in the measures: an earlier matter in its same-matter group, so a
    matter closed before a later one joined it is not counted after the fact."""
    signers = Coalesce(
        Subquery(
            Petitioner.objects.filter(
                petition=OuterRef("pk"),
                role__in=(PetitionerRole.PRIMARY, PetitionerRole.COSIGNER),
            )
            .values("petition")
            .annotate(n=Count("pk"))
            .values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )
    earlier = Petition.objects.filter(group_id=OuterRef("group_id")).filter(
        Q(received_on__lt=OuterRef("received_on"))
        | Q(received_on=OuterRef("received_on"), pk__lt=OuterRef("pk"))
    )
    from_above = _covering(
        RouteHandover.objects.filter(petition=OuterRef("pk"), to_unit=OuterRef("responsible_unit")),
        "from_unit__path",
        OuterRef("responsible_unit__path"),
    )
    rows = (
        Petition.objects.filter(scope, w.act("closed_on"), answered_on__isnull=False)
        .filter(~Exists(ReturnVisit.objects.filter(petition=OuterRef("pk"))))
        .annotate(signers=signers)
        .filter(
            Q(channel__in=(Channel.COLLECTIVE_VISIT, Channel.FORWARDED, Channel.ASSIGNED))
            | Q(report_required=True)
            | Q(signers__gte=RETURN_VISIT_COSIGNERS)
            | (Q(group__isnull=False) & Exists(earlier))
            | Exists(from_above)
        )
        .values_list("number", "closed_on", "channel", "signers", "responsible_unit__path")
    )
    hits = []
    for number, closed, channel, n, path in rows:
        if closed is None:  # excluded by the query; narrowed for the type checker
            continue
        if channel == Channel.COLLECTIVE_VISIT:
            why = "集体访"
        elif n >= RETURN_VISIT_COSIGNERS:
            why = f"联名{n}人"
        else:
            why = "上级转交办或重复信访"
        note = f"事项{number} {why}，{_d(closed)}办结，未回访听取评价（第二十一条）"
        hits.append(_Hit(path, "return_visit.missing", closed, note, number))
    return hits


# ---------------------------------------------------------------------------------------
# Section 4: review and re-review (Arts. 35–36)


def _review_late(w: FactWindow, scope: Q, level: str) -> list[_Hit]:
    """4.1 / 4.2: the review (re-review) opinion within 30 days of the request; in
    re-review the hearing days are not counted (Art. 36) — ``rereview_due`` includes them,
    and while a hearing runs the clock stands still (no fact)."""
    due_field = "petition__review_due" if level == ReviewLevel.REVIEW else "petition__rereview_due"
    qs = ReviewRequest.objects.filter(scope, w.due(due_field), level=level).filter(
        Q(decided_on__isnull=True) | Q(decided_on__gt=F(due_field))
    )
    if level == ReviewLevel.REREVIEW:
        qs = qs.exclude(decided_on__isnull=True, petition__hearing_open=True)
    rows = qs.values_list(
        "requested_on",
        due_field,
        "decided_on",
        "petition__number",
        "petition__rereview_pause_days",
        "reviewing_unit__path",
    )
    review = level == ReviewLevel.REVIEW
    what_opinion, article = ("复查意见", "第三十五条") if review else ("复核意见", "第三十六条")
    hits = []
    for requested, due, decided, number, pause, path in rows:
        if due is None:  # excluded by the query; narrowed for the type checker
            continue
        paused = "" if review or not pause else f"（听证{pause}日不计入）"
        what = f"{_d(decided)}出具" if decided else f"截至{_d(w.as_of)}仍未出具"
        note = (
            f"事项{number} {_d(requested)}申请{'复查' if review else '复核'}，"
            f"{what_opinion}应于{_d(due)}前出具{paused}（{article}），{what}"
        )
        key = "review.late" if review else "rereview.late"
        hits.append(_Hit(path, key, due + timedelta(days=1), note, number))
    return hits


# ---------------------------------------------------------------------------------------
# Section 5: confidentiality (Art. 30), from the audit trail


@dataclass(frozen=True)
class _Reader:
    unit_path: str
    unit_name: str
    paths: tuple[str, ...]  # own unit and every grant
    identity_paths: tuple[str, ...]  # grants that give a right to a petitioner's identity
    superuser: bool


def _readers(actor_ids: Iterable[int]) -> dict[int, _Reader]:
    """The units and grants of the actors found in the audit trail (two queries)."""
    from xinfang.org.models import User

    ids = sorted(set(actor_ids))
    if not ids:
        return {}
    grants: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for user_id, role, path in RoleGrant.objects.filter(
        user_id__in=ids, unit__is_active=True
    ).values_list("user_id", "role", "unit__path"):
        grants[user_id].append((role, path))
    readers = {}
    identity = set(IDENTITY_ROLES)
    for pk, superuser, path, name in User.objects.filter(pk__in=ids).values_list(
        "pk", "is_superuser", "unit__path", "unit__name"
    ):
        own = [path] if path else []
        readers[pk] = _Reader(
            unit_path=path or "",
            unit_name=name or "",
            paths=tuple(own + [p for _r, p in grants[pk]]),
            identity_paths=tuple(p for r, p in grants[pk] if r in identity),
            superuser=bool(superuser),
        )
    return readers


def _inside(paths: Iterable[str], accused_path: str, discipline: Sequence[str]) -> bool:
    """Is a user with these unit paths "in" the accused unit (Art. 30)?"""
    return any(inside_accused(path, accused_path, discipline) for path in paths)


def _audit_on(matters: Any, w: FactWindow) -> list[tuple[int, int, datetime, str]]:
    """Audit entries by staff in the window on the matters of the queryset ``matters`` or
    their petitioners, as ``(petition_id, actor_id, created_at, action)`` (two queries)."""
    people = Petitioner.objects.filter(petition__in=matters.values("pk"))
    petitioners = dict(people.values_list("pk", "petition_id"))
    as_text = {"s": Cast("pk", output_field=CharField())}
    on_matter = Q(object_type=_PETITION_TYPE, object_id__in=matters.annotate(**as_text).values("s"))
    on_person = Q(
        object_type=_PETITIONER_TYPE, object_id__in=people.annotate(**as_text).values("s")
    )
    rows = []
    for object_type, object_id, actor, at, action in (
        AuditEntry.objects.filter(w.moments("created_at"), actor__isnull=False)
        .filter(on_matter | on_person)
        .values_list("object_type", "object_id", "actor_id", "created_at", "action")
        .order_by("seq")
    ):
        pid = int(object_id) if object_type == _PETITION_TYPE else petitioners[int(object_id)]
        rows.append((pid, actor, at, action))
    return rows


def _accusation_exposed(w: FactWindow, scope: Q) -> list[_Hit]:
    """5.1: accusation material never reaches the accused unit or person (Art. 30). A fact
    per accusation on which the audit trail records an action or a read of personal data by
    the accused account or a user inside the accused unit. The scopes prevent it, so the
    candidates are the accusations with an audited act by a user whose unit or grant lies in
    the accused subtree (SQL), refined for discipline bodies in Python."""
    acts = AuditEntry.objects.filter(
        w.moments("created_at"),
        object_type=_PETITION_TYPE,
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
    )
    inside_grant = RoleGrant.objects.filter(user_id=OuterRef("actor_id")).filter(
        unit__path__startswith=OuterRef(OuterRef("accused_unit__path"))
    )
    coarse = acts.filter(
        Q(actor_id=OuterRef("accused_user_id"))
        | Q(actor__unit__path__startswith=OuterRef("accused_unit__path"))
        | Exists(inside_grant)
    )
    person_reads = AuditEntry.objects.filter(
        w.moments("created_at"),
        object_type=_PETITIONER_TYPE,
        object_id__in=Petitioner.objects.filter(petition=OuterRef("pk"))
        .annotate(s=Cast("pk", output_field=CharField()))
        .values("s"),
        actor__isnull=False,
    )
    matters = (
        Petition.objects.filter(scope, kind=Kind.ACCUSATION)
        .filter(Q(accused_unit__isnull=False) | Q(accused_user__isnull=False))
        .filter(Exists(coarse) | Exists(person_reads))
    )
    candidates = list(
        matters.values_list(
            "pk", "number", "accused_user_id", "accused_unit__path", "responsible_unit__path"
        )
    )
    if not candidates:
        return []
    entries = _audit_on(matters, w)
    readers = _readers(actor for _p, actor, _at, _a in entries)
    discipline = discipline_paths()
    first: dict[int, tuple[datetime, int]] = {}
    counts: dict[int, int] = defaultdict(int)
    info = {c[0]: c for c in candidates}
    for pid, actor, at, _action in entries:
        _pk, _number, accused_user, accused_path, _path = info[pid]
        reader = readers.get(actor)
        if reader is None:
            continue
        exposed = actor == accused_user or (
            bool(accused_path) and _inside(reader.paths, accused_path, discipline)
        )
        if exposed:
            counts[pid] += 1
            first.setdefault(pid, (at, actor))
    hits = []
    for pid, (at, _actor) in first.items():
        _pk, number, _u, _a, path = info[pid]
        day = timezone.localdate(at)
        note = (
            f"检举控告事项{number} 被检举单位或人员接触到检举材料{counts[pid]}次"
            f"（审计记录，首次{_d(day)}；第三十条）"
        )
        hits.append(_Hit(path, "accusation.exposed", day, note, number))
    return hits


def _confidential_read(w: FactWindow, scope: Q) -> list[_Hit]:
    """5.2: a confidential petitioner's full personal data read (``pii_read``) by a user
    without a right to it (Art. 30, as extended to confidentiality asked at registration):
    neither the registrar nor the handler, no register / handle / lead grant over a unit on
    the matter's chain (``PetitionReach``), or the accused. One fact per matter and reader
    unit, on the reader's unit, dated the first such read."""
    reads = (
        AuditEntry.objects.filter(
            w.moments("created_at"),
            action=AuditAction.PII_READ,
            object_type=_PETITIONER_TYPE,
            actor__isnull=False,
            actor__is_superuser=False,
            object_id__in=Petitioner.objects.filter(wants_confidentiality=True)
            .annotate(s=Cast("pk", output_field=CharField()))
            .values("s"),
        )
        .filter(scope | Q(actor__unit__isnull=True))
        .values_list("object_id", "actor_id", "created_at")
        .order_by("seq")
    )
    rows = list(reads)
    if not rows:
        return []
    petitioner_ids = sorted({int(object_id) for object_id, _a, _t in rows})
    matters = {
        pk: rest
        for pk, *rest in Petitioner.objects.filter(pk__in=petitioner_ids).values_list(
            "pk",
            "petition_id",
            "petition__number",
            "petition__registrar_id",
            "petition__handler_id",
            "petition__accused_user_id",
            "petition__accused_unit__path",
            "petition__responsible_unit__path",
        )
    }
    chain: dict[int, list[str]] = defaultdict(list)
    for pid, path in PetitionReach.objects.filter(
        petition_id__in={m[0] for m in matters.values()}
    ).values_list("petition_id", "unit_path"):
        chain[pid].append(path)
    readers = _readers(actor for _o, actor, _t in rows)
    discipline = discipline_paths()
    found: dict[tuple[int, str], list[Any]] = {}
    for object_id, actor, at in rows:
        pid, number, registrar, handler, accused_user, accused_path, resp_path = matters[
            int(object_id)
        ]
        reader = readers.get(actor)
        if reader is None or (actor in (registrar, handler) and actor != accused_user):
            continue
        accused = actor == accused_user or (
            bool(accused_path) and _inside(reader.paths, accused_path, discipline)
        )
        entitled = any(
            unit.startswith(grant) for unit in chain[pid] for grant in reader.identity_paths
        )
        if entitled and not accused:
            continue
        key = (pid, reader.unit_path or resp_path)
        if key in found:
            found[key][2] += 1
        else:
            found[key] = [number, timezone.localdate(at), 1, reader.unit_name]
    hits = []
    for (_pid, path), (number, day, n, unit_name) in found.items():
        where = f"查看人所在单位：{unit_name}" if unit_name else "查看人无所在单位"
        note = (
            f"事项{number} 要求保密的信访人个人信息被无权人员查看{n}次"
            f"（首次{_d(day)}，{where}；第三十条）"
        )
        hits.append(_Hit(path, "confidential.read", day, note, number))
    return hits


# ---------------------------------------------------------------------------------------
# Attribution to subjects and the entry point


def petition_facts(
    w: FactWindow, subjects: Sequence[SubjectUnit], *, keys: Iterable[str] | None = None
) -> list[Fact]:
    """Every derived process-duty fact of the window (the registered provider).

    ``subjects`` are the assessed units; each is measured on its subtree, and a fact of a
    unit counts for every subject above it. ``keys`` limits the duties derived (default:
    all of :data:`PETITION_KEYS`). Facts come ordered by subject (as given), key, date and
    note.
    """
    units = list(subjects)
    if not units:
        return []
    paths = [u.path for u in units]

    def scope(field: str) -> Q:
        q = any_subtree_q(paths, field)
        return q if q is not None else Q(pk__in=[])

    calendar = legal_calendar()
    wanted = {k.removeprefix("petitions.") for k in (PETITION_KEYS if keys is None else keys)}
    hits: list[_Hit] = []
    if "route.late" in wanted:
        hits += _route_late(w, scope("registering_unit__path"))
    if "notice.late" in wanted:
        hits += _notice_late(w, scope("responsible_unit__path"))
    if "objection.late" in wanted:
        hits += _objection_late(w, scope("to_unit__path"), calendar)
    if "answer.late" in wanted:
        hits += _answer_late(w, scope("responsible_unit__path"))
    if "extension.untold" in wanted:
        hits += _extension_untold(w, scope("petition__responsible_unit__path"))
    if "extension.unapproved" in wanted:
        hits += _extension_unapproved(
            w,
            scope("petition__responsible_unit__path"),
            scope("responsible_unit__path"),
            calendar,
        )
    if "answer.incomplete" in wanted:
        hits += _answer_incomplete(w, scope("unit__path"))
    if "answer.undocumented" in wanted:
        hits += _answer_undocumented(w, scope("unit__path"))
    if "report.late" in wanted:
        hits += _report_late(w, scope("responsible_unit__path"))
    if "return_visit.missing" in wanted:
        hits += _return_visit_missing(w, scope("responsible_unit__path"))
    if "review.late" in wanted:
        hits += _review_late(w, scope("reviewing_unit__path"), ReviewLevel.REVIEW)
    if "rereview.late" in wanted:
        hits += _review_late(w, scope("reviewing_unit__path"), ReviewLevel.REREVIEW)
    if "accusation.exposed" in wanted:
        hits += _accusation_exposed(w, scope("responsible_unit__path"))
    if "confidential.read" in wanted:
        hits += _confidential_read(w, scope("actor__unit__path"))
    return _attribute(hits, units, w)


def _attribute(hits: Iterable[_Hit], units: Sequence[SubjectUnit], w: FactWindow) -> list[Fact]:
    """One fact per hit and subject whose subtree holds the unit that owed the duty."""
    hits = [h for h in hits if w.holds(h.date)]
    matter = dict(
        Petition.objects.filter(number__in={h.number for h in hits}).values_list("number", "pk")
    )
    order = {u.path: i for i, u in enumerate(units)}
    rows: list[tuple[int, Fact]] = []
    for hit in hits:
        for unit in covering(hit.unit_path, units):
            fact = Fact(
                subject=unit_subject(unit),
                key=f"petitions.{hit.key}",
                date=hit.date,
                note=hit.note,
                evidence=record_ref("petitions.Petition", matter.get(hit.number, hit.number)),
                source=_SOURCE,
            )
            rows.append((order[unit.path], fact))
    rows.sort(key=lambda r: (r[0], list(PETITION_KEYS).index(r[1].key), r[1].date, r[1].note))
    return [row for _i, row in rows]


def petitions_provider(w: FactWindow, subjects: Sequence[Unit]) -> list[Fact]:
    """The app's registered provider: the process duties, then the three service rates."""
    return [*petition_facts(w, subjects), *rate_facts(w, subjects)]


# Registered from PetitionsConfig.ready().
PROVIDER = Provider("petitions", {**PETITION_KEYS, **RATE_KEYS}, petitions_provider)
