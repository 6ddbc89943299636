"""The legal clock of a matter: pure functions over ``core.calendar.LegalCalendar``.

Periods (2022 《信访工作条例》), counted by the configured convention (default: the start
day is not counted, a last day on a rest day moves to the next working day — 民法典
Arts. 201, 203):

========================  =====================================  ================
period                    from                                   length
========================  =====================================  ================
route (转送交办)           receipt                                15 days, Art. 22
objection (异议)           hand-over to the receiving body        5 working days, Art. 23
objection decision        the objection                          5 working days, Art. 23
  (异议处理: agree and re-route, or reject with reasons)
notice (受理告知)          receipt by the body that must decide   15 days, Art. 23
handle (办理)              acceptance                             60 (+≤30) days, Art. 34
                          (only a matter handled under Art. 31 (六); one handled by
                          another procedure follows that procedure: no 60-day due)
report (报结)              given by the assigning office          else = handle
                          (only for assigned matters, 交办)
review request (申请复查)  receipt of the answer                  30 days, Art. 35
review opinion (复查意见)  review request                         30 days, Art. 35
re-review request         receipt of the review opinion          30 days, Art. 36
re-review opinion         re-review request                       30 (+hearing) days, Art. 36
========================  =====================================  ================

The extension lengthens the handling period itself (60 + n days from acceptance), so a
60th day that fell on a holiday does not shift the extended end twice.

A due date in a year the calendar does not cover is *pending*: :func:`compute_dues`
returns ``None`` for it and names the year in ``pending_years``; the matter is saved
anyway and recomputed (``xinfang recompute_deadlines`` / the periodic job) once an
administrator enters that year's holiday schedule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from xinfang.core.calendar import CIVIL_CODE, LegalCalendar, earliest_due
from xinfang.core.errors import CalendarNotCovered
from xinfang.petitions.choices import DueStep, Status

__all__ = [
    "HANDLE_DAYS",
    "MAX_EXTENSION_DAYS",
    "NOTICE_DAYS",
    "OBJECTION_DECISION_WORKING_DAYS",
    "OBJECTION_WORKING_DAYS",
    "REREVIEW_DAYS",
    "REVIEW_DAYS",
    "REVIEW_REQUEST_DAYS",
    "ROUTE_DAYS",
    "Anchors",
    "Dues",
    "compute_dues",
    "current_step",
    "pending_notice",
]

ROUTE_DAYS = 15  # Art. 22
NOTICE_DAYS = 15  # Art. 23
OBJECTION_WORKING_DAYS = 5  # Art. 23
# Art. 23 sets no period for the sending office's decision on an objection; it gets the
# same five working days the receiving body had, so it runs on a clock like every step.
OBJECTION_DECISION_WORKING_DAYS = 5
HANDLE_DAYS = 60  # Art. 34
MAX_EXTENSION_DAYS = 30  # Art. 34
REVIEW_REQUEST_DAYS = 30  # Art. 35
REVIEW_DAYS = 30  # Art. 35
REREVIEW_REQUEST_DAYS = 30  # Art. 36
REREVIEW_DAYS = 30  # Art. 36


@dataclass(frozen=True)
class Anchors:
    """The dates a matter's periods start from (copied from the Petition row)."""

    received_on: date
    routed_on: date | None = None
    objected_on: date | None = None
    accepted_on: date | None = None
    extension_days: int = 0
    sixty_day_clock: bool = True  # Art. 34: handled under Art. 31 (六)
    answer_received_on: date | None = None
    review_requested_on: date | None = None
    review_decided_on: date | None = None
    review_received_on: date | None = None
    rereview_requested_on: date | None = None
    rereview_pause_days: int = 0
    report_due_given: date | None = None


@dataclass(frozen=True)
class Dues:
    """Every due date of a matter; ``None`` where not started or pending (see years)."""

    route: date | None = None
    objection: date | None = None
    objection_decision: date | None = None
    notice: date | None = None
    handle: date | None = None
    report: date | None = None
    review_request: date | None = None
    review: date | None = None
    rereview_request: date | None = None
    rereview: date | None = None
    pending_years: frozenset[int] = field(default_factory=frozenset)
    # For each pending period (by its name above): the earliest day it can end on
    # (``core.calendar.earliest_due``), shown as "待定,不早于 …" and reminded against.
    not_before: dict[str, date] = field(default_factory=dict)

    @property
    def pending(self) -> bool:
        return bool(self.pending_years)


def _first_uncovered_year(calendar: LegalCalendar, start: date, days: int) -> int:
    # Generous bound: working-day periods span at most a few weeks past the nominal end.
    last = start + timedelta(days=days * 2 + 31)
    for year in range(start.year, last.year + 1):
        if year not in calendar.covered_years:
            return year
    return last.year


def compute_dues(anchors: Anchors, calendar: LegalCalendar, convention: str = CIVIL_CODE) -> Dues:
    """All due dates of a matter from its anchors. Pure; never raises for a missing year."""
    pending: set[int] = set()
    not_before: dict[str, date] = {}

    def period(name: str, start: date | None, days: int, *, working: bool = False) -> date | None:
        if start is None:
            return None
        compute: Callable[[], date] = (
            (lambda: calendar.add_working_days(start, days))
            if working
            else (lambda: calendar.add_calendar_days(start, days, convention))
        )
        try:
            return compute()
        except CalendarNotCovered:
            pending.add(_first_uncovered_year(calendar, start, days))
            # Working-day periods too: make-up working days may fall on any weekend.
            not_before[name] = earliest_due(start, days, CIVIL_CODE if working else convention)
            return None

    a = anchors
    receipt_by_decider = a.routed_on or a.received_on
    handle = (
        period("handle", a.accepted_on, HANDLE_DAYS + a.extension_days)
        if a.sixty_day_clock
        else None
    )
    if a.report_due_given is None and "handle" in not_before:
        not_before["report"] = not_before["handle"]
    return Dues(
        route=period("route", a.received_on, ROUTE_DAYS),
        objection=period("objection", a.routed_on, OBJECTION_WORKING_DAYS, working=True),
        objection_decision=period(
            "objection_decision", a.objected_on, OBJECTION_DECISION_WORKING_DAYS, working=True
        ),
        notice=period("notice", receipt_by_decider, NOTICE_DAYS),
        handle=handle,
        report=a.report_due_given or handle,
        review_request=period("review_request", a.answer_received_on, REVIEW_REQUEST_DAYS),
        review=period("review", a.review_requested_on, REVIEW_DAYS),
        # Art. 36: from the receipt of the written review opinion (its delivery receipt),
        # else from the day the opinion was given.
        rereview_request=period(
            "rereview_request", a.review_received_on or a.review_decided_on, REREVIEW_REQUEST_DAYS
        ),
        rereview=period("rereview", a.rereview_requested_on, REREVIEW_DAYS + a.rereview_pause_days),
        pending_years=frozenset(pending),
        not_before=not_before,
    )


# The period that runs in each state: the one an overdue list and reminders follow.
_STEP_BY_STATUS: dict[str, DueStep] = {
    Status.REGISTERED: DueStep.ROUTE,
    Status.OBJECTED: DueStep.OBJECTION_DECISION,
    Status.ROUTED: DueStep.NOTICE,
    Status.ACCEPTED: DueStep.HANDLE,
    Status.IN_HANDLING: DueStep.HANDLE,
    Status.REVIEW_REQUESTED: DueStep.REVIEW,
    Status.REREVIEW_REQUESTED: DueStep.REREVIEW,
}

_DUE_OF_STEP: dict[DueStep, str] = {
    DueStep.ROUTE: "route",
    DueStep.OBJECTION_DECISION: "objection_decision",
    DueStep.NOTICE: "notice",
    DueStep.HANDLE: "handle",
    DueStep.REPORT: "report",
    DueStep.REVIEW: "review",
    DueStep.REREVIEW: "rereview",
}


def current_step(
    status: str,
    dues: Dues,
    *,
    report_outstanding: bool = False,
    hearing_open: bool = False,
) -> tuple[str, date | None]:
    """The step whose period is running in ``status`` and its due date ("" if none).

    After the answer, an assigned matter still owes its completion report (交办报结).
    During a re-review hearing the clock stands still (Art. 36): no due date.
    """
    step = _STEP_BY_STATUS.get(status)
    if step is None and report_outstanding and status in (Status.ANSWERED, Status.EVALUATED):
        step = DueStep.REPORT
    if step is None:
        return "", None
    if step == DueStep.REREVIEW and hearing_open:
        return str(step), None
    return str(step), getattr(dues, _DUE_OF_STEP[step])


def step_period(step: str) -> str:
    """The name of the period (a ``Dues`` field) that runs during ``step``."""
    return _DUE_OF_STEP[DueStep(step)]


def pending_notice(years: frozenset[int] | set[int]) -> str:
    """The visible Chinese notice for due dates that wait for a year's holiday schedule."""
    if not years:
        return ""
    listed = "、".join(f"{y}年" for y in sorted(years))
    return f"{listed}节假日安排未录入，相关期限待管理员录入后自动计算"
