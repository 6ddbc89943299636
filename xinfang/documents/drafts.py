"""What each official document of a matter says, one draft per source, as plain data.

A :class:`Draft` is a document not yet issued: the body that issues it, the type code of
its number (机关代字: 受告, 处意 …), its date and the data the template prints, all plain
JSON values, so the issued document can store exactly what it was made from. Each
:class:`DocumentSpec` lists the drafts of a matter, one per *source* — the acceptance
step, each hand-over, each answer at every stage — so a later change (an extension, a review
opinion) makes a new draft and never alters an issued document (``services.issue``).

Each draft prints the matter as it stood at its own act: the acceptance notice prints the
handling due date computed from the acceptance alone (an extension approved later gets its
own 延期办理告知书), the hand-over slip the notice due date of that hand-over.

Confidentiality (条例 Art. 30): documents addressed to a unit (hand-over slip, supervision
notice, completion report) never carry a confidential petitioner's identity; documents
addressed to the petitioner carry it, and a user not entitled to see it
(:func:`xinfang.petitions.confidentiality.identity_visible`) gets a copy without it
(``pdf.masked``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings

from xinfang.core import crypto
from xinfang.core.calendar import legal_calendar
from xinfang.org.models import Unit
from xinfang.petitions import deadlines
from xinfang.petitions.choices import Channel, ReviewLevel, RouteMode, Stage, Status
from xinfang.petitions.confidentiality import CONFIDENTIAL_LABEL
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

__all__ = [
    "ANSWER_CODES",
    "DOCUMENTS",
    "PETITIONER",
    "UNIT",
    "DocumentSpec",
    "Draft",
    "cn_date",
    "drafts_of",
    "review_route_text",
]

PETITIONER = "petitioner"
UNIT = "unit"

# The type code of each stage's opinion: the 处理意见书, the 复查意见书 and the 复核意见书
# are three documents with three numbering series (条例 Arts. 32, 35, 36).
ANSWER_CODES = {Stage.HANDLING: "处意", Stage.REVIEW: "复查意", Stage.REREVIEW: "复核意"}
ANSWER_TITLES = {
    Stage.HANDLING: "信访事项处理意见书",
    Stage.REVIEW: "信访事项复查意见书",
    Stage.REREVIEW: "信访事项复核意见书",
}


def cn_date(day: date | None) -> str:
    """A date as official documents write it: ``2026年3月5日`` (GB/T 9704-2012 §7.3.5.3)."""
    if day is None:
        return "    年  月  日"
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Draft:
    """One document of one source, ready to issue (``number`` set only when the source
    carries its own, like a supervision notice's)."""

    kind: str
    source: str
    title: str
    unit: Unit
    code: str
    issued_on: date
    data: dict[str, Any]
    audience: str
    number: str = ""
    # A document that cites another one's number (the 送达回证 names the opinion it
    # delivers): (kind, source) of that document, issued first.
    cites: tuple[str, str] | None = None


@dataclass(frozen=True)
class DocumentSpec:
    kind: str
    title: str
    template: str
    audience: str
    drafts: Callable[[Petition], list[Draft]] = field(repr=False)

    def latest(self, petition: Petition) -> Draft | None:
        found = self.drafts(petition)
        return found[-1] if found else None


def _names(petition: Petition, audience: str) -> tuple[str, bool]:
    """The petitioners as the document prints them, and whether one asked for secrecy."""
    people = list(Petitioner.objects.filter(petition=petition).order_by("pk"))
    confidential = any(p.wants_confidentiality for p in people)
    names = [
        CONFIDENTIAL_LABEL if p.wants_confidentiality and audience == UNIT else p.name
        for p in people
    ]
    return "、".join(dict.fromkeys(names)) or "—", confidential


def _matter(p: Petition) -> dict[str, Any]:
    return {
        "number": p.number,
        "summary": p.summary,
        "channel": p.get_channel_display(),
        "kind": p.get_kind_display(),
        "place": p.place,
        "source_reference": p.source_reference,
        "handed_down": p.handed_down_by_id is not None,
        # The statutory procedure a matter not accepted is diverted to (条例 Art. 31).
        "diversion": p.get_diversion_display() if p.diversion else "",
        "diversion_body": p.diversion_body,
        "diversion_time_limit": p.diversion_time_limit,
    }


def _data(p: Petition, unit: Unit, day: date | None, audience: str, **more: Any) -> dict[str, Any]:
    names, confidential = _names(p, audience)
    return {
        "p": _matter(p),
        "unit": {"name": unit.name},
        "date_cn": cn_date(day),
        "received_cn": cn_date(p.received_on),
        "petitioners": names,
        "confidential": confidential,
        **more,
    }


def _due_text(day: date | None, not_before: date | None) -> str:
    """A due date for a printed notice; while pending, the earliest day it can be (#7)."""
    if day is not None:
        return cn_date(day)
    if not_before is not None:
        return f"待定，不早于{cn_date(not_before)}（以国务院公布的节假日安排为准）"
    return ""


def _dues_at(p: Petition, **anchors: Any) -> deadlines.Dues:
    """The matter's due dates as they stood at one act (only the anchors known then)."""
    return deadlines.compute_dues(
        deadlines.Anchors(received_on=p.received_on, **anchors),
        legal_calendar(),
        settings.XINFANG_DEADLINE_CONVENTION,
    )


def _steps(p: Petition, name: str) -> list[Transition]:
    return list(Transition.objects.filter(petition=p, step=name).order_by("at", "pk"))


def query_code_undelivered(p: Petition) -> bool:
    """Has the petitioner not been shown the query code? Only a matter submitted by the
    petitioner on the portal showed it to them; a letter, a visit or a hand-over registered
    by staff did not, so the acceptance notice prints it."""
    return not (p.channel == Channel.ONLINE and p.registrar_id is None)


def _acceptance(p: Petition) -> list[Draft]:
    if p.accepted_on is None:
        return []
    out = []
    for step in _steps(p, "accept")[-1:]:
        # The handling period as the acceptance set it (条例 Art. 34): 60 days from the
        # acceptance; an extension approved later is told by its own notice.
        dues = _dues_at(p, routed_on=p.routed_on, accepted_on=p.accepted_on)
        code = ""
        if query_code_undelivered(p) and p.query_code_token:
            code = crypto.open_(p.query_code_token)
        out.append(
            Draft(
                kind="acceptance",
                source=f"petitions.transition:{step.pk}",
                title="信访事项受理告知书",
                unit=p.responsible_unit,
                code="受告",
                issued_on=p.accepted_on,
                audience=PETITIONER,
                data=_data(
                    p,
                    p.responsible_unit,
                    p.accepted_on,
                    PETITIONER,
                    notice=(step.data or {}).get("notice", ""),
                    accepted_cn=cn_date(p.accepted_on),
                    handle_due_cn=_due_text(dues.handle, dues.not_before.get("handle")),
                    query_code=code,
                ),
            )
        )
    return out


def _non_acceptance(p: Petition) -> list[Draft]:
    if p.status != Status.NOT_ACCEPTED:
        return []
    out = []
    for step in _steps(p, "not_accept")[-1:]:
        day = p.closed_on or step.at.date()
        out.append(
            Draft(
                kind="non_acceptance",
                source=f"petitions.transition:{step.pk}",
                title="信访事项不予受理告知书",
                unit=p.responsible_unit,
                code="不受告",
                issued_on=day,
                audience=PETITIONER,
                data=_data(p, p.responsible_unit, day, PETITIONER, reason=step.reason),
            )
        )
    return out


def _handover(p: Petition) -> list[Draft]:
    out = []
    rows = RouteHandover.objects.filter(petition=p).select_related("from_unit", "to_unit")
    for h in rows.order_by("routed_on", "pk"):
        assign = h.mode == RouteMode.ASSIGN
        dues = _dues_at(p, routed_on=h.routed_on)
        title = "信访事项交办单" if assign else "信访事项转送单"
        out.append(
            Draft(
                kind="handover",
                source=f"petitions.routehandover:{h.pk}",
                title=title,
                unit=h.from_unit,
                code="交" if assign else "转",
                issued_on=h.routed_on,
                audience=UNIT,
                data=_data(
                    p,
                    h.from_unit,
                    h.routed_on,
                    UNIT,
                    title=title,
                    mode=h.get_mode_display(),
                    assign=assign,
                    to_unit=h.to_unit.name,
                    note=h.note,
                    report_due_cn=cn_date(h.report_due) if h.report_due else "",
                    notice_due_cn=_due_text(dues.notice, dues.not_before.get("notice")),
                ),
            )
        )
    return out


def _extension(p: Petition) -> list[Draft]:
    ext = Extension.objects.filter(petition=p).first()
    if ext is None:
        return []
    return [
        Draft(
            kind="extension",
            source=f"petitions.extension:{ext.pk}",
            title="信访事项延期办理告知书",
            unit=p.responsible_unit,
            code="延告",
            issued_on=ext.approved_on,
            audience=PETITIONER,
            data=_data(
                p,
                p.responsible_unit,
                ext.approved_on,
                PETITIONER,
                reason=ext.reason,
                days=ext.days,
                new_due_cn=cn_date(ext.new_due) if ext.new_due else "",
                accepted_cn=cn_date(p.accepted_on),
            ),
        )
    ]


def review_route_text(answer: Answer) -> str:
    """The route and deadline for review the answer must state: a 处理意见书 names the
    复查 (条例 Art. 35), a 复查意见书 the 复核 (Art. 36), a 复核意见书 its finality (Art. 36)."""
    article = "第三十五条" if answer.stage == Stage.HANDLING else "第三十六条"
    if answer.review_route:
        cited = "条例" in answer.review_route
        return answer.review_route + ("" if cited else f"（《信访工作条例》{article}）")
    days = answer.review_deadline_days or 30
    body = next_body_up(answer.unit)
    body_name = body.name if body else "上一级行政机关"
    if answer.stage == Stage.HANDLING:
        return (
            f"信访人对本处理意见不服的，可以自收到本意见书之日起{days}日内"
            f"向{body_name}请求复查（《信访工作条例》第三十五条）。"
        )
    if answer.stage == Stage.REVIEW:
        return (
            f"信访人对本复查意见不服的，可以自收到本意见书之日起{days}日内"
            f"向{body_name}请求复核（《信访工作条例》第三十六条）。"
        )
    return (
        "本复核意见为终结意见。信访人对复核意见不服，仍以同一事实和理由提出信访请求的，"
        "不再受理（《信访工作条例》第三十六条）。"
    )


def _answers(p: Petition) -> list[Answer]:
    return list(
        Answer.objects.filter(petition=p).select_related("unit").order_by("answered_on", "pk")
    )


def _answer_draft(p: Petition, answer: Answer) -> Draft:
    stage = Stage(answer.stage)
    return Draft(
        kind="answer",
        source=f"petitions.answer:{answer.pk}",
        title=ANSWER_TITLES[stage],
        unit=answer.unit,
        code=ANSWER_CODES[stage],
        issued_on=answer.answered_on,
        audience=PETITIONER,
        data=_data(
            p,
            answer.unit,
            answer.answered_on,
            PETITIONER,
            title=ANSWER_TITLES[stage],
            stage=stage.value,
            request=answer.request or p.summary,
            facts=answer.facts,
            reasons=answer.reasons,
            outcome=answer.get_outcome_display(),
            legal_basis=answer.legal_basis,
            review_route=review_route_text(answer),
        ),
    )


def _answer(p: Petition) -> list[Draft]:
    return [_answer_draft(p, a) for a in _answers(p)]


_RECEIPT_NOTES = {
    Stage.HANDLING: "信访人自收到处理意见之日起30日内可以请求复查（《信访工作条例》第三十五条）。",
    Stage.REVIEW: "信访人自收到复查意见之日起30日内可以请求复核（《信访工作条例》第三十六条）。",
    Stage.REREVIEW: "复核意见为终结意见（《信访工作条例》第三十六条）。",
}


def _receipt(p: Petition) -> list[Draft]:
    out = []
    for answer in _answers(p):
        receipt = getattr(answer, "receipt", None)
        stage = Stage(answer.stage)
        day = receipt.delivered_on if receipt else answer.answered_on
        out.append(
            Draft(
                kind="receipt",
                source=f"petitions.answer:{answer.pk}",
                title="送达回证",
                unit=answer.unit,
                code="送",
                issued_on=day,
                audience=PETITIONER,
                cites=("answer", f"petitions.answer:{answer.pk}"),
                data=_data(
                    p,
                    answer.unit,
                    receipt.delivered_on if receipt else None,
                    PETITIONER,
                    answer_title=ANSWER_TITLES[stage],
                    recipient=receipt.recipient if receipt else "",
                    method=receipt.method if receipt else "",
                    delivered_cn=cn_date(receipt.delivered_on) if receipt else "",
                    note=_RECEIPT_NOTES[stage],
                ),
            )
        )
    return out


def _completion(p: Petition) -> list[Draft]:
    answer = next((a for a in reversed(_answers(p)) if a.stage == Stage.HANDLING), None)
    if answer is None:
        return []
    reports = list(
        CompletionReport.objects.filter(petition=p).select_related("to_unit").order_by("pk")
    )
    visits = list(p.return_visits.order_by("visited_on", "pk"))
    reviewed = p.review_requests.filter(level=ReviewLevel.REVIEW).exists()

    def draft(report: CompletionReport | None) -> Draft:
        to_unit = report.to_unit if report else p.handed_down_by
        day = report.submitted_on if report else answer.answered_on
        source = (
            f"petitions.completionreport:{report.pk}" if report else f"petitions.answer:{answer.pk}"
        )
        return Draft(
            kind="completion",
            source=source,
            title="信访事项结案报告",
            unit=p.responsible_unit,
            code="结报",
            issued_on=day,
            audience=UNIT,
            data=_data(
                p,
                p.responsible_unit,
                day,
                UNIT,
                to_unit=to_unit.name if to_unit else "",
                answered_cn=cn_date(answer.answered_on),
                accepted_cn=cn_date(p.accepted_on),
                facts=answer.facts,
                outcome=answer.get_outcome_display(),
                reasons=answer.reasons,
                legal_basis=answer.legal_basis,
                rating=visits[-1].get_rating_display() if visits else "",
                reviewed=reviewed,
                report=report.text if report else "",
            ),
        )

    return [draft(r) for r in reports] if reports else [draft(None)]


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
        DocumentSpec("handover", "交办（转送）单", "documents/handover.html", UNIT, _handover),
        DocumentSpec(
            "extension", "延期办理告知书", "documents/extension.html", PETITIONER, _extension
        ),
        DocumentSpec("answer", "答复意见书", "documents/answer.html", PETITIONER, _answer),
        DocumentSpec("receipt", "送达回证", "documents/receipt.html", PETITIONER, _receipt),
        DocumentSpec("completion", "结案报告", "documents/completion.html", UNIT, _completion),
    )
}


def drafts_of(petition: Petition) -> list[Draft]:
    """Every document of the matter, issued or not, in the order of the matter's life."""
    out = [d for spec in DOCUMENTS.values() for d in spec.drafts(petition)]
    return sorted(out, key=lambda d: d.issued_on)


def supervision_notice_draft(notice: Any) -> Draft:
    """The 督办通知书 of a supervision notice (to the responsible unit; no identity). It
    keeps the number the supervision notice was given when it was issued."""
    p = notice.petition
    return Draft(
        kind="supervision_notice",
        source=f"supervision.supervisionnotice:{notice.pk}",
        title="信访事项督办通知书",
        unit=notice.supervising_unit,
        code="督",
        issued_on=notice.issued_on,
        audience=UNIT,
        number=notice.number,
        data=_data(
            p,
            notice.supervising_unit,
            notice.issued_on,
            UNIT,
            to_unit=notice.responsible_unit.name,
            reasons=notice.reasons,
            recommendation=notice.recommendation,
            answer_days=notice.answer_days,
            answer_due_cn=cn_date(notice.answer_due) if notice.answer_due else "",
        ),
    )
