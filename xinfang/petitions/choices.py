"""Choices of the petitions app (信访事项)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a matter arrived (条例 Art. 17), plus matters handed down by a higher office."""

    LETTER = "letter", _("来信")
    VISIT = "visit", _("个人来访")
    COLLECTIVE_VISIT = "collective_visit", _("集体来访")
    PHONE = "phone", _("来电")
    HOTLINE_12345 = "12345", _("12345热线")
    FAX = "fax", _("传真")
    ONLINE = "online", _("网上信访")
    FORWARDED = "forwarded", _("上级转送")
    ASSIGNED = "assigned", _("上级交办")


class Kind(models.TextChoices):
    """The three kinds of 条例 Arts. 29–31."""

    SUGGESTION = "suggestion", _("建议意见类")
    ACCUSATION = "accusation", _("检举控告类")
    APPEAL = "appeal", _("申诉求决类")


class Status(models.TextChoices):
    """Workflow states; the allowed moves are the table in ``workflow.py``."""

    REGISTERED = "registered", _("已登记")
    ROUTED = "routed", _("已转送/交办")
    OBJECTED = "objected", _("受理单位提出异议")
    ACCEPTED = "accepted", _("已受理")
    NOT_ACCEPTED = "not_accepted", _("不予受理")
    IN_HANDLING = "in_handling", _("办理中")
    ANSWERED = "answered", _("已答复")
    EVALUATED = "evaluated", _("已回访评价")
    CLOSED = "closed", _("已办结")
    LINKED = "linked", _("已并入同一事项")
    REVIEW_REQUESTED = "review_requested", _("复查中")
    REVIEWED = "reviewed", _("已出具复查意见")
    REREVIEW_REQUESTED = "rereview_requested", _("复核中")
    FINAL = "final", _("已复核终结")


class RouteMode(models.TextChoices):
    FORWARD = "forward", _("转送")
    ASSIGN = "assign", _("交办")


class PetitionerRole(models.TextChoices):
    PRIMARY = "primary", _("信访人")
    COSIGNER = "cosigner", _("联名人")
    REPRESENTATIVE = "representative", _("代表")
    AGENT = "agent", _("委托代理人")


class Outcome(models.TextChoices):
    """条例 Art. 32: support, explain, not support."""

    SUPPORT = "support", _("予以支持")
    EXPLAIN = "explain", _("解释说明")
    NOT_SUPPORT = "not_support", _("不予支持")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class ReviewLevel(models.TextChoices):
    REVIEW = "review", _("复查")
    REREVIEW = "rereview", _("复核")


class Stage(models.TextChoices):
    """Which clock a hearing or an answer belongs to."""

    HANDLING = "handling", _("办理")
    REVIEW = "review", _("复查")
    REREVIEW = "rereview", _("复核")


class DueStep(models.TextChoices):
    """The step whose legal period is currently running (for lists and reminders)."""

    ROUTE = "route", _("转送交办")
    OBJECTION = "objection", _("异议")
    OBJECTION_DECISION = "objection_decision", _("异议处理")
    NOTICE = "notice", _("受理告知")
    HANDLE = "handle", _("办理")
    REPORT = "report", _("办结报告")
    REVIEW = "review", _("复查意见")
    REREVIEW = "rereview", _("复核意见")


class CandidateStatus(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    LINKED = "linked", _("已关联")
    DISMISSED = "dismissed", _("已排除")


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", _("临期提醒")
    OVERDUE = "overdue", _("超期提醒")
    EXTENSION = "extension", _("延期告知")
    NOTICE = "notice", _("书面告知")


class AttachmentStage(models.TextChoices):
    INTAKE = "intake", _("来信来访材料")
    HANDLING = "handling", _("办理材料")
    EVIDENCE = "evidence", _("佐证材料")
    ANSWER = "answer", _("答复材料")


class HandlingProcedure(models.TextChoices):
    """How an accepted matter is handled (条例 Art. 31): the 60-day clock of Art. 34 runs
    only for a matter handled as a petition under Art. 31 (六); a matter the body handles
    by a procedure of its own (履行职责、其他规定的程序) follows that procedure's periods."""

    PETITION = "petition", _("按信访程序办理（第三十一条第六项，60日内办结）")
    OWN = "own", _("依照其他法定程序办理（适用该程序的期限）")


class Diversion(models.TextChoices):
    """The statutory procedures a matter is diverted to (条例 Art. 31 (一)—(三))."""

    LITIGATION = "litigation", _("诉讼")
    ARBITRATION = "arbitration", _("仲裁")
    ADMIN_REVIEW = "admin_review", _("行政复议")
    ADMIN_RULING = "admin_ruling", _("行政裁决")
    PARTY_APPEAL = "party_appeal", _("党员申诉、申请复审")
    LABOUR_ARBITRATION = "labour_arbitration", _("劳动人事争议仲裁")
    OTHER = "other", _("其他法定途径")


class SuggestionOutcome(models.TextChoices):
    """What became of a suggestion (条例 Art. 29): counted in the annual report."""

    ADOPTED = "adopted", _("采纳")
    PARTLY = "partly", _("部分采纳")
    NOT_ADOPTED = "not_adopted", _("未采纳")
