"""Every write of the assessment platform: one audited, atomic function per act.

The office (``assess`` over the scheme's assessing unit) creates schemes and periods,
enters facts with their evidence and takes the workflow steps; a subject unit (``handle``
over the unit) declares facts in the self-declaration phase and appeals its facts before
the appeal deadline. Status changes go through :mod:`xinfang.assessment.workflow`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from xinfang.assessment import workflow  # noqa: F401 - registers the workflows
from xinfang.assessment.choices import (
    COLLECTING_STATUSES,
    COUNTED_FACT_STATUSES,
    AppealStatus,
    FactOrigin,
    FactStatus,
    PeriodKind,
    PeriodStatus,
)
from xinfang.assessment.errors import AssessmentInvalid, PhaseClosed, ReasonMissing, RulebookInvalid
from xinfang.assessment.models import Appeal, Fact, Period, Scheme, Subject
from xinfang.assessment.querysets import UNIT_ACTION
from xinfang.assessment.ratings import assign_raters, submit_rating
from xinfang.assessment.rulebook import SHIPPED_DIR
from xinfang.assessment.scoring import csv_number, item_of, rulebook_of, sha256
from xinfang.core import audit
from xinfang.core import workflow as engine
from xinfang.core.errors import NotFoundOrForbidden
from xinfang.core.models import AuditAction
from xinfang.core.workflow import SYSTEM
from xinfang.org.access import can
from xinfang.org.models import Unit

__all__ = [
    "DEFAULT_RULEBOOK",
    "assign_raters",
    "create_scheme",
    "declare_fact",
    "enter_fact",
    "file_appeal",
    "open_period",
    "shipped_text",
    "submit_rating",
    "take_step",
]

# The default for a new deployment: the 2022 regulation's process duties and rates.
DEFAULT_RULEBOOK = "model-2022"
TEXT_MAX = 10_000


def shipped_text(name: str) -> str:
    path = SHIPPED_DIR / f"{name}.yaml"
    if "/" in name or not path.is_file():
        raise AssessmentInvalid(f"没有名为 {name} 的内置考核细则")
    return path.read_text(encoding="utf-8")


def _office(actor: Any, unit: Unit) -> None:
    if actor is not SYSTEM and not can(actor, "assess", unit.path):
        raise NotFoundOrForbidden("考评单位不存在或您无权操作")


@transaction.atomic
def create_scheme(
    *,
    actor: Any,
    name: str,
    assessing_unit: Unit,
    rulebook_text: str,
    period_kind: str = PeriodKind.MONTHLY,
    subject_level: str = "",
    subject_category: str = "",
    working_days: bool = True,
    declaration_days: int = 5,
    review_days: int = 5,
    appeal_days: int = 5,
    min_matters: int = 5,
) -> Scheme:
    """A scheme over a rulebook that passes ``rulebook check`` (a copy of its text is kept:
    a rulebook in use is never edited)."""
    _office(actor, assessing_unit)
    try:
        rb, errors, _warnings = rulebook_of(rulebook_text)
    except RulebookInvalid as exc:
        raise AssessmentInvalid(str(exc)) from exc
    if errors:
        raise AssessmentInvalid("考核细则未通过一致性检查：\n" + "\n".join(errors))
    scheme = Scheme.objects.create(
        name=name.strip() or rb.title,
        rulebook=rb.rulebook,
        rulebook_version=rb.version,
        rulebook_text=rulebook_text,
        rulebook_sha256=sha256(rulebook_text),
        assessing_unit=assessing_unit,
        period_kind=period_kind,
        subject_level=subject_level,
        subject_category=subject_category,
        working_days=working_days,
        declaration_days=declaration_days,
        review_days=review_days,
        appeal_days=appeal_days,
        min_matters=min_matters,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=scheme,
        after={"rulebook": rb.rulebook, "version": rb.version, "sha256": scheme.rulebook_sha256},
    )
    return scheme


@transaction.atomic
def open_period(*, actor: Any, scheme: Scheme, title: str, start: date, end: date) -> Period:
    """A new period of ``scheme``; it copies the rulebook's name and digest."""
    _office(actor, scheme.assessing_unit)
    if end < start:
        raise AssessmentInvalid("考评期间的截止日不能早于起始日")
    period = Period.objects.create(
        scheme=scheme,
        title=title.strip() or f"{scheme.name} {start:%Y-%m-%d}至{end:%Y-%m-%d}",
        start=start,
        end=end,
        rulebook=scheme.rulebook,
        rulebook_sha256=scheme.rulebook_sha256,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=period,
        after={"start": str(start), "end": str(end), "rulebook": scheme.rulebook},
    )
    return period


def _subject(period: Period, unit: Unit) -> Subject:
    subject = Subject.objects.filter(period=period, unit=unit).first()
    if subject is None:
        raise AssessmentInvalid(f"{unit.name}不是本期考核对象")
    return subject


def _checked_fact(
    period: Period,
    item: str,
    quantity: float | None,
    value: float | None,
    note: str,
    attached: bool,
) -> tuple[float | None, float | None]:
    """The rulebook's rules for a fact entered by hand: a known item, a value where the
    item's points are chosen or measured, a reason for points picked within a range; a
    part rated through the forms is never entered by hand, and a survey's result comes
    with the survey's material attached."""
    rb, _e, _w = rulebook_of(period.scheme.rulebook_text)
    found = item_of(rb, item)
    if found is None:
        raise AssessmentInvalid(f"考核细则 {rb.rulebook} 没有考核项目 {item}")
    if len(note) > TEXT_MAX:
        raise AssessmentInvalid("说明过长")
    if found.collected in ("leaders", "peers"):
        raise AssessmentInvalid(f"{found.code} {found.title}由评分表汇总，不能直接录入")
    if found.collected == "survey" and not attached:
        raise AssessmentInvalid(f"{found.code} {found.title}须附调查结果材料")
    if found.kind == "part" and value is None:
        raise AssessmentInvalid(f"{found.code} 须填写得分（满分 {found.max or 100:g}）")
    if found.kind == "range":
        if value is None:
            raise AssessmentInvalid(f"{found.code} 须在 {found.min:g}–{found.max:g} 分之间给出分值")
        if not (found.min or 0) <= value <= (found.max or 0):
            raise AssessmentInvalid(f"{found.code} 的分值须在 {found.min:g}–{found.max:g} 之间")
        if not note.strip():
            raise ReasonMissing(f"{found.code} 在区间内酌定分值，须写明理由")
    elif found.kind in ("fixed", "veto", "whole_group", "first_occurrence") and value is not None:
        raise AssessmentInvalid(f"{found.code} 为固定分值项目，不填写分值")
    return csv_number(quantity), csv_number(value)


def _create_fact(
    *,
    actor: Any,
    period: Period,
    unit: Unit,
    item: str,
    day: date,
    quantity: float | None,
    value: float | None,
    note: str,
    evidence: str,
    attachment: UploadedFile | None,
    origin: str,
    status: str,
) -> Fact:
    subject = _subject(period, unit)
    if not period.start <= day <= period.end:
        raise AssessmentInvalid("事实日期须在考评期间之内")
    quantity, value = _checked_fact(
        period, item.strip(), quantity, value, note, attachment is not None
    )
    fact = Fact(
        period=period,
        unit=unit,
        subject=subject.code,
        item=item.strip(),
        date=day,
        quantity=quantity,
        value=value,
        note=note.strip(),
        evidence=evidence.strip()[:120],
        source=f"assessment.{origin}",
        origin=origin,
        status=status,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    if attachment is not None:
        fact.attachment.save(attachment.name or "evidence", attachment, save=False)
    fact.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=fact,
        after={"subject": fact.subject, "item": fact.item, "date": str(day), "origin": origin},
    )
    return fact


@transaction.atomic
def enter_fact(
    *,
    actor: Any,
    period: Period,
    unit: Unit,
    item: str,
    day: date,
    quantity: float | None = None,
    value: float | None = None,
    note: str = "",
    evidence: str = "",
    attachment: UploadedFile | None = None,
) -> Fact:
    """A fact the records cannot show, entered by the office with its evidence (e.g. a
    notice from a higher level)."""
    _office(actor, period.scheme.assessing_unit)
    if period.status not in COLLECTING_STATUSES:
        raise PhaseClosed("申诉阶段开始后不能再录入事实")
    return _create_fact(
        actor=actor,
        period=period,
        unit=unit,
        item=item,
        day=day,
        quantity=quantity,
        value=value,
        note=note,
        evidence=evidence,
        attachment=attachment,
        origin=FactOrigin.ENTERED,
        status=FactStatus.ACCEPTED,
    )


def _unit_side(actor: Any, unit: Unit) -> None:
    if not can(actor, UNIT_ACTION, unit.path):
        raise NotFoundOrForbidden("单位不存在或您无权操作")


def _before(due: date | None, today: date, what: str) -> None:
    if due is not None and today > due:
        raise PhaseClosed(f"{what}已于{due:%Y-%m-%d}截止")


@transaction.atomic
def declare_fact(
    *,
    actor: Any,
    period: Period,
    unit: Unit,
    item: str,
    day: date,
    quantity: float | None = None,
    value: float | None = None,
    note: str = "",
    evidence: str = "",
    attachment: UploadedFile | None = None,
) -> Fact:
    """A unit's self-declared fact, scored only once the office has reviewed it."""
    _unit_side(actor, unit)
    if period.status != PeriodStatus.DECLARATION:
        raise PhaseClosed("本期不在单位自评申报阶段")
    _before(period.declaration_due, timezone.localdate(), "自评申报")
    return _create_fact(
        actor=actor,
        period=period,
        unit=unit,
        item=item,
        day=day,
        quantity=quantity,
        value=value,
        note=note,
        evidence=evidence,
        attachment=attachment,
        origin=FactOrigin.DECLARED,
        status=FactStatus.DECLARED,
    )


@transaction.atomic
def file_appeal(*, actor: Any, fact: Fact, reason: str) -> Appeal:
    """A unit's appeal against one of its counted facts, before the appeal deadline."""
    _unit_side(actor, fact.unit)
    period = fact.period
    if period.status != PeriodStatus.APPEALS:
        raise PhaseClosed("本期不在申诉阶段")
    _before(period.appeal_due, timezone.localdate(), "申诉")
    if fact.status not in COUNTED_FACT_STATUSES:
        raise AssessmentInvalid("该事实未计入考评，无需申诉")
    reason = reason.strip()
    if not reason:
        raise ReasonMissing("申诉须写明理由")
    if len(reason) > TEXT_MAX:
        raise AssessmentInvalid("申诉理由过长")
    if Appeal.objects.filter(fact=fact, status=AppealStatus.PENDING).exists():
        raise AssessmentInvalid("该事实已有待决定的申诉")
    appeal = Appeal.objects.create(
        period=period,
        fact=fact,
        unit=fact.unit,
        reason=reason,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=appeal,
        after={"fact": fact.pk, "subject": fact.subject, "item": fact.item},
    )
    return appeal


def take_step(
    obj: Period | Fact | Appeal,
    step: str,
    *,
    actor: Any,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> Any:
    """One workflow step on a period, a fact or an appeal (the core engine checks the
    table, the grant, the reason and the concurrent change)."""
    return engine.transition(obj, step, actor=actor, reason=reason, data=data)
