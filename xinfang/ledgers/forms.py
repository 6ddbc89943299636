"""Forms of the ledgers: they validate input shape, then views call a service."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.core.punctuation import loose
from xinfang.ledgers.choices import (
    MEETING_CADENCES,
    REPORT_CADENCES,
    SCREENING_CADENCES,
    URGENT_KINDS,
    Cadence,
    DisputeDomain,
    RiskLevel,
    RoundKind,
)
from xinfang.org.choices import UnitLevel
from xinfang.org.models import Unit
from xinfang.petitions.pickers import UnitTreeChoiceField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class UnitScopedForm(forms.Form):
    """A form whose ``unit`` choices are the units where the user may ``action``."""

    action = "view"
    unit = UnitTreeChoiceField(label=_("单位"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.restrict(user, self.action).filter(is_active=True).order_by("path")
        field = self.fields["unit"]
        field.queryset = units  # type: ignore[attr-defined]
        if len(units) == 1 and not self.is_bound:
            field.initial = units[0].pk


def _check_range(data: dict[str, Any], start: str, end: str) -> None:
    if data.get(start) and data.get(end) and data[end] < data[start]:
        raise forms.ValidationError(_("结束日期不能早于开始日期"))


class ScreeningRuleForm(UnitScopedForm):
    action = "lead"
    kind = forms.ChoiceField(label=_("排查类型"), choices=RoundKind.choices)
    cadence = forms.ChoiceField(
        label=_("周期（定期排查）"),
        choices=[("", _("按单位层级默认（乡镇每半月，其他每月）"))]
        + [(c.value, c.label) for c in SCREENING_CADENCES],
        required=False,
    )
    domain = forms.ChoiceField(
        label=_("专项领域（专项排查）"), choices=[("", "—"), *DisputeDomain.choices], required=False
    )
    starts_on = forms.DateField(label=_("起始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("截止日期"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_range(data, "starts_on", "ends_on")
        if data.get("kind") == RoundKind.SPECIAL and not data.get("domain"):
            self.add_error("domain", _("专项排查须选择领域"))
        return data


class RoundFileForm(forms.Form):
    held_on = forms.DateField(label=_("排查日期"), widget=DATE)
    participants = forms.CharField(label=_("参加人员"), widget=forms.Textarea(attrs={"rows": 2}))
    summary = forms.CharField(
        label=_("排查情况"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("如未排查出矛盾纠纷，请写明“本轮未排查出矛盾纠纷”"),
    )


class DisputeForm(UnitScopedForm):
    action = "handle"
    round = forms.IntegerField(widget=forms.HiddenInput, required=False)
    domain = forms.ChoiceField(label=_("纠纷类别"), choices=DisputeDomain.choices)
    place = forms.CharField(label=_("发生地点"), max_length=200)
    subject = forms.CharField(label=_("纠纷事项"), widget=forms.Textarea(attrs={"rows": 3}))
    parties = forms.CharField(
        label=_("当事人"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("当事各方及其身份，如“某村村民12户；某建设公司”。无需身份证号。"),
    )
    contact_phone = forms.CharField(label=_("联系电话（选填，加密保存）"), required=False)
    risk_level = forms.ChoiceField(label=_("风险等级（纠纷升级风险）"), choices=RiskLevel.choices)
    found_on = forms.DateField(label=_("排查日期"), widget=DATE)
    responsible_person = forms.CharField(label=_("责任人"), max_length=50)
    lead_leader = forms.CharField(label=_("包案领导"), max_length=50, required=False)
    resolution_plan = forms.CharField(
        label=_("化解方案"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    deadline = forms.DateField(label=_("化解期限"), widget=DATE)
    petition_ref = forms.CharField(label=_("关联信访事项编号"), max_length=40, required=False)
    note = forms.CharField(
        label=_("备注"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("found_on") and data.get("deadline") and data["deadline"] < data["found_on"]:
            self.add_error("deadline", _("化解期限不能早于排查日期"))
        return data


class TransitionForm(forms.Form):
    step = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class DisputeImportForm(UnitScopedForm):
    action = "handle"
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))


class LookbackForm(UnitScopedForm):
    subject_text = forms.CharField(
        label=_("信访事项内容"), widget=forms.Textarea(attrs={"rows": 3})
    )
    before_date = forms.DateField(label=_("越级走访日期"), widget=DATE)
    petition_ref = forms.CharField(label=_("信访事项编号"), required=False)


class RosterForm(UnitScopedForm):
    action = "duty"
    title = forms.CharField(label=_("标题"), max_length=100)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    duty_phone = forms.CharField(label=_("值班电话（办公）"), max_length=30, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_range(data, "starts_on", "ends_on")
        return data


class ShiftForm(forms.Form):
    day = forms.DateField(label=_("日期"), widget=DATE)
    starts_at = forms.TimeField(label=_("开始"), widget=TIME, initial="08:30")
    ends_at = forms.TimeField(label=_("结束"), widget=TIME, initial="08:30")
    officer_name = forms.CharField(label=_("值班人员"), max_length=50)
    leader_name = forms.CharField(label=_("带班领导"), max_length=50, required=False)
    office_phone = forms.CharField(label=_("办公电话"), max_length=30, required=False)
    mobile = forms.CharField(label=_("手机（个人号码加密保存）"), required=False)


class AbsenceForm(forms.Form):
    note = forms.CharField(label=_("脱岗情况"), widget=forms.Textarea(attrs={"rows": 2}))


class ObligationForm(UnitScopedForm):
    action = "lead"
    reporting_level = forms.ChoiceField(
        label=_("报送单位"),
        required=False,
        choices=[
            ("", _("本单位报送")),
            (UnitLevel.VILLAGE, _("下属每个村（社区）分别向本单位报送")),
            (UnitLevel.TOWNSHIP, _("下属每个乡镇（街道）分别向本单位报送")),
            (UnitLevel.DEPARTMENT, _("下属每个部门分别向本单位报送")),
        ],
    )
    title = forms.CharField(label=_("报告名称"), max_length=100)
    cadence = forms.ChoiceField(
        label=_("频次"), choices=[(c.value, c.label) for c in REPORT_CADENCES]
    )
    due_time = forms.TimeField(label=_("报送时点"), widget=TIME, initial="16:00")
    due_weekday = forms.TypedChoiceField(
        label=_("每周报送日"),
        coerce=int,
        initial=4,
        choices=[(i, n) for i, n in enumerate("一二三四五六日")],
    )
    due_offset_working_days = forms.IntegerField(
        label=_("期满后第几个工作日报送（0=期末当天）"), min_value=0, max_value=20, initial=0
    )
    once_due_date = forms.DateField(label=_("报送日期（一次性）"), widget=DATE, required=False)
    working_days_only = forms.BooleanField(label=_("日报仅工作日报送"), required=False)
    zero_reporting = forms.BooleanField(label=_("实行零报告"), required=False, initial=True)
    valid_from = forms.DateField(label=_("起始日期"), widget=DATE)
    valid_to = forms.DateField(label=_("截止日期"), widget=DATE)
    remind_before_hours = forms.IntegerField(label=_("提前提醒（小时）"), min_value=0, initial=2)
    missing_after_hours = forms.IntegerField(
        label=_("逾期多少小时记为漏报"), min_value=1, initial=24
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_range(data, "valid_from", "valid_to")
        if data.get("cadence") == Cadence.ONCE and not data.get("once_due_date"):
            self.add_error("once_due_date", _("一次性报送须填写报送日期"))
        return data


class ReportFileForm(forms.Form):
    is_zero = forms.BooleanField(label=_("零报告（本期无情况）"), required=False)
    content = forms.CharField(
        label=_("报告内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("is_zero") and not (data.get("content") or "").strip():
            self.add_error("content", _("请填写报告内容；如无情况，请勾选“零报告”"))
        return data


class UrgentForm(UnitScopedForm):
    kind = forms.ChoiceField(label=_("类别"), choices=[(k.value, k.label) for k in URGENT_KINDS])
    title = forms.CharField(label=_("事由"), max_length=150)
    event_at = forms.DateTimeField(label=_("事件发生/预警收到时间"), widget=DATETIME)


class SlotForm(UnitScopedForm):
    action = "lead"
    leader_name = forms.CharField(label=_("接访领导"), max_length=50)
    leader_title = forms.CharField(label=_("职务"), max_length=50, required=False)
    day = forms.DateField(label=_("日期"), widget=DATE)
    starts_at = forms.TimeField(label=_("开始时间"), widget=TIME, initial="08:30")
    ends_at = forms.TimeField(label=_("结束时间"), widget=TIME, initial="11:30")
    place = forms.CharField(label=_("地点"), max_length=100)
    topic = forms.CharField(label=_("接访内容"), max_length=200, required=False)


class ReceptionForm(UnitScopedForm):
    action = "receive"
    leader_name = forms.CharField(label=_("接访领导"), max_length=50)
    received_on = forms.DateField(label=_("接访日期"), widget=DATE, initial=date.today)
    visitor_count = forms.IntegerField(label=_("来访人数"), min_value=1, initial=1)
    visitors = forms.CharField(
        label=_("来访人员情况"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如“某村村民3人”；不登记身份证号等个人信息"),
    )
    matters_raised = forms.CharField(label=_("反映问题"), widget=forms.Textarea(attrs={"rows": 3}))
    instructions = forms.CharField(
        label=_("领导批示/处理意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class SpotCheckForm(forms.Form):
    leader_present = forms.TypedChoiceField(
        label=_("接访领导是否在岗"),
        coerce=lambda v: v == "1",
        choices=[("1", _("在岗")), ("0", _("未在岗"))],
    )
    note = forms.CharField(
        label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MeetingRequirementForm(UnitScopedForm):
    action = "lead"
    title = forms.CharField(label=_("会议名称"), max_length=100)
    cadence = forms.ChoiceField(
        label=_("频次"), choices=[(c.value, c.label) for c in MEETING_CADENCES]
    )
    valid_from = forms.DateField(label=_("起始日期"), widget=DATE)
    valid_to = forms.DateField(label=_("截止日期"), widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_range(data, "valid_from", "valid_to")
        return data


class MeetingForm(UnitScopedForm):
    action = "handle"
    title = forms.CharField(label=_("会议名称"), max_length=100)
    held_on = forms.DateField(label=_("召开日期"), widget=DATE)
    chair = forms.CharField(label=_("主持人"), max_length=50, required=False)
    attendees = forms.CharField(label=_("出席人员"), widget=forms.Textarea(attrs={"rows": 2}))
    absentees = forms.CharField(
        label=_("缺席人员及原因"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 5}))


class CampaignForm(UnitScopedForm):
    action = "lead"
    name = forms.CharField(label=_("行动名称"), max_length=100)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    leading_group = forms.CharField(
        label=_("领导小组"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    office = forms.CharField(label=_("领导小组办公室"), max_length=200, required=False)
    targets = forms.CharField(
        label=_("目标任务（每行一条）"), widget=forms.Textarea(attrs={"rows": 4})
    )
    rulebook = forms.CharField(label=_("考评细则名称"), max_length=100, required=False)
    phases = forms.CharField(
        label=_("行动阶段（每行：阶段名称，开始日期，结束日期）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    weekly_screening = forms.BooleanField(
        label=_("行动期间各参加单位每周排查"), required=False, initial=True
    )

    def clean_phases(self) -> list[tuple[str, date, date]]:
        out: list[tuple[str, date, date]] = []
        for n, line in enumerate((self.cleaned_data.get("phases") or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in loose(line).split(",")]  # ， or ,
            try:
                name, start, end = parts
                out.append((name, date.fromisoformat(start), date.fromisoformat(end)))
            except ValueError as exc:
                raise forms.ValidationError(
                    _("第%(n)s行格式应为：阶段名称，2026-02-20,2026-02-25") % {"n": n}
                ) from exc
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _check_range(data, "starts_on", "ends_on")
        return data


class SubmissionForm(forms.Form):
    title = forms.CharField(label=_("报送材料"), max_length=100)
    cadence = forms.ChoiceField(
        label=_("频次"),
        choices=[(Cadence.WEEKLY.value, _("每周")), (Cadence.ONCE.value, _("一次性"))],
    )
    due_weekday = forms.TypedChoiceField(
        label=_("每周报送日"),
        coerce=int,
        initial=4,
        choices=[(i, n) for i, n in enumerate("一二三四五六日")],
    )
    due_time = forms.TimeField(label=_("报送时点"), widget=TIME, initial="17:30")
    once_due_date = forms.DateField(label=_("报送日期（一次性）"), widget=DATE, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("cadence") == Cadence.ONCE and not data.get("once_due_date"):
            self.add_error("once_due_date", _("一次性报送须填写报送日期"))
        return data


class PetitionIntakeForm(forms.Form):
    """What the petitions app needs beyond the reception record to register the matter."""

    petitioner_name = forms.CharField(
        label=_("信访人姓名（由信访事项模块加密保存）"), max_length=50
    )
    phone = forms.CharField(label=_("联系电话（选填）"), max_length=20, required=False)
    kind = forms.ChoiceField(
        label=_("信访类别"),
        choices=[
            ("appeal", _("申诉求决类")),
            ("suggestion", _("建议意见类")),
            ("accusation", _("检举控告类")),
        ],
    )
    instruction_due = forms.DateField(
        label=_("领导批示落实期限"),
        required=False,
        widget=DATE,
        help_text=_("接访记录中的领导批示将登记为领导批示并跟踪落实"),
    )
