"""The official documents of a matter as PDF (A4, Chinese, WeasyPrint + Noto CJK).

Each document is a :class:`DocumentSpec`: a template and a ``build(petition, user)`` that
returns the template context, or ``None`` when the document does not apply to the matter yet
(the view answers 404). Numbers are derived from the issuing unit, a code and the matter
(``县自然资源局受告〔2026〕00012号``), so reprinting gives the same number.

Confidentiality (条例 Art. 30): documents addressed to a unit (hand-over slip, supervision
notice, completion report) never print a confidential petitioner's identity; documents
addressed to the petitioner print it only for a user entitled to see it
(:func:`xinfang.petitions.confidentiality.identity_visible`) — never for the accused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.template.loader import render_to_string

from xinfang.org.models import Unit
from xinfang.petitions.choices import ReviewLevel, RouteMode, Stage, Status
from xinfang.petitions.confidentiality import (
    CONFIDENTIAL_LABEL,
    accuser_withheld,
    identity_visible,
)
from xinfang.petitions.models import (
    Answer,
    CompletionReport,
    Extension,
    Petition,
    Petitioner,
    RouteHandover,
    Transition,
)
from xinfang.petitions.units import next_body_up

__all__ = ["DOCUMENTS", "DocumentSpec", "cn_date", "petitioner_line", "render_pdf"]

PETITIONER = "petitioner"
UNIT = "unit"


def cn_date(day: date | None) -> str:
    """A date as official documents write it: ``2026年3月5日`` (GB/T 9704-2012 §7.3.5.3)."""
    if day is None:
        return "    年  月  日"
    return f"{day.year}年{day.month}月{day.day}日"


def doc_number(unit: Unit, code: str, petition: Petition, year: int) -> str:
    return f"{unit.name}{code}〔{year}〕{petition.pk:05d}号"


def petitioner_line(petition: Petition, user: Any, audience: str) -> str:
    """Names of the matter's petitioners as the document may print them."""
    show_confidential = audience == PETITIONER and identity_visible(user, petition)
    withheld = accuser_withheld(user, petition)
    names = []
    for person in Petitioner.objects.filter(petition=petition).order_by("pk"):
        if withheld or (person.wants_confidentiality and not show_confidential):
            names.append(CONFIDENTIAL_LABEL)
        else:
            names.append(person.name)
    return "、".join(dict.fromkeys(names)) or "—"


def _last_step(petition: Petition, name: str) -> Transition | None:
    return Transition.objects.filter(petition=petition, step=name).order_by("-at", "-pk").first()


def _base(
    petition: Petition, user: Any, unit: Unit, code: str, day: date | None, audience: str
) -> dict[str, Any]:
    issued = day or petition.received_on
    return {
        "p": petition,
        "unit": unit,
        "number": doc_number(unit, code, petition, issued.year),
        "date_cn": cn_date(day),
        "received_cn": cn_date(petition.received_on),
        "petitioners": petitioner_line(petition, user, audience),
    }


def _due_cn(p: Petition, column: str) -> str:
    """A due date for a printed notice; while pending, the earliest day it can be."""
    due = getattr(p, column)
    if due is not None:
        return cn_date(due)
    not_before = p.not_before(column)
    if not_before is not None:
        return f"待定,不早于{cn_date(not_before)}(以国务院公布的节假日安排为准)"
    return ""


def _acceptance(p: Petition, user: Any) -> dict[str, Any] | None:
    if p.accepted_on is None:
        return None
    ctx = _base(p, user, p.responsible_unit, "受告", p.accepted_on, PETITIONER)
    step = _last_step(p, "accept")
    ctx["notice"] = (step.data or {}).get("notice", "") if step else ""
    ctx["accepted_cn"] = cn_date(p.accepted_on)
    ctx["handle_due_cn"] = _due_cn(p, "handle_due")
    return ctx


def _non_acceptance(p: Petition, user: Any) -> dict[str, Any] | None:
    if p.status != Status.NOT_ACCEPTED:
        return None
    ctx = _base(p, user, p.responsible_unit, "不受告", p.closed_on, PETITIONER)
    step = _last_step(p, "not_accept")
    ctx["reason"] = step.reason if step else ""
    return ctx


def _handover(p: Petition, user: Any) -> dict[str, Any] | None:
    handover = (
        RouteHandover.objects.filter(petition=p)
        .select_related("from_unit", "to_unit")
        .order_by("-routed_on", "-pk")
        .first()
    )
    if handover is None:
        return None
    assign = handover.mode == RouteMode.ASSIGN
    ctx = _base(p, user, handover.from_unit, "交" if assign else "转", handover.routed_on, UNIT)
    ctx.update(
        handover=handover,
        title="信访事项交办单" if assign else "信访事项转送单",
        report_due_cn=cn_date(handover.report_due) if handover.report_due else "",
        notice_due_cn=_due_cn(p, "notice_due"),
    )
    return ctx


def _extension(p: Petition, user: Any) -> dict[str, Any] | None:
    ext = Extension.objects.filter(petition=p).first()
    if ext is None:
        return None
    ctx = _base(p, user, p.responsible_unit, "延告", ext.approved_on, PETITIONER)
    ctx.update(
        ext=ext,
        old_due_cn=cn_date(ext.old_due) if ext.old_due else "",
        new_due_cn=cn_date(ext.new_due) if ext.new_due else "",
        accepted_cn=cn_date(p.accepted_on),
    )
    return ctx


def _latest_answer(p: Petition) -> Answer | None:
    return (
        Answer.objects.filter(petition=p)
        .select_related("unit")
        .order_by("-answered_on", "-pk")
        .first()
    )


def review_route_text(answer: Answer) -> str:
    """The route and deadline for review the answer must state (Arts. 32, 35, 36)."""
    if answer.review_route:
        article = "第三十六条" if answer.stage == Stage.REREVIEW else "第三十五条"
        cited = "条例" in answer.review_route
        return answer.review_route + ("" if cited else f"(《信访工作条例》{article})")
    days = answer.review_deadline_days or 30
    body = next_body_up(answer.unit)
    body_name = body.name if body else "上一级行政机关"
    if answer.stage == Stage.HANDLING:
        return (
            f"信访人对本处理意见不服的,可以自收到本意见书之日起{days}日内"
            f"向{body_name}请求复查(《信访工作条例》第三十五条)。"
        )
    if answer.stage == Stage.REVIEW:
        return (
            f"信访人对本复查意见不服的,可以自收到本意见书之日起{days}日内"
            f"向{body_name}请求复核(《信访工作条例》第三十五条)。"
        )
    return (
        "本复核意见为终结意见。信访人对复核意见不服,仍以同一事实和理由提出信访请求的,"
        "不再受理(《信访工作条例》第三十六条)。"
    )


_ANSWER_TITLES = {
    Stage.HANDLING: "信访事项处理意见书",
    Stage.REVIEW: "信访事项复查意见书",
    Stage.REREVIEW: "信访事项复核意见书",
}


def _answer(p: Petition, user: Any) -> dict[str, Any] | None:
    answer = _latest_answer(p)
    if answer is None:
        return None
    ctx = _base(p, user, answer.unit, "处意", answer.answered_on, PETITIONER)
    ctx.update(
        answer=answer,
        title=_ANSWER_TITLES.get(Stage(answer.stage), "信访事项处理意见书"),
        review_route=review_route_text(answer),
    )
    return ctx


def _receipt(p: Petition, user: Any) -> dict[str, Any] | None:
    answer = _latest_answer(p)
    if answer is None:
        return None
    receipt = getattr(answer, "receipt", None)
    ctx = _base(p, user, answer.unit, "送", receipt.delivered_on if receipt else None, PETITIONER)
    ctx.update(
        answer=answer,
        answer_title=_ANSWER_TITLES.get(Stage(answer.stage), "信访事项处理意见书"),
        answer_number=doc_number(answer.unit, "处意", p, answer.answered_on.year),
        receipt=receipt,
        delivered_cn=cn_date(receipt.delivered_on) if receipt else "",
    )
    return ctx


def _completion(p: Petition, user: Any) -> dict[str, Any] | None:
    answer = Answer.objects.filter(petition=p, stage=Stage.HANDLING).select_related("unit").last()
    if answer is None:
        return None
    report = (
        CompletionReport.objects.filter(petition=p)
        .select_related("to_unit")
        .order_by("-pk")
        .first()
    )
    to_unit = report.to_unit if report else p.handed_down_by
    day = report.submitted_on if report else answer.answered_on
    ctx = _base(p, user, p.responsible_unit, "结报", day, UNIT)
    visits = list(p.return_visits.order_by("visited_on", "pk"))
    ctx.update(
        answer=answer,
        report=report,
        to_unit=to_unit,
        answered_cn=cn_date(answer.answered_on),
        accepted_cn=cn_date(p.accepted_on),
        rating=visits[-1].get_rating_display() if visits else "",
        reviewed=p.review_requests.filter(level=ReviewLevel.REVIEW).exists(),
    )
    return ctx


@dataclass(frozen=True)
class DocumentSpec:
    kind: str
    title: str
    template: str
    audience: str
    build: Callable[[Petition, Any], dict[str, Any] | None]


DOCUMENTS: dict[str, DocumentSpec] = {
    spec.kind: spec
    for spec in (
        DocumentSpec(
            "acceptance", "受理告知书", "documents/acceptance.html", PETITIONER, _acceptance
        ),
        DocumentSpec(
            "non_acceptance",
            "不予受理告知书",
            "documents/non_acceptance.html",
            PETITIONER,
            _non_acceptance,
        ),
        DocumentSpec("handover", "交办(转送)单", "documents/handover.html", UNIT, _handover),
        DocumentSpec(
            "extension", "延期办理告知书", "documents/extension.html", PETITIONER, _extension
        ),
        DocumentSpec("answer", "信访事项处理意见书", "documents/answer.html", PETITIONER, _answer),
        DocumentSpec("receipt", "送达回证", "documents/receipt.html", PETITIONER, _receipt),
        DocumentSpec("completion", "结案报告", "documents/completion.html", UNIT, _completion),
    )
}


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """HTML template → PDF bytes. Fonts: Debian's fonts-noto-cjk (embedded as a subset)."""
    from weasyprint import HTML  # heavy import, only when printing

    html = render_to_string(template, context)
    return bytes(HTML(string=html).write_pdf())


def supervision_notice_context(notice: Any) -> dict[str, Any]:
    """Context of a 督办通知书 (addressed to the responsible unit; no petitioner identity)."""
    return {
        "n": notice,
        "p": notice.petition,
        "unit": notice.supervising_unit,
        "number": notice.number,
        "date_cn": cn_date(notice.issued_on),
        "received_cn": cn_date(notice.petition.received_on),
        "answer_due_cn": cn_date(notice.answer_due) if notice.answer_due else "",
    }
