"""What a petitioner sees of their own matter: the stage in plain Chinese, the due dates
that apply now, the answers, and what they may still do online.

Built from the matter for the citizen only after the query code and phone were proven.
Nothing here names a member of staff (units only) or shows another person on the matter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from xinfang.petitions.choices import ReviewLevel, Status
from xinfang.petitions.models import Answer, Petition, ReturnVisit, Transition

__all__ = ["DueLine", "Progress", "describe", "review_window"]

S = Status

# Status → (short title, plain explanation). {unit} is the responsible unit's name.
STAGES: dict[str, tuple[str, str]] = {
    S.REGISTERED: (
        "已登记，等待处理",
        "您的信访事项已由{unit}登记。依照《信访工作条例》第二十二条，"
        "应自收到之日起15日内转送、交办有权处理的机关，或由本机关受理并书面告知您。",
    ),
    S.ROUTED: (
        "已转送有权处理的机关",
        "您的信访事项已转送（交办）至{unit}。依照第二十三条，"
        "该机关应自收到之日起15日内书面告知您是否受理。",
    ),
    S.OBJECTED: (
        "正在重新确定处理机关",
        "接收机关认为不属于其职权范围，事项已退回，正在重新确定有权处理的机关。",
    ),
    S.ACCEPTED: (
        "已受理",
        "{unit}已受理您的信访事项。依照第三十四条，应自受理之日起60日内办结；"
        "情况复杂的，经批准可延长一次，不超过30日，并告知您延期理由。",
    ),
    S.IN_HANDLING: (
        "正在办理",
        "{unit}正在调查核实、办理您的信访事项，办结后将出具书面答复意见。",
    ),
    S.ANSWERED: (
        "已书面答复",
        "{unit}已出具信访处理意见书（见下方）。您可以对答复进行评价；"
        "对答复意见不服的，可自收到之日起30日内请求复查（第三十五条）。",
    ),
    S.EVALUATED: (
        "已答复，已评价",
        "您的信访事项已答复并完成回访评价。对答复意见不服的，"
        "可自收到之日起30日内请求复查（第三十五条）。",
    ),
    S.CLOSED: ("已办结", "您的信访事项已办结。"),
    S.NOT_ACCEPTED: (
        "不予受理",
        "接收机关决定不予受理，并应书面告知您理由和应当向哪个机关提出（第二十三条、第三十一条）。",
    ),
    S.LINKED: (
        "已并入同一事项办理",
        "您反映的问题与正在办理的事项相同，已并入该事项一并办理，不再重复受理（第十九条）。",
    ),
    S.REVIEW_REQUESTED: (
        "复查中",
        "复查机关应自收到复查请求之日起30日内提出复查意见（第三十五条）。",
    ),
    S.REVIEWED: (
        "已出具复查意见",
        "复查意见见下方。对复查意见不服的，可自收到之日起30日内请求复核（第三十六条）。",
    ),
    S.REREVIEW_REQUESTED: (
        "复核中",
        "复核机关应自收到复核请求之日起30日内提出复核意见；听证所需时间不计算在内（第三十六条）。",
    ),
    S.FINAL: (
        "已复核终结",
        "复核意见为终结意见。以同一事实和理由再次提出的，不再受理（第三十六条）。",
    ),
}

# Which due dates the petitioner is told about in each status: (column, label).
DUE_LINES: dict[str, tuple[tuple[str, str], ...]] = {
    S.REGISTERED: (("route_due", "转送、交办或受理的期限"),),
    # Art. 23: the office decides the objection on its own clock (re-route or reject).
    S.OBJECTED: (("objection_decision_due", "重新确定处理机关的期限"),),
    S.ROUTED: (("notice_due", "书面告知是否受理的期限"),),
    S.ACCEPTED: (("handle_due", "办结期限"),),
    S.IN_HANDLING: (("handle_due", "办结期限"),),
    S.ANSWERED: (("review_request_due", "请求复查的截止日期"),),
    S.EVALUATED: (("review_request_due", "请求复查的截止日期"),),
    S.CLOSED: (),
    S.REVIEW_REQUESTED: (("review_due", "出具复查意见的期限"),),
    S.REVIEWED: (("rereview_request_due", "请求复核的截止日期"),),
    S.REREVIEW_REQUESTED: (("rereview_due", "出具复核意见的期限"),),
}

ANSWER_TITLES = {"handling": "信访处理意见书", "review": "复查意见", "rereview": "复核意见（终结）"}


@dataclass(frozen=True)
class DueLine:
    label: str
    due: date | None
    overdue: bool
    # While the due date waits for its year's schedule: the earliest day it can be.
    not_before: date | None = None


@dataclass(frozen=True)
class ReviewWindow:
    """Whether the petitioner may ask for review / re-review online now, and if not why."""

    level: str  # "review" / "rereview" / ""
    label: str
    open: bool
    due: date | None
    message: str
    # While the window waits for its year's schedule: the earliest day it can end on. Any
    # request made before the real end is known is accepted (never refused on a guess).
    not_before: date | None = None


@dataclass
class Progress:
    petition: Petition
    title: str
    current_body: str
    explanation: str
    dues: list[DueLine]
    pending_notice: str
    extension_days: int
    extension_reason: str
    not_accepted_reason: str
    answers: list[Answer]
    timeline: list[tuple[date, str]]
    rating: ReturnVisit | None
    can_rate: bool
    review: ReviewWindow
    overdue: bool = False
    notes: list[str] = field(default_factory=list)


def _fmt(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def review_window(petition: Petition, today: date | None = None) -> ReviewWindow:
    """The online review route for the matter's status (条例 Arts. 35, 36)."""
    today = today or timezone.localdate()
    levels = set(petition.review_requests.values_list("level", flat=True))
    if petition.status in (S.ANSWERED, S.EVALUATED) or (
        petition.status == S.CLOSED and not levels and petition.answered_on
    ):
        if ReviewLevel.REVIEW in levels:
            return ReviewWindow("", "", False, None, "")
        due = petition.review_request_due
        if due is not None and today > due:
            return ReviewWindow(
                ReviewLevel.REVIEW,
                "请求复查",
                False,
                due,
                f"请求复查的期限已于{_fmt(due)}届满。依照《信访工作条例》第三十五条，"
                "对处理意见不服的，应自收到书面答复之日起30日内请求复查；"
                "已超过期限的，不能再通过网上申请复查。",
            )
        return ReviewWindow(
            ReviewLevel.REVIEW, "请求复查", True, due, "", petition.not_before("review_request_due")
        )
    if petition.status == S.REVIEWED or (
        petition.status == S.CLOSED and ReviewLevel.REVIEW in levels
    ):
        if ReviewLevel.REREVIEW in levels:
            return ReviewWindow("", "", False, None, "")
        due = petition.rereview_request_due
        if due is not None and today > due:
            return ReviewWindow(
                ReviewLevel.REREVIEW,
                "请求复核",
                False,
                due,
                f"请求复核的期限已于{_fmt(due)}届满。依照《信访工作条例》第三十六条，"
                "对复查意见不服的，应自收到复查意见之日起30日内请求复核；"
                "已超过期限的，不能再通过网上申请复核。",
            )
        return ReviewWindow(
            ReviewLevel.REREVIEW,
            "请求复核",
            True,
            due,
            "",
            petition.not_before("rereview_request_due"),
        )
    return ReviewWindow("", "", False, None, "")


# While a review or re-review runs, and once its opinion is out, the matter is with the
# reviewing body (条例 Arts. 35, 36), not with the unit that answered first.
_WITH_REVIEWER = {S.REVIEW_REQUESTED, S.REVIEWED, S.REREVIEW_REQUESTED, S.FINAL}


def current_body(petition: Petition) -> str:
    """The body the matter is with now, as the petitioner is told (当前处理机关)."""
    if petition.status in _WITH_REVIEWER or (
        petition.status == S.CLOSED and petition.review_requested_on
    ):
        request = petition.review_requests.select_related("reviewing_unit").order_by("-pk").first()
        if request is not None:
            return request.reviewing_unit.name
    return petition.responsible_unit.name


def describe(petition: Petition, today: date | None = None) -> Progress:
    """The petitioner's view of ``petition`` (a handful of queries, no staff names)."""
    today = today or timezone.localdate()
    title, text = STAGES.get(petition.status, (petition.get_status_display(), ""))
    explanation = text.format(unit=petition.responsible_unit.name)
    dues = []
    for column, label in DUE_LINES.get(petition.status, ()):
        due = getattr(petition, column)
        not_before = petition.not_before(column)
        dues.append(DueLine(label, due, due is not None and due < today, not_before))
    # "Pending calendar" only where a date the petitioner is told about is missing.
    pending = petition.deadline_pending and any(d.due is None for d in dues)
    transitions = list(
        Transition.objects.filter(petition=petition).only("step", "at", "reason", "petition_id")
    )
    not_accepted_reason = next(
        (t.reason for t in reversed(transitions) if t.step == "not_accept"), ""
    )
    extension_reason = ""
    if petition.extension_days:
        extension_reason = next((t.reason for t in reversed(transitions) if t.step == "extend"), "")
    timeline = [(timezone.localtime(t.at).date(), t.label) for t in transitions]
    answers = list(Answer.objects.filter(petition=petition).select_related("unit"))
    rating = ReturnVisit.objects.filter(petition=petition).order_by("-visited_on", "-pk").first()
    return Progress(
        petition=petition,
        title=title,
        current_body=current_body(petition),
        explanation=explanation,
        dues=[d for d in dues if d.due is not None or d.not_before is not None],
        pending_notice=(petition.deadline_notice or "期限待定") if pending else "",
        extension_days=petition.extension_days,
        extension_reason=extension_reason,
        not_accepted_reason=not_accepted_reason,
        answers=answers,
        timeline=timeline,
        rating=rating,
        can_rate=petition.status == S.ANSWERED and rating is None,
        review=review_window(petition, today),
        overdue=petition.is_overdue,
    )
