"""Forms of the core pages: the deadline calculator and the admin's holiday-notice entry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from xinfang.core.calendar import CIVIL_CODE, START_DAY_COUNTED
from xinfang.core.deadline_reasoning import MAX_DAYS

CONVENTION_CHOICES = [
    (CIVIL_CODE, "起算日不计入（民法典第二百零一条）"),
    (START_DAY_COUNTED, "起算日计入"),
]


class DeadlineForm(forms.Form):
    """Start day, length and kind of a period; the convention defaults to the setting."""

    start = forms.DateField(
        label="起算日",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="引起期间开始的事件发生之日，如收到信访事项之日",
    )
    days = forms.IntegerField(label="期限天数", min_value=1, max_value=MAX_DAYS)
    mode = forms.ChoiceField(
        label="计算方式",
        choices=[("calendar", "自然日"), ("working", "工作日")],
        initial="calendar",
        required=False,
        widget=forms.RadioSelect,
    )
    convention = forms.ChoiceField(label="起算规则", choices=CONVENTION_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["convention"].initial = settings.XINFANG_DEADLINE_CONVENTION

    def clean_mode(self) -> str:
        return self.cleaned_data.get("mode") or "calendar"

    def clean_convention(self) -> str:
        return self.cleaned_data.get("convention") or settings.XINFANG_DEADLINE_CONVENTION


class HolidayNoticeForm(forms.Form):
    """The notice transcribed as YAML (format: README, "Entering a year's holiday schedule")."""

    text = forms.CharField(
        label="节假日安排（YAML）",
        widget=forms.Textarea(attrs={"rows": 16, "cols": 80, "spellcheck": "false"}),
        strip=False,
    )
    replace = forms.BooleanField(label="替换已录入的安排", required=False)
    confirm_no_holidays = forms.BooleanField(
        label="确认该年度通知中确实没有任何节假日", required=False
    )


def form_problems(form: forms.BaseForm) -> str:
    """A bound form's errors as one Chinese message: each field's label and its errors."""
    return "请检查填写的内容：" + "；".join(
        f"{form.fields[k].label if k in form.fields else ''}{' '.join(map(str, v))}"
        for k, v in form.errors.items()
    )
