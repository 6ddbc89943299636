"""Permission cases of every supervision route and of the document routes.

The document routes (``documents:*``, app ``xinfang.documents``) are registered
here as well: the documents app ships no tests package of its own.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from xinfang.org.choices import Role
from xinfang.petitions.models import Petition
from xinfang.petitions.services import PetitionerData, register_petition
from xinfang.petitions.workflow import transition
from xinfang.shell.testing import Cast, RouteCase, register
from xinfang.supervision import services


def _petition(cast: Cast, summary: str = "督办矩阵标记事项") -> Petition:
    return register_petition(
        actor=cast.user_with(Role.REGISTRAR, cast.unit_a),
        registering_unit=cast.unit_a,
        channel="letter",
        kind="appeal",
        summary=summary,
        petitioners=[PetitionerData(name="矩阵信访人", phone="13911113333")],
        propose_matches=False,
    ).petition


def _supervisor(cast: Cast) -> Any:
    return cast.user_with(Role.SUPERVISOR, cast.unit_a)


def _notice(cast: Cast) -> Any:
    p = _petition(cast, "督办通知矩阵事项")
    return services.issue_notice(
        actor=_supervisor(cast),
        petition=p,
        supervising_unit=cast.unit_a,
        reasons="NOTICE-MATRIX-MARKER",
        recommendation="NOTICE-MATRIX-MARKER",
    )


def _instruction(cast: Cast) -> Any:
    p = _petition(cast, "批示矩阵事项")
    return services.record_instruction(
        actor=_supervisor(cast),
        petition=p,
        supervising_unit=cast.unit_a,
        leader_name="矩阵领导",
        text="INSTRUCTION-MATRIX-MARKER",
        due=timezone.localdate() + timedelta(days=5),
    )


def _accepted(cast: Cast) -> Petition:
    p = _petition(cast, "文书矩阵事项")
    return transition(
        p, "accepted", actor=cast.user_with(Role.HANDLER, cast.unit_a), notice="已受理"
    )


def _not_accepted(cast: Cast) -> Petition:
    p = _petition(cast, "不予受理矩阵事项")
    return transition(
        p, "not_accepted", actor=cast.user_with(Role.HANDLER, cast.unit_a), reason="属于诉讼途径"
    )


def _job(cast: Cast) -> Any:
    from xinfang.documents.models import ExportJob
    from xinfang.documents.register import run_export_job

    _petition(cast, "导出矩阵事项")
    job = ExportJob.objects.create(requested_by=cast.user_with(Role.HANDLER, cast.unit_a))
    return run_export_job(job.pk)


def _pk(obj: Any) -> dict[str, Any]:
    return {"pk": obj.pk}


def _leaders(cast: Cast) -> dict[str, Any]:
    return {
        "leader": cast.user_with(Role.UNIT_LEADER, cast.unit_a, "matrix-unit-leader"),
        "handler": cast.user_with(Role.HANDLER, cast.unit_a, "matrix-handler"),
        "supervisor": _supervisor(cast),
    }


def _with_people(cast: Cast) -> tuple[Petition, dict[str, Any]]:
    return _petition(cast), _leaders(cast)


API = {"anonymous": "401"}

register(
    # Pages
    RouteCase(
        "supervision:record_list",
        role=Role.HANDLER,
        list_view=True,
        make=_notice,
        marker=lambda n: n.petition.summary,
    ),
    RouteCase(
        "supervision:instruction_list",
        role=Role.HANDLER,
        list_view=True,
        make=_instruction,
        marker=lambda i: i.text,
    ),
    RouteCase(
        "supervision:matter_panel",
        role=Role.HANDLER,
        make=_notice,
        kwargs=lambda n: {"pk": n.petition_id},
        marker=lambda n: n.recommendation,
    ),
    RouteCase(
        "supervision:record_create",
        role=Role.SUPERVISOR,
        make=_petition,
        kwargs=lambda p: {"pk": p.pk, "kind": "reminder"},
        method="post",
        data=lambda p: {
            "reminder-supervising_unit": p.responsible_unit_id,
            "reminder-note": "请加快",
        },
        ok_status=302,
    ),
    RouteCase(
        "supervision:record_act",
        role=Role.HANDLER,
        make=_instruction,
        kwargs=lambda i: {"kind": "instruction", "pk": i.pk},
        method="post",
        data=lambda i: {"text": "已落实"},
        ok_status=302,
    ),
    # Documents
    RouteCase("documents:document_index", role=Role.HANDLER, make=_accepted, kwargs=_pk),
    RouteCase(
        "documents:document_pdf",
        role=Role.HANDLER,
        make=_accepted,
        kwargs=lambda p: {"pk": p.pk, "kind": "acceptance"},
    ),
    RouteCase(
        "documents:document_pdf",
        role=Role.HANDLER,
        make=_not_accepted,
        id="documents:pdf-non-acceptance",
        kwargs=lambda p: {"pk": p.pk, "kind": "non_acceptance"},
    ),
    RouteCase("documents:notice_pdf", role=Role.HANDLER, make=_notice, kwargs=_pk),
    RouteCase("documents:register_page", role=Role.HANDLER, list_view=True, make=_petition),
    RouteCase(
        "documents:register_export",
        role=Role.HANDLER,
        list_view=True,
        make=_petition,
        method="post",
    ),
    RouteCase("documents:job_page", role=Role.HANDLER, make=_job, kwargs=_pk),
    RouteCase("documents:job_status", role=Role.HANDLER, make=_job, kwargs=_pk),
    RouteCase("documents:job_download", role=Role.HANDLER, make=_job, kwargs=_pk),
    # API
    RouteCase(
        "api:supervision_list",
        role=Role.HANDLER,
        list_view=True,
        make=_notice,
        marker=lambda n: n.recommendation,
        no_grant_status=200,
        **API,
    ),
    RouteCase(
        "api:supervision_instructions",
        role=Role.HANDLER,
        list_view=True,
        make=_instruction,
        marker=lambda i: i.text,
        no_grant_status=200,
        **API,
    ),
    RouteCase(
        "api:supervision_remind",
        role=Role.SUPERVISOR,
        make=_petition,
        method="post",
        data=lambda p: {
            "petition": p.pk,
            "supervising_unit": p.responsible_unit_id,
            "note": "请加快",
        },
        ok_status=201,
        **API,
    ),
    RouteCase(
        "api:supervision_notice",
        role=Role.SUPERVISOR,
        make=_petition,
        method="post",
        data=lambda p: {
            "petition": p.pk,
            "supervising_unit": p.responsible_unit_id,
            "reasons": "进度慢",
            "recommendation": "建议加快",
        },
        ok_status=201,
        **API,
    ),
    RouteCase(
        "api:supervision_listed",
        role=Role.SUPERVISOR,
        make=_with_people,
        method="post",
        data=lambda pp: {
            "petition": pp[0].pk,
            "lead_leader": pp[1]["leader"].pk,
            "responsible_unit": pp[0].responsible_unit_id,
            "responsible_person": pp[1]["handler"].pk,
            "supervising_unit": pp[0].responsible_unit_id,
            "supervisor": pp[1]["supervisor"].pk,
            "deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
            "reason": "挂牌",
        },
        ok_status=201,
        **API,
    ),
    RouteCase(
        "api:supervision_ownership",
        role=Role.SUPERVISOR,
        make=_with_people,
        method="post",
        data=lambda pp: {"petition": pp[0].pk, "leader": pp[1]["leader"].pk},
        ok_status=201,
        **API,
    ),
    RouteCase(
        "api:supervision_instruct",
        role=Role.SUPERVISOR,
        make=_petition,
        method="post",
        data=lambda p: {
            "petition": p.pk,
            "supervising_unit": p.responsible_unit_id,
            "leader_name": "县长",
            "text": "请处理",
            "due": (timezone.localdate() + timedelta(days=9)).isoformat(),
        },
        ok_status=201,
        **API,
    ),
)
