"""Writes of the petitions app. Each service takes the acting user, runs in one transaction,
checks the grant, and writes the audit trail. Status changes go through
:func:`xinfang.petitions.workflow.transition`.

Public entry points (other apps call these):

- :func:`register_petition` — staff registration, portal submission, Open311 creation.
- :func:`find_by_query_code` — the citizen's lookup (code + phone).
- :func:`add_attachment`, :func:`extend_handling`, :func:`start_hearing`,
  :func:`end_hearing`, :func:`record_delivery`, :func:`add_evidence`,
  :func:`submit_completion_report`, :func:`recompute_deadlines`.
- :func:`reveal_petitioner` (full personal data, audited), :func:`mark_notifications_read`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from xinfang.core import audit, crypto
from xinfang.core.audit import snapshot
from xinfang.core.calendar import LegalCalendar, legal_calendar
from xinfang.core.errors import TamperedCiphertext, TransitionNotAllowed
from xinfang.core.models import AuditAction
from xinfang.core.personal_data import digest_for, reveal
from xinfang.org.access import can
from xinfang.org.models import Unit, User
from xinfang.petitions import deadlines
from xinfang.petitions.attachments import check_upload, store_bytes
from xinfang.petitions.choices import (
    AttachmentStage,
    Channel,
    HandlingProcedure,
    Kind,
    PetitionerRole,
    Stage,
    Status,
)
from xinfang.petitions.confidentiality import (
    discipline_paths,
    inside_accused,
    personal_data_revealable,
)
from xinfang.petitions.errors import GuardFailed, PetitionError
from xinfang.petitions.models import (
    Answer,
    Attachment,
    CompletionReport,
    DeliveryReceipt,
    Evidence,
    Extension,
    Hearing,
    MatterType,
    Petition,
    Petitioner,
    PetitionReach,
)
from xinfang.petitions.models.matter import _new_query_code
from xinfang.petitions.units import territorial_level
from xinfang.petitions.windows import settle_window_checks
from xinfang.petitions.workflow import apply_dues, record_action, take_in_state_step

__all__ = [
    "PetitionerData",
    "Registration",
    "RevealedPersonalData",
    "add_attachment",
    "add_evidence",
    "end_hearing",
    "extend_handling",
    "find_by_query_code",
    "hearing_stage",
    "query_code_hash",
    "recompute_deadlines",
    "record_delivery",
    "register_petition",
    "reveal_petitioner",
    "stage_unit",
    "start_hearing",
    "submit_completion_report",
]

MAX_REPRESENTATIVES = 5  # 条例 Art. 20


@dataclass(frozen=True)
class PetitionerData:
    """One person on a new matter (input to :func:`register_petition`)."""

    name: str
    phone: str = ""
    id_number: str = ""
    address: str = ""
    role: str = PetitionerRole.PRIMARY
    wants_confidentiality: bool = False


@dataclass
class Registration:
    """What :func:`register_petition` returns.

    ``query_code`` is the citizen's code in clear (shown once; only its hash is stored);
    ``created`` is false when an idempotent retry returned the existing matter.
    """

    petition: Petition
    query_code: str
    created: bool
    candidates: list[Any] = field(default_factory=list)


# What a hand-typed code may hold for its Crockford characters (O for 0, I or L for 1).
_CODE_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def query_code_hash(code: str) -> str:
    """The stored, searchable form of a query code (normalised: no dashes or spaces, upper
    case, look-alike letters read as the digits they stand for)."""
    normalized = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    normalized = normalized.translate(_CODE_LOOKALIKES)
    return hashlib.sha256(("xinfang-query:" + normalized).encode()).hexdigest()


def _submission_digest(summary: str, phone_digest: str, unit_pk: int) -> str:
    return hashlib.sha256(f"{unit_pk}|{phone_digest}|{summary.strip()}".encode()).hexdigest()


def _check_registrar(actor: Any, unit: Unit, channel: str) -> None:
    if actor is not None and getattr(actor, "is_authenticated", False) and not actor.is_citizen:
        if not can(actor, "register", unit.path):
            raise TransitionNotAllowed("您没有在该单位登记信访事项的权限")
        return
    # A citizen (portal) or a system caller (Open311 with its API key) submits online only.
    if channel != Channel.ONLINE:
        raise TransitionNotAllowed("网上提交只能登记为网上信访")


def _validate(
    *,
    channel: str,
    kind: str,
    summary: str,
    petitioners: Sequence[PetitionerData],
    head_count: int | None,
    accused_unit: Unit | None,
    accused_person: str,
    received_on: date,
    today: date,
    handed_down_by: Unit | None,
    registering_unit: Unit,
) -> None:
    if channel not in Channel.values:
        raise PetitionError("请选择信访形式")
    if kind not in Kind.values:
        raise PetitionError("请选择信访类别")
    if not summary.strip():
        raise PetitionError("请填写内容摘要")
    if not petitioners:
        raise PetitionError("请至少填写一名信访人")
    if received_on > today:
        raise PetitionError("收到日期不能晚于今天")
    representatives = [p for p in petitioners if p.role == PetitionerRole.REPRESENTATIVE]
    if channel == Channel.COLLECTIVE_VISIT:
        # Art. 20: a collective visit elects at most five representatives.
        if not head_count or head_count < 2:
            raise PetitionError("集体来访须填写来访人数（2人以上）")
        if len(representatives) > MAX_REPRESENTATIVES:
            raise PetitionError(
                "多人采用走访形式提出同一信访事项的，推选的代表不得超过5人（第二十条）"
            )
    elif representatives and channel != Channel.COLLECTIVE_VISIT and len(representatives) > 5:
        raise PetitionError("代表不得超过5人")
    if kind == Kind.ACCUSATION:
        if accused_unit is None and not accused_person.strip():
            raise PetitionError("检举控告类事项须写明被检举控告的单位或人员")
        if accused_unit is not None and inside_accused(
            registering_unit.path, accused_unit.path, discipline_paths()
        ):
            raise PetitionError(
                "检举控告材料不得交由被检举控告的单位处理（第三十条）："
                "请由其上级信访部门或纪检监察机关登记"
            )
    if channel in (Channel.FORWARDED, Channel.ASSIGNED) and handed_down_by is None:
        raise PetitionError("上级转送、交办的事项须选择转交办机关")
    for person in petitioners:
        if not person.name.strip():
            raise PetitionError("信访人姓名不能为空")


@transaction.atomic
def register_petition(
    *,
    actor: Any,
    registering_unit: Unit,
    channel: str,
    kind: str,
    summary: str,
    petitioners: Sequence[PetitionerData],
    full_text: str = "",
    received_on: date | None = None,
    matter_type: MatterType | None = None,
    place: str = "",
    head_count: int | None = None,
    accused_unit: Unit | None = None,
    accused_person: str = "",
    accused_user: User | None = None,
    handed_down_by: Unit | None = None,
    report_due: date | None = None,
    source_reference: str = "",
    idempotency_key: str | None = None,
    attachments: Iterable[Any] = (),
    propose_matches: bool = True,
    sms_opt_in: bool = False,
    litigation_related: bool = False,
    lat: float | None = None,
    lon: float | None = None,
) -> Registration:
    """Register a matter the day it arrives (条例 Art. 18–21), whatever its channel.

    Serves staff registration (``actor`` holds "register" on ``registering_unit``), the
    citizen portal and Open311 (``actor`` is the citizen or ``None``; channel must be
    online). ``idempotency_key`` makes an online submission durable and idempotent: a retry
    with the same key and the same content returns the first matter and its query code;
    a different submission under a used key is refused. The query code (128 random bits)
    is returned in clear once and stored as a hash (plus, sealed, for idempotent retries);
    the primary petitioner's phone digest is kept for the code + phone lookup. ``sms_opt_in``:
    the petitioner agreed to SMS about the matter's steps (kept only with a phone).
    ``litigation_related`` is the registrar's 涉法涉诉 flag; a matter type that implies it
    sets it too (Arts. 20, 22, 28: such a matter is not accepted as an ordinary petition).
    First-question
    responsibility: the matter stays with ``registering_unit`` until handed over.
    """
    today = timezone.localdate()
    received_on = received_on or today
    _check_registrar(actor, registering_unit, channel)
    petitioners = list(petitioners)
    _validate(
        channel=channel,
        kind=kind,
        summary=summary,
        petitioners=petitioners,
        head_count=head_count,
        accused_unit=accused_unit,
        accused_person=accused_person,
        received_on=received_on,
        today=today,
        handed_down_by=handed_down_by,
        registering_unit=registering_unit,
    )
    if (lat is None) != (lon is None) or (
        lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180)
    ):
        raise PetitionError("位置须同时给出有效的纬度和经度")
    primary_phone = next((p.phone for p in petitioners if p.phone), "")
    phone_digest = digest_for("phone", primary_phone) if primary_phone else ""
    fingerprint = _submission_digest(summary, phone_digest, registering_unit.pk)
    if idempotency_key:
        existing = Petition.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if not hmac.compare_digest(existing.submission_digest, fingerprint):
                raise PetitionError("该提交编号已被使用，请刷新页面后重新提交")
            code = crypto.open_(existing.query_code_token) if existing.query_code_token else ""
            return Registration(existing, code, created=False)

    code = _new_query_code()
    petition = Petition(
        channel=channel,
        kind=kind,
        matter_type=matter_type,
        place=place,
        lat=lat,
        lon=lon,
        summary=summary.strip(),
        full_text=full_text,
        received_on=received_on,
        head_count=head_count,
        accused_unit=accused_unit if kind == Kind.ACCUSATION or accused_unit else None,
        accused_person=accused_person.strip(),
        accused_user=accused_user,
        is_confidential=any(p.wants_confidentiality for p in petitioners),
        registering_unit=registering_unit,
        registrar=actor if isinstance(actor, User) and not actor.is_citizen else None,
        responsible_unit=registering_unit,
        handed_down_by=handed_down_by,
        source_reference=source_reference,
        report_due_given=report_due if channel == Channel.ASSIGNED else None,
        report_required=channel == Channel.ASSIGNED,
        query_code_hash=query_code_hash(code),
        query_code_token=crypto.seal(code),
        contact_phone_digest=phone_digest,
        idempotency_key=idempotency_key or None,
        submission_digest=fingerprint,
        level_reached=territorial_level(registering_unit),
        sms_opt_in=sms_opt_in and bool(primary_phone),
        litigation_related=litigation_related
        or bool(matter_type is not None and matter_type.litigation_related),
    )
    apply_dues(petition, today=today)
    try:
        with transaction.atomic():
            petition.save()
    except IntegrityError as exc:
        # Two identical submissions raced on the idempotency key: return the winner.
        if idempotency_key:
            existing = Petition.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None and existing.submission_digest == fingerprint:
                return Registration(existing, crypto.open_(existing.query_code_token), False)
        raise PetitionError("登记失败，请重试") from exc
    Petition.objects.filter(pk=petition.pk).update(number=f"XF{received_on:%Y}{petition.pk:07d}")
    petition.number = f"XF{received_on:%Y}{petition.pk:07d}"
    for person in petitioners:
        row = Petitioner(
            petition=petition,
            role=person.role,
            name=person.name.strip(),
            wants_confidentiality=person.wants_confidentiality,
        )
        row.address = person.address
        row.phone = person.phone
        row.id_number = person.id_number
        row.save()
    units = {registering_unit.pk: registering_unit}
    if handed_down_by is not None:
        units[handed_down_by.pk] = handed_down_by
    for unit in units.values():
        PetitionReach.objects.create(petition=petition, unit=unit, unit_path=unit.path)
    audit.record(
        actor=actor if isinstance(actor, User) else None,
        action=AuditAction.CREATE,
        obj=petition,
        after=snapshot(petition, ["number", "channel", "kind", "status", "received_on"]),
    )
    record_action(
        petition,
        name="register",
        actor=actor,
        payload={"channel": channel},
        as_petitioner=actor is None or getattr(actor, "is_citizen", False),
    )
    for upload in attachments:
        add_attachment(petition, actor=actor, upload=upload, system=True)
    candidates: list[Any] = []
    if propose_matches:
        from xinfang.petitions.linking import propose_candidates

        candidates = propose_candidates(petition, actor=actor)
    return Registration(petition, code, created=True, candidates=candidates)


def find_by_query_code(code: str, phone: str) -> Petition | None:
    """The citizen's lookup: the matter with this query code *and* this contact phone.

    Unknown code and wrong phone both give ``None`` (the caller answers them alike and
    rate-limits). The phone is compared by its keyed digest, in constant time.
    """
    try:
        phone_digest = digest_for("phone", phone)
    except Exception:  # an invalid phone is just a failed lookup
        return None
    petition = (
        Petition.objects.select_related("responsible_unit", "registering_unit")
        .filter(query_code_hash=query_code_hash(code))
        .first()
    )
    if petition is None or not petition.contact_phone_digest:
        return None
    if not hmac.compare_digest(petition.contact_phone_digest, phone_digest):
        return None
    return petition


def _in_scope(actor: Any, petition: Petition) -> bool:
    return Petition.objects.restrict(actor, "view").filter(pk=petition.pk).exists()


def _require_grant(actor: Any, action: str, petition: Petition, unit: Unit | None = None) -> None:
    unit = unit or petition.responsible_unit
    if not _in_scope(actor, petition) or not can(actor, action, unit.path):
        raise TransitionNotAllowed("您没有办理此项操作的权限")


@transaction.atomic
def add_attachment(
    petition: Petition,
    *,
    actor: Any,
    upload: Any,
    stage: str = AttachmentStage.INTAKE,
    system: bool = False,
) -> Attachment:
    """Store one file on a matter after checking its type by content and its size.

    ``system=True`` is used by :func:`register_petition` (the registrar's grant was checked
    there); otherwise the actor needs "register" or "handle" on the matter's chain.
    """
    if not system and not any(
        can(actor, action, unit.path)
        for action in ("register", "handle")
        for unit in (petition.registering_unit, petition.responsible_unit)
    ):
        raise TransitionNotAllowed("您没有为该事项上传材料的权限")
    if not system and not _in_scope(actor, petition):
        raise TransitionNotAllowed("您没有为该事项上传材料的权限")
    checked = check_upload(upload, getattr(upload, "size", None))
    name = str(getattr(upload, "name", "") or "attachment").replace("\\", "/").split("/")[-1]
    attachment = Attachment(
        petition=petition,
        stage=stage if stage in AttachmentStage.values else AttachmentStage.INTAKE,
        original_name=name[:200],
        content_type=checked.content_type,
        extension=checked.extension,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor if isinstance(actor, User) else None,
    )
    upload.seek(0)
    content, attachment.encrypted = store_bytes(upload.read())
    attachment.file.save("upload", ContentFile(content), save=False)
    attachment.save()
    audit.record(
        actor=actor if isinstance(actor, User) else None,
        action=AuditAction.CREATE,
        obj=attachment,
        after={"petition": petition.pk, "size": checked.size, "type": checked.extension},
    )
    return attachment


@transaction.atomic
def extend_handling(
    petition: Petition,
    *,
    actor: Any,
    days: int,
    reason: str,
    late_reason: str = "",
    occurred_on: date | None = None,
    occurred_reason: str = "",
    backlog: Any = None,
) -> Extension:
    """The one extension of the handling period, at most 30 days, approved by the unit
    leader, its reason told to the petitioner (条例 Art. 34).

    Approved after the 60 days ran out, it needs a recorded ``late_reason`` and stays
    flagged (``Extension.is_late``). ``occurred_on`` is the real approval date of a paper
    backlog (with ``occurred_reason``; checked by the workflow like every step's);
    ``backlog`` (a ``workflow.backlog.BacklogImport``) enters it from the general register."""
    if backlog is None:
        _require_grant(actor, "lead", petition)
    if petition.status not in (Status.ACCEPTED, Status.IN_HANDLING):
        raise GuardFailed("只有受理后、答复前的事项可以延期")
    if Extension.objects.filter(petition=petition).exists() or petition.extension_days:
        raise GuardFailed("办理期限只能延长一次（《信访工作条例》第三十四条）")
    if not 1 <= int(days) <= deadlines.MAX_EXTENSION_DAYS:
        raise GuardFailed("延长期限不得超过30日（《信访工作条例》第三十四条）")
    if not reason.strip():
        raise GuardFailed("请写明延期理由，该理由将告知信访人")
    if petition.handling_procedure != HandlingProcedure.PETITION:
        raise GuardFailed("按其他法定程序办理的事项适用该程序的期限，不适用第三十四条的延期")
    approved_on = occurred_on or timezone.localdate()
    old_due = petition.handle_due
    late = old_due is not None and approved_on > old_due
    if late and not late_reason.strip():
        raise GuardFailed(
            f"办理期限已于{old_due}届满：逾期后延期须写明逾期延期的理由（《信访工作条例》第三十四条）"
        )
    take_in_state_step(
        petition,
        "extend",
        actor=actor,
        reason=reason.strip(),
        extension_days=int(days),
        late_reason=late_reason.strip() if late else "",
        occurred_on=occurred_on,
        occurred_reason=occurred_reason,
        backlog=backlog,
    )
    extension = Extension.objects.create(
        petition=petition,
        days=int(days),
        reason=reason.strip(),
        approved_by=actor,
        approved_on=approved_on,
        old_due=old_due,
        new_due=petition.handle_due,
        is_late=late,
        late_reason=late_reason.strip() if late else "",
    )
    return extension


_HEARING_STAGE: dict[str, str] = {
    Status.IN_HANDLING: Stage.HANDLING,
    Status.ACCEPTED: Stage.HANDLING,
    Status.REVIEW_REQUESTED: Stage.REVIEW,
    Status.REREVIEW_REQUESTED: Stage.REREVIEW,
}


def hearing_stage(petition: Petition) -> str:
    """The clock a hearing opened now belongs to ("" when no hearing can be held)."""
    return _HEARING_STAGE.get(petition.status, "")


def stage_unit(petition: Petition, stage: str) -> Unit:
    """The unit whose leader holds a hearing of ``stage`` (the responsible or reviewing body)."""
    if stage == Stage.HANDLING:
        return petition.responsible_unit
    level = "review" if stage == Stage.REVIEW else "rereview"
    request = petition.review_requests.select_related("reviewing_unit").get(level=level)
    return request.reviewing_unit


@transaction.atomic
def start_hearing(
    petition: Petition, *, actor: Any, started_on: date | None = None, note: str = ""
) -> Hearing:
    """Open a hearing (听证). In re-review its days are not counted (条例 Art. 36)."""
    stage = hearing_stage(petition)
    if not stage:
        raise GuardFailed("当前阶段不能组织听证")
    _require_grant(actor, "lead", petition, stage_unit(petition, stage))
    if petition.hearing_open or petition.hearings.filter(ended_on__isnull=True).exists():
        raise GuardFailed("已有听证尚未结束")
    today = timezone.localdate()
    started_on = started_on or today
    if started_on > today:
        raise GuardFailed("听证开始日期不能晚于今天")
    take_in_state_step(
        petition, "hearing_start", actor=actor, reason=note, stage=stage, started_on=started_on
    )
    return Hearing.objects.create(petition=petition, stage=stage, started_on=started_on, note=note)


@transaction.atomic
def end_hearing(petition: Petition, *, actor: Any, ended_on: date | None = None) -> Hearing:
    """Close the open hearing; in re-review its days extend the opinion's due date."""
    hearing = petition.hearings.filter(ended_on__isnull=True).order_by("-pk").first()
    if hearing is None:
        raise GuardFailed("没有进行中的听证")
    _require_grant(actor, "lead", petition, stage_unit(petition, hearing.stage))
    today = timezone.localdate()
    ended_on = ended_on or today
    if ended_on < hearing.started_on or ended_on > today:
        raise GuardFailed("听证结束日期无效")
    pause = 0
    if hearing.stage == Stage.REREVIEW:
        # Art. 36: time spent on the hearing is not counted in the 30 days.
        pause = (ended_on - hearing.started_on).days + 1
    take_in_state_step(petition, "hearing_end", actor=actor, stage=hearing.stage, paused_days=pause)
    hearing.ended_on = ended_on
    hearing.save(update_fields=["ended_on"])
    return hearing


@transaction.atomic
def record_delivery(
    answer: Answer, *, actor: Any, delivered_on: date, method: str, recipient: str
) -> DeliveryReceipt:
    """送达回证: the day the petitioner received the written answer starts the review window
    (Art. 35); for a review opinion, the re-review window (Art. 36). A re-review opinion is
    final: its receipt is recorded but starts no window."""
    petition = answer.petition
    _require_grant(actor, "handle", petition, answer.unit)
    today = timezone.localdate()
    if delivered_on > today or delivered_on < answer.answered_on:
        raise GuardFailed("送达日期须在答复日期之后、今天之前")
    method, recipient = method.strip(), recipient.strip()
    if not method or not recipient:
        raise GuardFailed("请填写送达方式和受送达人")
    if DeliveryReceipt.objects.filter(answer=answer).exists():
        raise GuardFailed("该意见已登记送达")
    receipt = DeliveryReceipt.objects.create(
        answer=answer,
        petition=petition,
        delivered_on=delivered_on,
        method=method,
        recipient=recipient,
        recorded_by=actor,
    )
    anchor = {Stage.HANDLING: "answer_delivered_on", Stage.REVIEW: "review_delivered_on"}.get(
        Stage(answer.stage)
    )
    if anchor is not None:
        take_in_state_step(
            petition, "delivery", actor=actor, anchor=anchor, delivered_on=delivered_on
        )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=receipt,
        after={"delivered_on": str(delivered_on)},
    )
    return receipt


@transaction.atomic
def add_evidence(
    petition: Petition,
    *,
    actor: Any,
    description: str,
    attachment: Attachment | None = None,
    upload: Any = None,
) -> Evidence:
    """佐证材料 of the handling: a description and optionally a file (an existing attachment
    of the matter, or ``upload``, stored as an evidence attachment in the same transaction).
    Only once the matter was accepted: evidence shows how it was handled."""
    _require_grant(actor, "handle", petition)
    if petition.accepted_on is None:
        raise GuardFailed("受理后方可提交佐证材料")
    if not description.strip():
        raise GuardFailed("请填写佐证材料说明")
    if attachment is not None and attachment.petition_id != petition.pk:
        raise GuardFailed("附件不属于该事项")
    if upload is not None:
        if attachment is not None:
            raise GuardFailed("请只选择一个附件")
        attachment = add_attachment(
            petition, actor=actor, upload=upload, stage=AttachmentStage.EVIDENCE
        )
    evidence = Evidence.objects.create(
        petition=petition, description=description.strip(), attachment=attachment, added_by=actor
    )
    audit.record(actor=actor, action=AuditAction.CREATE, obj=evidence)
    return evidence


@transaction.atomic
def submit_completion_report(petition: Petition, *, actor: Any, text: str) -> CompletionReport:
    """结案报告 to the office that handed the matter down (assigned matters)."""
    _require_grant(actor, "lead", petition)
    if petition.answered_on is None:
        raise GuardFailed("答复后方可报送结案报告")
    if not text.strip():
        raise GuardFailed("请填写结案报告内容")
    handover = petition.handovers.filter(to_unit=petition.responsible_unit).order_by("-pk").first()
    to_unit = petition.handed_down_by or (handover.from_unit if handover else None)
    if to_unit is None:
        raise GuardFailed("该事项没有转交办机关，无需报送结案报告")
    today = timezone.localdate()
    report = CompletionReport.objects.create(
        petition=petition,
        handover=handover,
        to_unit=to_unit,
        text=text.strip(),
        submitted_by=actor,
        submitted_on=today,
    )
    take_in_state_step(petition, "completion_report", actor=actor, to_unit=to_unit.pk)
    return report


@dataclass(frozen=True)
class RevealedPersonalData:
    """The full personal data of one petitioner, as :func:`reveal_petitioner` read it.

    ``damaged`` names the values whose ciphertext failed authentication (changed in the
    database): they read as empty and the page says so instead of failing.
    """

    petitioner: Petitioner
    phone: str
    id_number: str
    address: str = ""
    damaged: tuple[str, ...] = ()


@transaction.atomic
def reveal_petitioner(
    petitioner: Petitioner, *, actor: Any, reason: str = ""
) -> RevealedPersonalData:
    """Decrypt the full phone, ID number and address of a petitioner for staff who need them.

    Allowed by :func:`confidentiality.personal_data_revealable` on a matter in the actor's
    scope; refused alike (``TransitionNotAllowed``, a 404 to the caller) otherwise. Each
    value read writes a ``pii_read`` audit entry (``core.personal_data.reveal``), a value
    that fails to decrypt too (marked ``failed``), and it is reported in ``damaged``.
    """
    petition = petitioner.petition
    if not _in_scope(actor, petition) or not personal_data_revealable(actor, petitioner):
        raise TransitionNotAllowed("您没有查看该信访人完整信息的权限")
    why = reason.strip() or f"办理信访事项 {petition.number}"
    values: dict[str, str] = {}
    damaged: list[str] = []
    for name in ("phone", "id_number", "address"):
        try:
            values[name] = reveal(petitioner, name, actor=actor, reason=why)
        except TamperedCiphertext:
            values[name] = ""
            damaged.append(name)
    return RevealedPersonalData(petitioner=petitioner, damaged=tuple(damaged), **values)


# Columns apply_dues() writes; a recomputation that leaves them equal writes nothing.
DUE_COLUMNS = (
    "route_due",
    "objection_due",
    "objection_decision_due",
    "notice_due",
    "handle_due",
    "report_due",
    "review_request_due",
    "review_due",
    "rereview_request_due",
    "rereview_due",
    "next_due",
    "next_due_step",
    "deadline_pending",
    "deadline_notice",
    "provisional_dues",
    "next_due_not_before",
    "is_overdue",
    "overdue_since",
)


def recompute_deadlines(
    *,
    pending_only: bool = True,
    calendar: LegalCalendar | None = None,
    today: date | None = None,
    batch: int = 500,
) -> int:
    """Recompute stored due dates (after an administrator enters a year's holidays).

    ``pending_only`` (the hourly job) reads only matters waiting for a year the calendar
    now covers (``PetitionQuerySet.waiting_for_years``): none at all until an
    administrator enters the missing year, so the pass costs one indexed query. A row is
    written only when a recomputed value differs, with a compare-and-swap on ``version``;
    a row that changed meanwhile is skipped (its own transition already recomputed it).
    Returns the number of rows updated.
    """
    cal = calendar or legal_calendar()
    today = today or timezone.localdate()
    rows = Petition.objects.all()
    if pending_only:
        rows = rows.waiting_for_years(cal.covered_years)
    updated = 0
    last_pk = 0
    while True:
        chunk = list(rows.filter(pk__gt=last_pk).order_by("pk")[:batch])
        if not chunk:
            break
        for petition in chunk:
            last_pk = petition.pk
            before = {name: getattr(petition, name) for name in DUE_COLUMNS}
            dues = apply_dues(petition, calendar=cal, today=today)
            if all(k in before and before[k] == v for k, v in dues.items()):
                continue  # nothing moved: no write, no lock, no commit
            with transaction.atomic():
                count = Petition.objects.filter(pk=petition.pk, version=petition.version).update(
                    **dues
                )
            updated += count
    # Requests made while their window was pending are settled by whatever recomputation
    # filled the window in (this pass, an earlier one, or a command with --all).
    settle_window_checks()
    return updated
