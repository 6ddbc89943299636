"""Permission cases of every petitions route (pages and API)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from xinfang.core.models import Message
from xinfang.org.choices import Role
from xinfang.petitions.choices import Status
from xinfang.petitions.models import Petition, SameMatterCandidate, WindowCheck
from xinfang.petitions.reminders import message_key
from xinfang.petitions.services import (
    PetitionerData,
    add_attachment,
    register_petition,
    start_hearing,
)
from xinfang.petitions.workflow import transition
from xinfang.shell.testing import Cast, RouteCase, register

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _petition(cast: Cast, summary: str = "权限矩阵标记事项", days_ago: int = 0) -> Petition:
    registrar = cast.user_with(Role.REGISTRAR, cast.unit_a)
    return register_petition(
        actor=registrar,
        registering_unit=cast.unit_a,
        channel="letter",
        kind="appeal",
        summary=summary,
        received_on=timezone.localdate() - timedelta(days=days_ago),
        petitioners=[PetitionerData(name="矩阵信访人", phone="13911112222")],
        propose_matches=False,
    ).petition


def _held_by_discipline(cast: Cast) -> Petition:
    """An accusation held by ``unit_a``, made a discipline body for the case."""
    from xinfang.org.models import Unit

    Unit.objects.filter(pk=cast.unit_a.pk).update(is_discipline_body=True)
    registrar = cast.user_with(Role.REGISTRAR, cast.unit_a)
    return register_petition(
        actor=registrar,
        registering_unit=cast.unit_a,
        channel="letter",
        kind="accusation",
        summary="纪检队列标记事项",
        accused_unit=cast.department,
        petitioners=[PetitionerData(name="检举人", phone="13911113333")],
        propose_matches=False,
    ).petition


def _accepted(cast: Cast) -> Petition:
    p = _petition(cast)
    return transition(p, Status.ACCEPTED, actor=cast.user_with(Role.HANDLER, cast.unit_a))


ANSWER = {
    "outcome": "support",
    "facts": "经查属实",
    "reasons": "属本镇职责",
    "legal_basis": "《信访工作条例》第三十二条",
}


def _leader(cast: Cast) -> Any:
    return cast.user_with(Role.UNIT_LEADER, cast.unit_a)


def _answered(cast: Cast) -> Petition:
    return transition(_accepted(cast), Status.ANSWERED, actor=_leader(cast), **ANSWER)


def _with_hearing(cast: Cast) -> Petition:
    p = _accepted(cast)
    start_hearing(p, actor=_leader(cast), note="矩阵听证")
    return p


def _assigned_answered(cast: Cast) -> Petition:
    registrar = cast.user_with(Role.REGISTRAR, cast.unit_a)
    p = register_petition(
        actor=registrar,
        registering_unit=cast.unit_a,
        channel="assigned",
        kind="appeal",
        summary="交办矩阵事项",
        handed_down_by=cast.county,
        report_due=timezone.localdate() + timedelta(days=40),
        petitioners=[PetitionerData(name="矩阵信访人", phone="13911112222")],
        propose_matches=False,
    ).petition
    p = transition(p, Status.ACCEPTED, actor=cast.user_with(Role.HANDLER, cast.unit_a))
    return transition(p, Status.ANSWERED, actor=_leader(cast), **ANSWER)


def _answer_kwargs(p: Petition) -> dict[str, Any]:
    return {"pk": p.pk, "answer_pk": p.answers.get().pk}


def _person_kwargs(p: Petition) -> dict[str, Any]:
    return {"pk": p.pk, "person_pk": p.petitioners.get().pk}


def _notification(cast: Cast) -> Message:
    p = _petition(cast)
    due = timezone.localdate()
    return Message.objects.create(
        key=message_key("reminder", p.pk, "route", due, cast.unit_a.pk),
        kind="reminder",
        source=f"petitions.Petition:{p.pk}",
        subject=p.number,
        data={"step": "route"},
        due=due,
        recipient_unit=cast.unit_a,
        text=f"INBOX-MARKER-{p.pk}",
    )


def _window_check(cast: Cast) -> WindowCheck:
    p = _petition(cast)
    today = timezone.localdate()
    return WindowCheck.objects.create(
        petition=p,
        kind=WindowCheck.Kind.REVIEW_REQUEST,
        due_column="review_request_due",
        made_on=today,
        not_before=today,
        real_due=today,
        outcome=WindowCheck.Outcome.LATE,
    )


def _receipt_data(p: Petition) -> dict[str, Any]:
    return {
        "delivered_on": timezone.localdate().isoformat(),
        "method": "直接送达",
        "recipient": "矩阵信访人",
    }


def _attachment(cast: Cast) -> Any:
    p = _petition(cast)
    upload = SimpleUploadedFile("材料.pdf", PDF, content_type="application/pdf")
    return add_attachment(p, actor=None, upload=upload, system=True)


def _candidate(cast: Cast) -> SameMatterCandidate:
    first = _petition(cast, "候选一")
    second = _petition(cast, "候选二")
    return SameMatterCandidate.objects.create(petition=second, candidate=first, score=80)


def _pk(obj: Any) -> dict[str, Any]:
    return {"pk": obj.pk}


def _summary(obj: Any) -> str:
    return str(obj.summary)


register(
    RouteCase(
        "petitions:petition_list",
        role=Role.HANDLER,
        list_view=True,
        make=_petition,
        marker=_summary,
    ),
    RouteCase("petitions:petition_register", role=Role.REGISTRAR, list_view=True),
    RouteCase(
        "petitions:register_matches",
        role=Role.REGISTRAR,
        list_view=True,
        make=_petition,
        marker=lambda p: p.number,
        method="post",
        data=lambda p: {"summary": p.summary},
    ),
    RouteCase(
        "petitions:due_list",
        role=Role.HANDLER,
        list_view=True,
        make=lambda cast: _petition(cast, "临期标记事项", days_ago=10),
        marker=_summary,
    ),
    RouteCase(
        "petitions:discipline_queue",
        role=Role.HANDLER,
        make=_held_by_discipline,
        marker=_summary,
    ),
    RouteCase(
        "petitions:petition_detail", role=Role.HANDLER, make=_petition, kwargs=_pk, marker=_summary
    ),
    RouteCase(
        "petitions:petition_step",
        role=Role.HANDLER,
        make=_petition,
        kwargs=lambda p: {"pk": p.pk, "name": "accept"},
        method="post",
        data=lambda p: {"accept-reason": "", "accept-notice": "已受理"},
        ok_status=302,
    ),
    RouteCase(
        "petitions:petition_extend",
        role=Role.UNIT_LEADER,
        make=_accepted,
        kwargs=_pk,
        method="post",
        data=lambda p: {"ext-days": "10", "ext-reason": "需要鉴定"},
        ok_status=302,
    ),
    RouteCase(
        "petitions:attachment_upload",
        role=Role.HANDLER,
        make=_petition,
        kwargs=_pk,
        method="post",
        ok_status=302,
    ),
    RouteCase("petitions:attachment_download", role=Role.HANDLER, make=_attachment, kwargs=_pk),
    RouteCase(
        "petitions:candidate_decide",
        role=Role.REGISTRAR,
        make=_candidate,
        kwargs=lambda c: {"pk": c.pk, "decision": "dismiss"},
        method="post",
        ok_status=302,
    ),
    RouteCase(
        "petitions:hearing_start",
        role=Role.UNIT_LEADER,
        make=_accepted,
        kwargs=_pk,
        method="post",
        data=lambda p: {"hs-note": "组织听证"},
        ok_status=302,
    ),
    RouteCase(
        "petitions:hearing_end",
        role=Role.UNIT_LEADER,
        make=_with_hearing,
        kwargs=_pk,
        method="post",
        ok_status=302,
    ),
    RouteCase(
        "petitions:delivery_record",
        role=Role.HANDLER,
        make=_answered,
        kwargs=_answer_kwargs,
        method="post",
        data=lambda p: {f"dlv{p.answers.get().pk}-{k}": v for k, v in _receipt_data(p).items()},
        ok_status=302,
    ),
    RouteCase(
        "petitions:evidence_add",
        role=Role.HANDLER,
        make=_accepted,
        kwargs=_pk,
        method="post",
        data=lambda p: {"ev-description": "现场照片"},
        ok_status=302,
    ),
    RouteCase(
        "petitions:completion_report",
        role=Role.UNIT_LEADER,
        make=_assigned_answered,
        kwargs=_pk,
        method="post",
        data=lambda p: {"cr-text": "已办结，信访人满意"},
        ok_status=302,
    ),
    RouteCase(
        "petitions:petitioner_reveal",
        role=Role.HANDLER,
        make=_petition,
        kwargs=_person_kwargs,
        method="post",
        marker=lambda p: "13911112222",
    ),
    RouteCase(
        # The old address of the inbox: sends every petitions role on to org:inbox.
        "petitions:inbox",
        role=Role.HANDLER,
        list_view=True,
        ok_status=302,
        no_grant_status=404,
    ),
    RouteCase(
        "org:inbox",
        role=Role.HANDLER,
        list_view=True,
        make=_notification,
        marker=lambda n: n.text,
        no_grant_status=200,
    ),
    RouteCase(
        "org:inbox_read",
        role=Role.HANDLER,
        make=_notification,
        method="post",
        data=lambda n: {"id": n.pk},
        ok_status=302,
    ),
    RouteCase(
        "petitions:window_check_list",
        role=Role.HANDLER,
        list_view=True,
        make=_window_check,
        marker=lambda c: c.petition.number,
    ),
    RouteCase(
        "petitions:window_check_decide",
        role=Role.HANDLER,
        make=_window_check,
        kwargs=_pk,
        method="post",
        data=lambda c: {"decision": "keep", "note": "邮寄在途"},
        ok_status=302,
    ),
    # API
    RouteCase(
        "api:petitions_list",
        role=Role.HANDLER,
        list_view=True,
        make=lambda cast: _petition(cast, "API-LIST-MARKER"),
        marker=_summary,
        anonymous="401",
        no_grant_status=200,
    ),
    RouteCase(
        "api:petitions_due",
        role=Role.HANDLER,
        list_view=True,
        make=lambda cast: _petition(cast, "API-DUE-MARKER", days_ago=10),
        marker=_summary,
        anonymous="401",
        no_grant_status=200,
    ),
    RouteCase(
        "api:petitions_detail",
        role=Role.HANDLER,
        make=lambda cast: _petition(cast, "API-DETAIL-MARKER"),
        kwargs=_pk,
        marker=_summary,
        anonymous="401",
    ),
    RouteCase(
        "api:petitions_create",
        role=Role.REGISTRAR,
        make=lambda cast: cast.unit_a,
        method="post",
        data=lambda unit: {
            "registering_unit": unit.pk,
            "channel": "letter",
            "kind": "suggestion",
            "summary": "接口登记",
            "petitioners": [{"name": "接口信访人", "phone": "13922223333"}],
        },
        ok_status=201,
        anonymous="401",
    ),
    RouteCase(
        "api:petitions_timeline",
        role=Role.HANDLER,
        make=_petition,
        kwargs=_pk,
        anonymous="401",
    ),
    RouteCase(
        "api:petitions_transition",
        role=Role.HANDLER,
        make=_petition,
        kwargs=_pk,
        method="post",
        data=lambda p: {"to": "accepted", "reason": "", "payload": {"notice": "已受理"}},
        anonymous="401",
    ),
    RouteCase(
        "api:petitions_attach",
        role=Role.HANDLER,
        make=_petition,
        kwargs=_pk,
        method="post",
        ok_status=400,
        anonymous="401",
    ),
    RouteCase(
        "api:petitions_download",
        role=Role.HANDLER,
        make=_attachment,
        kwargs=_pk,
        anonymous="401",
    ),
    RouteCase(
        "api:petitions_hearing_start",
        role=Role.UNIT_LEADER,
        make=_accepted,
        kwargs=_pk,
        method="post",
        data=lambda p: {"note": "接口听证"},
        ok_status=201,
        anonymous="401",
    ),
    RouteCase(
        "api:petitions_hearing_end",
        role=Role.UNIT_LEADER,
        make=_with_hearing,
        kwargs=_pk,
        method="post",
        anonymous="401",
    ),
    RouteCase(
        "api:petitions_receipt",
        role=Role.HANDLER,
        make=_answered,
        kwargs=_answer_kwargs,
        method="post",
        data=_receipt_data,
        ok_status=201,
        anonymous="401",
    ),
    RouteCase(
        # JSON carries no multipart description: the granted user reaches the service (400);
        # the multipart success path is in test_api.py.
        "api:petitions_evidence",
        role=Role.HANDLER,
        make=_accepted,
        kwargs=_pk,
        method="post",
        ok_status=400,
        anonymous="401",
    ),
    RouteCase(
        "api:petitions_completion_report",
        role=Role.UNIT_LEADER,
        make=_assigned_answered,
        kwargs=_pk,
        method="post",
        data=lambda p: {"text": "已办结"},
        ok_status=201,
        anonymous="401",
    ),
    RouteCase(
        "api:petitions_notifications",
        role=Role.HANDLER,
        list_view=True,
        make=_notification,
        marker=lambda n: n.text,
        anonymous="401",
        no_grant_status=200,
    ),
    RouteCase(
        # Ids outside the caller's inbox are ignored (200, nothing marked), like a list.
        "api:petitions_notifications_read",
        role=Role.HANDLER,
        list_view=True,
        make=_notification,
        method="post",
        data=lambda n: {"ids": [n.pk]},
        anonymous="401",
        no_grant_status=200,
    ),
)


def _co_handled(cast: Cast) -> Any:
    from xinfang.petitions.procedure import add_co_handling

    p = _accepted(cast)
    return add_co_handling(p, actor=_leader(cast), unit=cast.village_a, part="核实村道积水")


def _closed(cast: Cast) -> Petition:
    return transition(
        _answered(cast), Status.CLOSED, actor=cast.user_with(Role.HANDLER, cast.unit_a)
    )


register(
    RouteCase(
        "petitions:litigation_flag",
        role=Role.REGISTRAR,
        make=_petition,
        kwargs=_pk,
        method="post",
        data=lambda p: {"lit-value": "on", "lit-reason": "不服法院判决"},
        ok_status=302,
    ),
    RouteCase(
        "petitions:recusal_record",
        role=Role.HANDLER,
        make=_petition,
        kwargs=_pk,
        method="post",
        data=lambda p: {"rc-reason": "信访人是本人近亲属"},
        ok_status=302,
    ),
    RouteCase(
        "petitions:co_handling_add",
        role=Role.UNIT_LEADER,
        make=_accepted,
        kwargs=_pk,
        method="post",
        data=lambda p: {"co-unit": p.responsible_unit.children.first().pk, "co-part": "核实"},
        ok_status=302,
    ),
    RouteCase(
        "petitions:co_handling_sign_off",
        role=Role.HANDLER,
        make=_co_handled,
        kwargs=lambda co: {"pk": co.petition_id, "co_pk": co.pk},
        method="post",
        data=lambda co: {f"so{co.pk}-result": "积水已排除"},
        ok_status=302,
    ),
    RouteCase(
        "petitions:agreement_record",
        role=Role.HANDLER,
        make=_accepted,
        kwargs=_pk,
        method="post",
        data=lambda p: {"ag-kind": "mediation", "ag-parties": "甲、乙", "ag-text": "疏通排水沟"},
        ok_status=302,
    ),
    RouteCase(
        "petitions:aftercare_record",
        role=Role.HANDLER,
        make=_closed,
        kwargs=_pk,
        method="post",
        data=lambda p: {"af-measure": "协调临时救助"},
        ok_status=302,
    ),
)
