"""The assessment platform's workflows, declared on the core engine.

A period::

    open ─collect─▶ collecting ─open_declaration─▶ declaration ─start_review─▶ review
      ─open_appeals─▶ appeals ─close─▶ closed ─publish─▶ published

Each phase's deadline is set when it opens (``clock.phase_due``) and the subject units are
told through the outbox; ``refresh`` (in state) collects the derived facts again until the
appeals open. ``open_appeals`` needs every declared fact reviewed; ``close`` needs every
appeal decided, and a reason when the appeal period has not yet run out.

A declared fact is accepted, adjusted or rejected, always with a reason; a fact is struck
when an appeal against it is upheld. An appeal is upheld or dismissed with a reason. Every
step needs ``assess`` over the scheme's assessing unit (the office); jobs and the demo act
as :data:`~xinfang.core.workflow.SYSTEM` on the period steps marked ``system``.
"""

from __future__ import annotations

from typing import Any

from xinfang.assessment.choices import AppealStatus, FactStatus, PeriodStatus
from xinfang.assessment.choices import PeriodStatus as P
from xinfang.assessment.clock import phase_due
from xinfang.assessment.collect import derive_facts, store_results
from xinfang.assessment.errors import AssessmentInvalid, PhaseClosed, ReasonMissing
from xinfang.assessment.models import Appeal, AssessmentTransition, Fact, Period
from xinfang.assessment.notices import tell_subjects
from xinfang.assessment.ratings import make_rating_facts
from xinfang.assessment.scoring import csv_number
from xinfang.assessment.tables import store_tables
from xinfang.core import workflow as engine
from xinfang.core.calendar import CalendarNotCovered, legal_calendar
from xinfang.core.workflow import STAY, Ctx, NoInput, Step
from xinfang.org.access import can

__all__ = ["APPEAL", "FACT", "PERIOD", "AdjustInput"]

OFFICE = ("assess",)

PERIOD_STEPS = (
    Step("collect", "归集考评事实", frozenset({P.OPEN}), P.COLLECTING, OFFICE, system=True),
    Step(
        "refresh",
        "重新归集业务事实",
        frozenset({P.COLLECTING, P.DECLARATION, P.REVIEW}),
        STAY,
        OFFICE,
        system=True,
    ),
    Step(
        "open_declaration",
        "开始单位自评申报",
        frozenset({P.COLLECTING}),
        P.DECLARATION,
        OFFICE,
        system=True,
    ),
    Step("start_review", "开始审核", frozenset({P.DECLARATION}), P.REVIEW, OFFICE, system=True),
    Step("open_appeals", "公示并受理申诉", frozenset({P.REVIEW}), P.APPEALS, OFFICE, system=True),
    Step("close", "结算考评结果", frozenset({P.APPEALS}), P.CLOSED, OFFICE, system=True),
    Step("publish", "通报考评结果", frozenset({P.CLOSED}), P.PUBLISHED, OFFICE, system=True),
)


def _period_paths(period: Period, step: Step) -> tuple[str, ...]:
    return (period.scheme.assessing_unit.path,)


def _due(ctx: Ctx, field: str, days: int) -> None:
    scheme = ctx.obj.scheme
    try:
        ctx.changes[field] = phase_due(
            legal_calendar(), ctx.today, days, working=scheme.working_days
        )
    except CalendarNotCovered:
        ctx.changes |= {field: None, "due_pending": True}
    ctx.record["due"] = str(ctx.changes[field] or "待定")


def _tell_units(ctx: Ctx, phase: str, text: str) -> None:
    def tell() -> None:
        tell_subjects(ctx.obj, phase, text)

    ctx.after.append(tell)


def _collect(ctx: Ctx) -> None:
    ctx.record["facts"] = derive_facts(ctx.obj, today=ctx.today)
    ctx.changes["collected_at"] = ctx.now


def _open_declaration(ctx: Ctx) -> None:
    _due(ctx, "declaration_due", ctx.obj.scheme.declaration_days)
    due = ctx.changes["declaration_due"]
    _tell_units(
        ctx,
        "declaration",
        f"{ctx.obj.title}已开始单位自评申报，截止{due or '待定'}，请核对本单位考评事实。",
    )


def _start_review(ctx: Ctx) -> None:
    _due(ctx, "review_due", ctx.obj.scheme.review_days)
    # The ratings close: each rated part's submitted scores become one fact, their mean.
    ctx.record.update(make_rating_facts(ctx.obj, actor=ctx.actor))


def _open_appeals(ctx: Ctx) -> None:
    if Fact.objects.filter(period=ctx.obj, status=FactStatus.DECLARED).exists():
        raise AssessmentInvalid("尚有自评申报的事实未审核，不能进入申诉阶段")
    _due(ctx, "appeal_due", ctx.obj.scheme.appeal_days)
    due = ctx.changes["appeal_due"]
    _tell_units(
        ctx,
        "appeals",
        f"{ctx.obj.title}初步结果已公示，对本单位事实有异议的可在{due or '待定'}前申诉。",
    )


def _close(ctx: Ctx) -> None:
    period: Period = ctx.obj
    if Appeal.objects.filter(period=period, status=AppealStatus.PENDING).exists():
        raise AssessmentInvalid("尚有申诉未作决定，不能结算")
    running = period.appeal_due is None or ctx.today <= period.appeal_due
    if running and not ctx.reason:
        raise ReasonMissing("申诉期尚未届满，提前结算须写明理由")
    ctx.changes["closed_at"] = ctx.now
    data: dict[str, Any] = {}

    def _store() -> None:
        stored, rows = store_results(period)
        data.update(stored)
        # The results are this version's: the key of the tables rendered from them.
        period.warnings, period.results_version = data["warnings"], period.version
        type(period).objects.filter(pk=period.pk).update(
            warnings=period.warnings, results_version=period.results_version
        )
        store_tables(period, rows)

    ctx.after.append(_store)


def _publish(ctx: Ctx) -> None:
    ctx.changes["published_at"] = ctx.now
    _tell_units(ctx, "published", f"{ctx.obj.title}考评结果已通报，可查看本单位得分及说明。")


PERIOD = engine.register(
    engine.Workflow(
        model=Period,
        steps=PERIOD_STEPS,
        log=AssessmentTransition,
        log_owner=lambda p: {"period": p, "record_type": "period", "record_id": p.pk},
        units=_period_paths,
        can=can,
        effects={
            "collect": _collect,
            "refresh": _collect,
            "open_declaration": _open_declaration,
            "start_review": _start_review,
            "open_appeals": _open_appeals,
            "close": _close,
            "publish": _publish,
        },
        concurrent="该考评期次已被他人处理，请刷新后重试",
    )
)


# ---------------------------------------------------------------------------------------
# Facts: review of a declaration, and striking by an upheld appeal


class AdjustInput(NoInput):
    quantity: float | None = None
    value: float | None = None


F = FactStatus
FACT_STEPS = (
    Step("accept", "认定", frozenset({F.DECLARED}), F.ACCEPTED, OFFICE, reason_required=True),
    Step(
        "adjust",
        "调整后认定",
        frozenset({F.DECLARED}),
        F.ADJUSTED,
        OFFICE,
        reason_required=True,
        input=AdjustInput,
    ),
    Step("reject", "不予认定", frozenset({F.DECLARED}), F.REJECTED, OFFICE, reason_required=True),
    Step(
        "strike",
        "申诉成立，撤销事实",
        frozenset({F.ACCEPTED, F.ADJUSTED}),
        F.STRUCK,
        OFFICE,
        reason_required=True,
    ),
)


def _fact_paths(fact: Fact, step: Step) -> tuple[str, ...]:
    return (fact.period.scheme.assessing_unit.path,)


def _in_review(ctx: Ctx) -> None:
    if ctx.obj.period.status not in (PeriodStatus.DECLARATION, PeriodStatus.REVIEW):
        raise PhaseClosed("只能在自评申报或审核阶段审核申报的事实")


def _review(ctx: Ctx) -> None:
    _in_review(ctx)
    ctx.changes["review_reason"] = ctx.reason


def _adjust(ctx: Ctx) -> None:
    _review(ctx)
    data: Any = ctx.input
    if data.quantity is None and data.value is None:
        raise AssessmentInvalid("调整须给出核定的数量或分值")
    fact: Fact = ctx.obj
    ctx.changes |= {
        "declared_quantity": fact.quantity,
        "declared_value": fact.value,
        "quantity": csv_number(data.quantity) if data.quantity is not None else fact.quantity,
        "value": csv_number(data.value) if data.value is not None else fact.value,
    }
    ctx.record |= {"quantity": ctx.changes["quantity"], "value": ctx.changes["value"]}


def _strike(ctx: Ctx) -> None:
    ctx.changes["review_reason"] = ctx.reason


def _fact_log(fact: Fact) -> dict[str, Any]:
    return {"period_id": fact.period_id, "record_type": "fact", "record_id": fact.pk}


FACT = engine.register(
    engine.Workflow(
        model=Fact,
        steps=FACT_STEPS,
        log=AssessmentTransition,
        log_owner=_fact_log,
        units=_fact_paths,
        can=can,
        effects={"accept": _review, "adjust": _adjust, "reject": _review, "strike": _strike},
        concurrent="该事实已被他人审核，请刷新后重试",
    )
)


# ---------------------------------------------------------------------------------------
# Appeals

A = AppealStatus
APPEAL_STEPS = (
    Step("uphold", "申诉成立", frozenset({A.PENDING}), A.UPHELD, OFFICE, reason_required=True),
    Step(
        "dismiss", "申诉不成立", frozenset({A.PENDING}), A.DISMISSED, OFFICE, reason_required=True
    ),
)


def _appeal_paths(appeal: Appeal, step: Step) -> tuple[str, ...]:
    return (appeal.period.scheme.assessing_unit.path,)


def _decide(ctx: Ctx) -> None:
    if ctx.obj.period.status != PeriodStatus.APPEALS:
        raise PhaseClosed("只能在申诉阶段对申诉作出决定")
    ctx.changes |= {"decision": ctx.reason, "decided_at": ctx.now}


def _uphold(ctx: Ctx) -> None:
    _decide(ctx)
    appeal: Appeal = ctx.obj
    # Upholding strikes the fact in the same transaction, recorded on its own timeline.
    ctx.after.append(
        lambda: engine.transition(
            appeal.fact, "strike", actor=ctx.actor, reason=f"申诉成立：{ctx.reason}"
        )
    )


def _appeal_log(appeal: Appeal) -> dict[str, Any]:
    return {"period_id": appeal.period_id, "record_type": "appeal", "record_id": appeal.pk}


APPEAL = engine.register(
    engine.Workflow(
        model=Appeal,
        steps=APPEAL_STEPS,
        log=AssessmentTransition,
        log_owner=_appeal_log,
        units=_appeal_paths,
        can=can,
        effects={"uphold": _uphold, "dismiss": _decide},
        concurrent="该申诉已被他人处理，请刷新后重试",
    )
)
