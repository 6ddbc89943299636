"""The trip request's workflow, declared on the core engine (:mod:`xinfang.core.workflow`).

::

    draft ──submit──▶ submitted ──approve──▶ approved ──record_return──▶ returned
      ▲  │               │  │                                        (file_report,
      │  └─withdraw──┐   │  └─refuse──▶ refused                      hand_back_passport)
      └──send_back───┼───┘
                     ▼
                 withdrawn

The organizing unit (``handle`` over it) prepares, files, withdraws and reports; the
approving level named by the rank of the most senior member (``lead`` over it,
:mod:`xinfang.trips.approval`) approves, refuses or sends back. Filing and approval are
refused while a rule is broken without the approving level's recorded exception
(:mod:`xinfang.trips.rules`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import Field

from xinfang.core import workflow as engine
from xinfang.core.calendar import legal_calendar
from xinfang.core.errors import NotFoundOrForbidden
from xinfang.core.workflow import STAY, Ctx, NoInput, Step
from xinfang.org.access import can
from xinfang.trips.choices import TripStatus as S
from xinfang.trips.errors import RulesViolated, TripInvalid
from xinfang.trips.models import TripRequest, TripTransition
from xinfang.trips.services import (
    dues_after_return,
    open_violations,
    violation_rows,
    violations_of,
)

__all__ = ["APPROVER_STEPS", "STEPS", "WORKFLOW", "allowed_steps", "transition"]

CLAUSE = "渝委发〔2005〕14号"


class ReturnInput(NoInput):
    returned_on: date


class ReportInput(NoInput):
    text: str = Field(min_length=1, max_length=20000)


class PassportInput(NoInput):
    returned_on: date | None = None


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            "submit",
            "提交报批",
            frozenset({S.DRAFT}),
            S.SUBMITTED,
            ("handle",),
            article=f"{CLAUSE} 第（十一）条、第（十三）条",
        ),
        Step(
            "withdraw",
            "撤回",
            frozenset({S.DRAFT, S.SUBMITTED}),
            S.WITHDRAWN,
            ("handle",),
            reason_required=True,
        ),
        Step(
            "send_back",
            "退回修改",
            frozenset({S.SUBMITTED}),
            S.DRAFT,
            ("lead",),
            reason_required=True,
            article=f"{CLAUSE} 第（十四）条",
        ),
        Step(
            "approve",
            "批准",
            frozenset({S.SUBMITTED}),
            S.APPROVED,
            ("lead",),
            article=f"{CLAUSE} 第（十二）条",
        ),
        Step(
            "refuse",
            "不予批准",
            frozenset({S.SUBMITTED}),
            S.REFUSED,
            ("lead",),
            reason_required=True,
            article=f"{CLAUSE} 第（三）条、第（十二）条",
        ),
        Step(
            "record_return",
            "登记回国（境）",
            frozenset({S.APPROVED}),
            S.RETURNED,
            ("handle",),
            input=ReturnInput,
            article=f"{CLAUSE} 第（十七）条、第（十八）条",
        ),
        Step(
            "file_report",
            "报送出访报告",
            frozenset({S.RETURNED}),
            STAY,
            ("handle",),
            input=ReportInput,
            article=f"{CLAUSE} 第（十七）条",
        ),
        Step(
            "hand_back_passport",
            "交回因公护照",
            frozenset({S.RETURNED}),
            STAY,
            ("handle",),
            input=PassportInput,
            article=f"{CLAUSE} 第（十八）条",
        ),
    )
}

# Steps of the approving level: checked on the approving unit, not the organizing one.
APPROVER_STEPS = frozenset({"send_back", "approve", "refuse"})


def _units(trip: TripRequest, step: Step) -> tuple[str, ...]:
    unit = trip.approving_unit if step.name in APPROVER_STEPS else trip.unit
    return (unit.path,)


def _rules_hold(ctx: Ctx, filed_on: date) -> list[dict[str, str]]:
    trip: TripRequest = ctx.obj
    found = violations_of(trip, filed_on)
    missing = open_violations(trip, found)
    if missing:
        lines = "；".join(f"{v.message}（{v.source}）" for v in missing)
        raise RulesViolated(f"出访请示不符合规定，须修改或经审批层级同意例外：{lines}")
    return violation_rows(found)


def _submit(ctx: Ctx) -> None:
    ctx.changes["violations"] = _rules_hold(ctx, ctx.today)
    ctx.changes["filed_on"] = ctx.today
    ctx.record["excepted"] = [v["code"] for v in ctx.changes["violations"]]


def _approve(ctx: Ctx) -> None:
    # Checked again: another trip of the same people may have been approved meanwhile.
    ctx.changes["violations"] = _rules_hold(ctx, ctx.obj.filed_on or ctx.today)
    ctx.changes["approved_on"] = ctx.today


def _send_back(ctx: Ctx) -> None:
    ctx.changes["filed_on"] = None


def _record_return(ctx: Ctx) -> None:
    data: Any = ctx.input
    trip: TripRequest = ctx.obj
    if data.returned_on < trip.depart_on or data.returned_on > ctx.today:
        raise TripInvalid("实际入境日期须在出境日期之后、不晚于今天")
    ctx.changes["returned_on"] = data.returned_on
    ctx.changes |= dues_after_return(data.returned_on, legal_calendar())
    ctx.record["returned_on"] = data.returned_on.isoformat()


def _file_report(ctx: Ctx) -> None:
    trip: TripRequest = ctx.obj
    if trip.report_filed_on is not None:
        raise TripInvalid("出访报告已报送")
    data: Any = ctx.input
    ctx.changes |= {"report_filed_on": ctx.today, "report_text": data.text}
    ctx.record["late"] = bool(trip.report_due and ctx.today > trip.report_due)


def _hand_back_passport(ctx: Ctx) -> None:
    trip: TripRequest = ctx.obj
    if trip.passport_returned_on is not None:
        raise TripInvalid("因公护照已交回")
    data: Any = ctx.input
    on = data.returned_on or ctx.today
    if trip.returned_on is None or on < trip.returned_on or on > ctx.today:
        raise TripInvalid("护照交回日期须在入境之后、不晚于今天")
    ctx.changes["passport_returned_on"] = on
    ctx.record["late"] = bool(trip.passport_due and on > trip.passport_due)


def _authorize(actor: Any, trip: TripRequest, step: Step) -> None:
    if not WORKFLOW.may(actor, trip, step):
        raise NotFoundOrForbidden("该出访请示不存在或您无权操作")


WORKFLOW = engine.register(
    engine.Workflow(
        model=TripRequest,
        steps=tuple(STEPS.values()),
        log=TripTransition,
        log_owner="trip",
        units=_units,
        can=can,
        effects={
            "submit": _submit,
            "approve": _approve,
            "send_back": _send_back,
            "record_return": _record_return,
            "file_report": _file_report,
            "hand_back_passport": _hand_back_passport,
        },
        authorize=_authorize,
        concurrent="该出访请示已被他人处理，请刷新后重试",
        reason_missing="“{label}”须写明理由",
    )
)


def allowed_steps(trip: TripRequest, actor: Any) -> list[Step]:
    """Steps ``actor`` may take now (for buttons; ``transition`` checks again)."""
    out = engine.allowed_steps(trip, actor)
    return [
        s
        for s in out
        if not (s.name == "file_report" and trip.report_filed_on)
        and not (s.name == "hand_back_passport" and trip.passport_returned_on)
    ]


def transition(
    trip: TripRequest,
    step: str,
    *,
    actor: Any,
    reason: str = "",
    data: dict[str, Any] | None = None,
    today: date | None = None,
) -> TripRequest:
    """Take ``step`` on ``trip`` (the core engine's ``transition``)."""
    result: TripRequest = engine.transition(
        trip, step, actor=actor, reason=reason, data=data, today=today
    )
    return result
