"""Services for the parts of the handling recorded besides the steps (2022 《信访工作条例》):

- :func:`set_litigation_related` — the registrar's 涉法涉诉 flag (Arts. 20, 22, 28);
- :func:`record_recusal` — 回避: a staff member with an interest cannot handle the matter;
- :func:`add_co_handling`, :func:`sign_off_co_handling` — a lead unit and co-handling
  units each signing off its part (Art. 24);
- :func:`record_agreement` — a mediation or settlement agreement (Art. 33), handed to the
  dispute ledger through :func:`register_agreement_sink` (ledgers sits above petitions);
- :func:`record_aftercare` — help after closure (帮扶, Art. 37).

Each takes the acting user, runs in one transaction, re-checks the grant and writes the
audit trail, like ``services.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from xinfang.core import audit
from xinfang.core.errors import TransitionNotAllowed
from xinfang.core.models import AuditAction
from xinfang.org.access import can
from xinfang.org.models import Unit, User
from xinfang.petitions.choices import Status
from xinfang.petitions.confidentiality import check_may_receive
from xinfang.petitions.errors import GuardFailed
from xinfang.petitions.models import (
    AftercareHelp,
    Agreement,
    CoHandling,
    Petition,
    PetitionReach,
    Recusal,
)

__all__ = [
    "AGREEMENT_SINKS",
    "add_co_handling",
    "record_aftercare",
    "record_agreement",
    "record_recusal",
    "register_agreement_sink",
    "set_litigation_related",
    "sign_off_co_handling",
]

BEFORE_ACCEPTANCE = (Status.REGISTERED, Status.ROUTED, Status.OBJECTED)
HANDLING = (Status.ACCEPTED, Status.IN_HANDLING)
AFTER_CLOSURE = (Status.CLOSED, Status.FINAL)


def _visible(actor: Any, petition: Petition) -> bool:
    return Petition.objects.restrict(actor, "view").filter(pk=petition.pk).exists()


def _require_any(actor: Any, petition: Petition, actions: tuple[str, ...], *units: Unit) -> None:
    if not _visible(actor, petition) or not any(
        can(actor, action, unit.path) for action in actions for unit in units
    ):
        raise TransitionNotAllowed("您没有办理此项操作的权限")


def _text(value: str, message: str) -> str:
    if not value.strip():
        raise GuardFailed(message)
    return value.strip()


def _day(value: date | None) -> date:
    today = timezone.localdate()
    day = value or today
    if day > today:
        raise GuardFailed("日期不能晚于今天")
    return day


@transaction.atomic
def set_litigation_related(petition: Petition, *, actor: Any, value: bool, reason: str) -> Petition:
    """The registrar marks (or clears) a matter as 涉法涉诉 before it is accepted: such a
    matter goes to the 政法 body's procedure, not the ordinary one (Arts. 20, 22, 28)."""
    _require_any(
        actor, petition, ("register", "lead"), petition.registering_unit, petition.responsible_unit
    )
    if petition.status not in BEFORE_ACCEPTANCE:
        raise GuardFailed("只能在受理前标记或取消涉法涉诉")
    why = _text(reason, "请写明标记或取消涉法涉诉的理由")
    before = petition.litigation_related
    Petition.objects.filter(pk=petition.pk).update(litigation_related=value)
    petition.litigation_related = value
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=petition,
        before={"litigation_related": before},
        after={"litigation_related": value},
        detail={"reason": why},
    )
    return petition


@transaction.atomic
def record_recusal(
    petition: Petition, *, actor: Any, user: User | None = None, reason: str
) -> Recusal:
    """回避: a staff member with an interest in the matter or the petitioner declares it
    (``user`` is the actor) or a leader of the responsible unit records it; from then on
    the workflow refuses them every step of the matter (条例 Art. 28)."""
    subject = user or actor
    if not isinstance(subject, User) or subject.is_citizen:
        raise GuardFailed("请选择需回避的工作人员")
    if not _visible(actor, petition):
        raise TransitionNotAllowed("您没有办理此项操作的权限")
    self_declared = subject.pk == getattr(actor, "pk", None)
    if not self_declared:
        _require_any(actor, petition, ("lead",), petition.responsible_unit)
    why = _text(reason, "请写明回避理由")
    if Recusal.objects.filter(petition=petition, user=subject).exists():
        raise GuardFailed("该工作人员已就该事项回避")
    recusal = Recusal.objects.create(
        petition=petition,
        user=subject,
        reason=why,
        self_declared=self_declared,
        recorded_by=actor,
    )
    # A recused handler no longer handles the matter: the leader assigns another.
    Petition.objects.filter(pk=petition.pk, handler=subject).update(handler=None)
    if petition.handler_id == subject.pk:
        petition.handler = None
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=recusal,
        after={"petition": petition.pk, "user": subject.pk, "self_declared": self_declared},
    )
    return recusal


@transaction.atomic
def add_co_handling(petition: Petition, *, actor: Any, unit: Unit, part: str) -> CoHandling:
    """Name a co-handling unit of a matter for several bodies and the part it handles
    (条例 Art. 24); the responsible unit stays the lead and answers the petitioner."""
    _require_any(actor, petition, ("lead",), petition.responsible_unit)
    if petition.status not in HANDLING:
        raise GuardFailed("受理后、答复前方可确定协办单位")
    if unit.pk == petition.responsible_unit_id:
        raise GuardFailed("牵头单位不能同时为协办单位")
    check_may_receive(petition, unit, role="协办单位")  # Art. 30: never the accused
    if CoHandling.objects.filter(petition=petition, unit=unit).exists():
        raise GuardFailed("该单位已是协办单位")
    row = CoHandling.objects.create(
        petition=petition,
        unit=unit,
        part=_text(part, "请写明协办单位承担的办理事项"),
        added_by=actor,
        added_on=timezone.localdate(),
    )
    PetitionReach.objects.get_or_create(
        petition=petition, unit=unit, defaults={"unit_path": unit.path}
    )
    audit.record(
        actor=actor, action=AuditAction.CREATE, obj=row, after={"unit": unit.pk, "part": row.part}
    )
    return row


@transaction.atomic
def sign_off_co_handling(co: CoHandling, *, actor: Any, result: str) -> CoHandling:
    """The co-handling unit signs off its part (Art. 24); the lead answers once all have."""
    petition = co.petition
    _require_any(actor, petition, ("handle", "lead"), co.unit)
    if co.signed_off_on is not None:
        raise GuardFailed("该协办事项已确认办结")
    if petition.status not in HANDLING:
        raise GuardFailed("该事项已不在办理中")
    updated = CoHandling.objects.filter(pk=co.pk, signed_off_on__isnull=True).update(
        signed_off_on=timezone.localdate(),
        signed_off_by=actor,
        result=_text(result, "请填写协办事项的办理情况"),
    )
    if updated != 1:
        raise GuardFailed("该协办事项已确认办结")
    co.refresh_from_db()
    audit.record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=co,
        before={"signed_off_on": None},
        after={"signed_off_on": str(co.signed_off_on)},
    )
    return co


# Art. 33: where the agreement lands besides the matter. The dispute ledger (which sits
# above petitions and may not be imported here) registers its sink from its AppConfig.
AgreementSink = Callable[[Agreement, Any], str]
AGREEMENT_SINKS: list[AgreementSink] = []


def register_agreement_sink(sink: AgreementSink) -> None:
    """``sink(agreement, actor)`` records the agreement elsewhere and returns its number."""
    if sink not in AGREEMENT_SINKS:
        AGREEMENT_SINKS.append(sink)


@transaction.atomic
def record_agreement(
    petition: Petition,
    *,
    actor: Any,
    kind: str,
    parties: str,
    text: str,
    agreed_on: date | None = None,
) -> Agreement:
    """A mediation or settlement agreement reached while handling the matter (条例 Art. 33):
    kept on the matter and entered in the dispute ledger in the same transaction."""
    _require_any(actor, petition, ("handle", "lead"), petition.responsible_unit)
    if petition.status not in HANDLING:
        raise GuardFailed("受理后、答复前方可登记调解和解协议")
    if kind not in Agreement.Kind.values:
        raise GuardFailed("请选择调解协议或和解协议")
    day = _day(agreed_on)
    if petition.accepted_on and day < petition.accepted_on:
        raise GuardFailed("协议日期不能早于受理日期")
    agreement = Agreement.objects.create(
        petition=petition,
        kind=kind,
        parties=_text(parties, "请填写协议当事人"),
        text=_text(text, "请填写协议内容"),
        agreed_on=day,
        recorded_by=actor,
    )
    refs = [sink(agreement, actor) for sink in AGREEMENT_SINKS]
    agreement.dispute_ref = "、".join(ref for ref in refs if ref)[:40]
    agreement.save(update_fields=["dispute_ref"])
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=agreement,
        after={"kind": kind, "agreed_on": str(day), "dispute_ref": agreement.dispute_ref},
    )
    return agreement


@transaction.atomic
def record_aftercare(
    petition: Petition,
    *,
    actor: Any,
    measure: str,
    note: str = "",
    given_on: date | None = None,
) -> AftercareHelp:
    """Help given after closure (帮扶, 条例 Art. 37) by the responsible or registering unit."""
    _require_any(
        actor, petition, ("handle", "lead"), petition.responsible_unit, petition.registering_unit
    )
    if petition.status not in AFTER_CLOSURE:
        raise GuardFailed("办结或终结后方可登记帮扶（《信访工作条例》第三十七条）")
    day = _day(given_on)
    if petition.closed_on and day < petition.closed_on:
        raise GuardFailed("帮扶日期不能早于办结日期")
    unit = next(
        u
        for u in (petition.responsible_unit, petition.registering_unit)
        if can(actor, "handle", u.path) or can(actor, "lead", u.path)
    )
    help_row = AftercareHelp.objects.create(
        petition=petition,
        given_on=day,
        measure=_text(measure, "请填写帮扶措施"),
        note=note.strip(),
        unit=unit,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=help_row,
        after={"given_on": str(day), "measure": help_row.measure},
    )
    return help_row
