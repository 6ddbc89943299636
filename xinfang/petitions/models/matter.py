"""The petition matter (信访事项), its petitioners, attachments and the units it reached."""

from __future__ import annotations

import secrets
from datetime import date
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from xinfang.core.calendar import due_text
from xinfang.core.personal_data import ProtectedField
from xinfang.petitions.choices import (
    AttachmentStage,
    Channel,
    Diversion,
    DueStep,
    HandlingProcedure,
    Kind,
    Outcome,
    PetitionerRole,
    Status,
)
from xinfang.petitions.querysets import (
    AttachmentQuerySet,
    PetitionerQuerySet,
    PetitionQuerySet,
)


class Petition(models.Model):
    """One petition matter, whatever its channel (条例 Arts. 17–21).

    ``registering_unit`` keeps first-question responsibility (首问负责) until the matter is
    handed over; ``responsible_unit`` is whoever must act now. Status changes only through
    :func:`xinfang.petitions.workflow.transition` (compare-and-swap on ``status`` and
    ``version``). Due dates are stored in indexed columns computed by ``deadlines.py``;
    ``next_due``/``next_due_step`` is the period currently running.
    """

    number = models.CharField(_("编号"), max_length=20, unique=True, null=True, blank=True)
    channel = models.CharField(_("信访形式"), max_length=20, choices=Channel.choices)
    kind = models.CharField(_("信访类别"), max_length=20, choices=Kind.choices)
    matter_type = models.ForeignKey(
        "petitions.MatterType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
        verbose_name=_("事项分类"),
    )
    place = models.CharField(_("问题属地"), max_length=200, blank=True)
    # Optional WGS-84 location of the problem (a map pick or Open311 lat/long); it proposes
    # the responsible community and grid and finds matters nearby.
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    summary = models.CharField(_("内容摘要"), max_length=500)
    # The summary segmented into words (linking.summary_tokens), so the same-matter search
    # segments only the new text; NULL until the matter is searched or compared once.
    summary_tokens = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001
    full_text = models.TextField(_("信访内容"), blank=True)
    received_on = models.DateField(_("收到日期"), db_index=True)
    head_count = models.PositiveIntegerField(_("来访人数"), null=True, blank=True)

    # Accusations (条例 Art. 30): who is accused; they never see the matter.
    accused_unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("被反映（检举）单位"),
    )
    accused_person = models.CharField(_("被反映（检举）人"), max_length=100, blank=True)
    accused_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("被检举人账号"),
    )
    is_confidential = models.BooleanField(_("信访人要求保密"), default=False)

    registering_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("登记单位")
    )
    registrar = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("登记人"),
    )
    responsible_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任单位")
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("承办人"),
    )
    # A matter handed down by a higher office (channel forwarded / assigned).
    handed_down_by = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("转交办机关"),
    )
    source_reference = models.CharField(_("来文编号"), max_length=60, blank=True)

    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    version = models.PositiveIntegerField(default=0, editable=False)
    outcome = models.CharField(_("处理结果"), max_length=20, choices=Outcome.choices, blank=True)
    is_final = models.BooleanField(_("已终结"), default=False)
    after_final = models.BooleanField(
        _("终结后同一事实理由再次提出"),
        default=False,
        help_text=_("复核终结后以同一事实和理由再次提出的，不再受理（条例第三十六条）"),
    )
    group = models.ForeignKey(
        "petitions.MatterGroup",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="petitions",
        verbose_name=_("同一事项组"),
    )
    level_reached = models.CharField(_("到达层级"), max_length=20, blank=True)
    # 涉法涉诉 (条例 Arts. 20, 22, 28): set by the registrar or implied by the matter type; such
    # a matter goes to the 政法 body's procedure and is not accepted as an ordinary petition.
    litigation_related = models.BooleanField(_("涉法涉诉"), default=False)
    handling_procedure = models.CharField(
        _("办理程序"),
        max_length=20,
        choices=HandlingProcedure.choices,
        default=HandlingProcedure.PETITION,
    )
    # Art. 31 (一)—(三): the statutory procedure a matter not accepted was diverted to, the
    # body that decides it and its time limit, as the non-acceptance notice prints them.
    diversion = models.CharField(
        _("导入程序"), max_length=30, choices=Diversion.choices, blank=True
    )
    diversion_body = models.CharField(_("受理机关"), max_length=200, blank=True)
    diversion_time_limit = models.CharField(_("申请期限"), max_length=200, blank=True)

    # Query code for the citizen (≥128 bits); only its hash is searchable.
    # NULL (not "") so that the unique constraints admit rows without a code or key.
    query_code_hash = models.CharField(  # noqa: DJ001
        max_length=64, unique=True, null=True, editable=False
    )
    query_code_token = models.TextField(blank=True, default="", editable=False)
    contact_phone_digest = models.CharField(max_length=64, blank=True, editable=False)
    idempotency_key = models.CharField(  # noqa: DJ001
        max_length=80, unique=True, null=True, editable=False
    )
    submission_digest = models.CharField(max_length=64, blank=True, editable=False)

    # Anchors of the legal clock (dates the periods start from).
    routed_on = models.DateField(_("转送交办日期"), null=True, blank=True)
    # Art. 23: the day the receiving body objected; the sending office's decision runs from it.
    objected_on = models.DateField(_("提出异议日期"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("延期天数"), default=0)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answer_delivered_on = models.DateField(_("答复送达日期"), null=True, blank=True)
    # Art. 36: the re-review window runs from the receipt of the written review opinion.
    review_delivered_on = models.DateField(_("复查意见送达日期"), null=True, blank=True)
    review_requested_on = models.DateField(_("申请复查日期"), null=True, blank=True)
    review_decided_on = models.DateField(_("复查意见日期"), null=True, blank=True)
    rereview_requested_on = models.DateField(_("申请复核日期"), null=True, blank=True)
    rereview_pause_days = models.PositiveSmallIntegerField(_("听证暂停天数"), default=0)
    hearing_open = models.BooleanField(_("听证中"), default=False)
    report_due_given = models.DateField(_("交办要求报结日期"), null=True, blank=True)
    # Assigned (交办) by a higher office, on intake or by a hand-over: a completion report
    # (结案报告) is owed to that office and its due date is tracked.
    report_required = models.BooleanField(_("需报送结案报告"), default=False)
    report_submitted_on = models.DateField(_("报结日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    # Due dates (deadlines.py), each indexed for the lists and the periodic job.
    route_due = models.DateField(_("转送交办期限"), null=True, blank=True, db_index=True)
    objection_due = models.DateField(_("异议期限"), null=True, blank=True)
    objection_decision_due = models.DateField(_("异议处理期限"), null=True, blank=True)
    notice_due = models.DateField(_("告知期限"), null=True, blank=True, db_index=True)
    handle_due = models.DateField(_("办理期限"), null=True, blank=True, db_index=True)
    report_due = models.DateField(_("报结期限"), null=True, blank=True)
    review_request_due = models.DateField(_("申请复查期限"), null=True, blank=True)
    review_due = models.DateField(_("复查期限"), null=True, blank=True, db_index=True)
    rereview_request_due = models.DateField(_("申请复核期限"), null=True, blank=True)
    rereview_due = models.DateField(_("复核期限"), null=True, blank=True, db_index=True)
    next_due = models.DateField(_("当前期限"), null=True, blank=True)
    next_due_step = models.CharField(
        _("当前环节"), max_length=20, choices=DueStep.choices, blank=True
    )
    deadline_pending = models.BooleanField(_("期限待定"), default=False)
    deadline_notice = models.CharField(_("期限说明"), max_length=200, blank=True)
    # While a due date waits for its year's schedule: the earliest day it can be, per due
    # column ({"handle_due": "2027-01-04"}), and that of the running period, indexed for
    # reminders and the due list. Never used to shorten a citizen's window.
    provisional_dues = models.JSONField(_("暂定期限"), default=dict, blank=True)
    next_due_not_before = models.DateField(_("当前期限不早于"), null=True, blank=True)
    is_overdue = models.BooleanField(_("已超期"), default=False)
    overdue_since = models.DateField(_("超期日期"), null=True, blank=True)
    # The petitioner agreed, at submission, to SMS about acceptance, extension, answer and
    # review opinion (matter number, event and date only: petitions.citizen_sms).
    sms_opt_in = models.BooleanField(_("接收短信通知"), default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[PetitionQuerySet] = PetitionQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("信访事项")
        verbose_name_plural = _("信访事项")
        indexes = [
            models.Index(
                fields=["next_due", "is_overdue"],
                condition=Q(next_due__isnull=False),
                name="petition_next_due_open",
            ),
            models.Index(fields=["responsible_unit", "status"], name="petition_unit_status"),
            models.Index(fields=["contact_phone_digest"], name="petition_phone_digest"),
            models.Index(
                fields=["deadline_pending"],
                condition=Q(deadline_pending=True),
                name="petition_deadline_pending",
            ),
            models.Index(
                fields=["next_due_not_before"],
                condition=Q(next_due_not_before__isnull=False),
                name="petition_next_due_not_before",
            ),
            # The due-soon page and dashboards probe "matters in the user's scope (ids from
            # PetitionReach) with a running due date": keyed by id, restricted to running
            # dates and carrying the columns the due filter and the accusation guard read,
            # each probe is index-only on PostgreSQL (``include`` is ignored elsewhere)
            # instead of a heap visit per matter of the scope, most of them long closed.
            models.Index(
                fields=["id"],
                include=["next_due", "kind", "accused_unit", "accused_user"],
                condition=Q(next_due__isnull=False),
                name="petition_running_due",
            ),
            models.Index(
                fields=["id"],
                include=["kind", "accused_unit", "accused_user"],
                condition=Q(deadline_pending=True),
                name="petition_pending_scope",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(extension_days__lte=30), name="petition_extension_at_most_30"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or '—'} {self.summary[:30]}"

    def not_before(self, column: str) -> date | None:
        """The earliest day a pending due column can be (None when known or not started)."""
        raw = (self.provisional_dues or {}).get(column)
        return date.fromisoformat(raw) if raw else None

    def due_text(self, column: str) -> str:
        """A due column as staff and citizens read it: the date, "待定,不早于 …", or "—"."""
        return due_text(getattr(self, column), self.not_before(column))

    @property
    def is_accusation(self) -> bool:
        return self.kind == Kind.ACCUSATION

    @property
    def is_handed_down(self) -> bool:
        return self.channel in (Channel.FORWARDED, Channel.ASSIGNED)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kind == Kind.ACCUSATION and not (self.accused_unit_id or self.accused_person):
            raise ValidationError(_("检举控告类事项须写明被检举单位或人员"))
        if self.channel == Channel.COLLECTIVE_VISIT and not self.head_count:
            raise ValidationError(_("集体来访须填写来访人数"))


# Crockford's base-32 alphabet: digits and capitals without I, L, O and U, so a code read
# aloud or copied by hand has no 0/O or 1/I/L to confuse (typed ones are mapped back).
QUERY_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
QUERY_CODE_LENGTH = 28  # 28 × 5 = 140 random bits (≥ 128)


def _new_query_code() -> str:
    """A query code of 140 random bits: seven groups of four characters
    (``7KQ3-M9XA-…``), for reading aloud, printing and typing."""
    raw = "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, QUERY_CODE_LENGTH, 4))


class Petitioner(models.Model):
    """A person on a matter: the petitioner, a co-signer, a representative or an agent.

    A collective visit elects at most five representatives (条例 Art. 20). Phone, ID number
    and address are encrypted (``ProtectedField``); ``wants_confidentiality`` hides the name
    and details from everyone who does not need them (and always from the accused).

    The name stays plaintext, on purpose: every list, the general register, the formal
    documents addressed to the petitioner (条例 Art. 32) and the same-matter check read it
    for every row, so sealing it would make decryption routine and drown the audited
    reveal that guards phone, ID and address; and the summary and full text of the matter
    name the petitioner anyway, so a sealed name column would not keep names out of a
    database dump. It is hidden where it must be by ``wants_confidentiality``.
    """

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="petitioners")
    role = models.CharField(
        _("身份"), max_length=20, choices=PetitionerRole.choices, default=PetitionerRole.PRIMARY
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = ProtectedField("phone", verbose_name="联系电话")
    id_number = ProtectedField("id_number", verbose_name="身份证号")
    address = ProtectedField("address", verbose_name="住址")
    wants_confidentiality = models.BooleanField(_("要求保密"), default=False)
    address_token: str
    address_digest: str
    address_masked: str
    phone_token: str
    phone_digest: str
    phone_masked: str
    id_number_token: str
    id_number_digest: str
    id_number_masked: str

    objects: ClassVar[PetitionerQuerySet] = PetitionerQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["petition", "pk"]
        verbose_name = _("信访人")
        verbose_name_plural = _("信访人")
        indexes = [
            models.Index(fields=["id_number_digest"], name="petitioner_id_digest"),
            models.Index(fields=["phone_digest"], name="petitioner_phone_digest"),
        ]

    def __str__(self) -> str:
        return "（保密）" if self.wants_confidentiality else self.name


class PetitionReach(models.Model):
    """A unit on the matter's registration / handling chain: the basis of its visibility.

    One row for the registering unit, each unit it was handed to or through, and the
    review and re-review bodies. ``unit_path`` copies ``Unit.path`` so the scope is one
    index range scan.
    """

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="reach")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "unit"], name="unique_petition_reach")
        ]
        indexes = [
            # The scope is a range on unit_path yielding petition ids: with the id in the
            # index the range is read index-only, not one heap page per reach row.
            models.Index(fields=["unit_path", "petition"], name="reach_path_petition"),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} → {self.unit_path}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    # Random name, no user-supplied part: nothing to guess and nothing to traverse.
    return f"petitions/{secrets.token_hex(2)}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """A file on a matter; stored under MEDIA_ROOT (outside the web root), served only by
    the scoped download view as an attachment."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="attachments")
    stage = models.CharField(
        _("材料类别"), max_length=20, choices=AttachmentStage.choices, default="intake"
    )
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    # Sealed with the personal-data cipher (XINFANG_ENCRYPT_ATTACHMENTS); files stored
    # before encryption was turned on stay plaintext and still download.
    encrypted = models.BooleanField(default=False, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[AttachmentQuerySet] = AttachmentQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.original_name

    def download_name(self) -> str:
        """Named by the detected type, never by the uploader's name (``p.html``,
        ``invoicefdp.exe``): the extension is what the content was checked to be."""
        return f"附件-{self.pk}.{self.extension}"
