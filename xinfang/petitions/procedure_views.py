"""Staff actions on a matter besides its steps (2022 《信访工作条例》): the 涉法涉诉 flag
(Arts. 20, 22, 28), recusal (回避), co-handling units (Art. 24), agreements (Art. 33) and
help after closure (Art. 37). Each view carries its check; the services decide."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from xinfang.core.querysets import get_object_for_user
from xinfang.org.access import can
from xinfang.org.guards import require_roles
from xinfang.petitions import procedure
from xinfang.petitions.forms import (
    AftercareForm,
    AgreementForm,
    CoHandlingForm,
    LitigationFlagForm,
    RecusalForm,
    SignOffForm,
)
from xinfang.petitions.models import CoHandling, Petition
from xinfang.petitions.views import STAFF_ROLES, _form_action, _get
from xinfang.petitions.workflow import is_recused

__all__ = [
    "aftercare_record",
    "agreement_record",
    "co_handling_add",
    "co_handling_sign_off",
    "litigation_flag",
    "procedure_context",
    "recusal_record",
]

TEMPLATE = "petitions/_procedure_form.html"


def _may(user: Any, actions: tuple[str, ...], *units: Any) -> bool:
    return any(can(user, action, unit.path) for action in actions for unit in units)


def procedure_context(petition: Petition, user: Any) -> dict[str, Any]:
    """What the matter page shows of these records, and the forms the user may submit
    (each shown only where the service would let the user act)."""
    status = petition.status
    responsible = petition.responsible_unit
    co_rows = list(petition.co_handlers.select_related("unit", "signed_off_by"))
    handling = status in procedure.HANDLING
    recused = is_recused(user, petition)
    return {
        "recusals": petition.recusals.select_related("user"),
        "co_handlers": [
            {
                "row": row,
                "form": SignOffForm(prefix=f"so{row.pk}")
                if handling
                and row.signed_off_on is None
                and _may(user, ("handle", "lead"), row.unit)
                else None,
            }
            for row in co_rows
        ],
        "agreements": petition.agreements.all(),
        "aftercare": petition.aftercare.select_related("unit"),
        "litigation_form": LitigationFlagForm(
            prefix="lit", initial={"value": not petition.litigation_related}
        )
        if status in procedure.BEFORE_ACCEPTANCE
        and _may(user, ("register", "lead"), petition.registering_unit, responsible)
        else None,
        "recusal_form": RecusalForm(prefix="rc", petition=petition)
        if not recused and _may(user, ("handle", "lead", "register"), responsible)
        else None,
        "co_handling_form": CoHandlingForm(prefix="co", petition=petition)
        if handling and not recused and _may(user, ("lead",), responsible)
        else None,
        "agreement_form": AgreementForm(prefix="ag")
        if handling and not recused and _may(user, ("handle", "lead"), responsible)
        else None,
        "aftercare_form": AftercareForm(prefix="af")
        if status in procedure.AFTER_CLOSURE
        and _may(user, ("handle", "lead"), responsible, petition.registering_unit)
        else None,
    }


def _context(petition: Petition, name: str, title: str, button: str, **args: Any) -> Any:
    return {
        "action": reverse(f"petitions:{name}", kwargs={"pk": petition.pk, **args}),
        "title": title,
        "button": button,
    }


@require_roles(*STAFF_ROLES)
@require_POST
def litigation_flag(request: HttpRequest, pk: int) -> HttpResponse:
    """涉法涉诉: set or clear the registrar's flag before acceptance (Arts. 20, 22, 28)."""
    petition = _get(request, pk)
    return _form_action(
        request,
        petition,
        LitigationFlagForm(request.POST, prefix="lit"),
        template=TEMPLATE,
        run=lambda d: procedure.set_litigation_related(
            petition, actor=request.user, value=d["value"], reason=d["reason"]
        ),
        success="已更新涉法涉诉标记",
        context=_context(petition, "litigation_flag", "涉法涉诉标记", "保存"),
    )


@require_roles(*STAFF_ROLES)
@require_POST
def recusal_record(request: HttpRequest, pk: int) -> HttpResponse:
    """回避: declared by oneself or recorded by a leader of the responsible unit."""
    petition = _get(request, pk)
    return _form_action(
        request,
        petition,
        RecusalForm(request.POST, prefix="rc", petition=petition),
        template=TEMPLATE,
        run=lambda d: procedure.record_recusal(
            petition, actor=request.user, user=d["user"], reason=d["reason"]
        ),
        success="已登记回避",
        context=_context(petition, "recusal_record", "回避", "登记回避"),
    )


@require_roles(*STAFF_ROLES)
@require_POST
def co_handling_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Name a co-handling unit and its part (Art. 24)."""
    petition = _get(request, pk)
    return _form_action(
        request,
        petition,
        CoHandlingForm(request.POST, prefix="co", petition=petition),
        template=TEMPLATE,
        run=lambda d: procedure.add_co_handling(
            petition, actor=request.user, unit=d["unit"], part=d["part"]
        ),
        success="已确定协办单位",
        context=_context(petition, "co_handling_add", "确定协办单位", "确定"),
    )


@require_roles(*STAFF_ROLES)
@require_POST
def co_handling_sign_off(request: HttpRequest, pk: int, co_pk: int) -> HttpResponse:
    """The co-handling unit signs off its part (Art. 24)."""
    petition = _get(request, pk)
    co = get_object_for_user(
        CoHandling.objects.filter(petition=petition), request.user, action="view", pk=co_pk
    )
    return _form_action(
        request,
        petition,
        SignOffForm(request.POST, prefix=f"so{co.pk}"),
        template=TEMPLATE,
        run=lambda d: procedure.sign_off_co_handling(co, actor=request.user, result=d["result"]),
        success="已确认协办事项办结",
        context=_context(
            petition, "co_handling_sign_off", "确认协办事项办结", "确认办结", co_pk=co.pk
        ),
    )


@require_roles(*STAFF_ROLES)
@require_POST
def agreement_record(request: HttpRequest, pk: int) -> HttpResponse:
    """A mediation or settlement agreement; it also lands in the dispute ledger (Art. 33)."""
    petition = _get(request, pk)
    return _form_action(
        request,
        petition,
        AgreementForm(request.POST, prefix="ag"),
        template=TEMPLATE,
        run=lambda d: procedure.record_agreement(
            petition,
            actor=request.user,
            kind=d["kind"],
            parties=d["parties"],
            text=d["text"],
            agreed_on=d["agreed_on"],
        ),
        success="已登记协议，并录入矛盾纠纷台账",
        context=_context(petition, "agreement_record", "登记调解和解协议", "登记"),
    )


@require_roles(*STAFF_ROLES)
@require_POST
def aftercare_record(request: HttpRequest, pk: int) -> HttpResponse:
    """Help after closure (帮扶, Art. 37)."""
    petition = _get(request, pk)
    return _form_action(
        request,
        petition,
        AftercareForm(request.POST, prefix="af"),
        template=TEMPLATE,
        run=lambda d: procedure.record_aftercare(
            petition,
            actor=request.user,
            measure=d["measure"],
            note=d["note"],
            given_on=d["given_on"],
        ),
        success="已登记帮扶",
        context=_context(petition, "aftercare_record", "登记帮扶", "登记"),
    )
