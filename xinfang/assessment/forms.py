"""Forms of the assessment pages: they validate the input's shape, then views call a
service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.assessment.choices import PeriodKind
from xinfang.assessment.rulebook import shipped_names
from xinfang.assessment.services import DEFAULT_RULEBOOK
from xinfang.org.models import Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SchemeForm(forms.Form):
    name = forms.CharField(label=_("方案名称"), max_length=120, required=False)
    assessing_unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("考评单位"))
    rulebook = forms.ChoiceField(label=_("内置考核细则"), required=False)
    upload = forms.FileField(label=_("或上传细则 YAML"), required=False)
    period_kind = forms.ChoiceField(
        label=_("考核周期"), choices=PeriodKind.choices, initial=PeriodKind.MONTHLY
    )
    subject_category = forms.CharField(
        label=_("只考核该类别（空为全部）"), max_length=10, required=False
    )
    working_days = forms.BooleanField(label=_("阶段期限按工作日计算"), required=False, initial=True)
    declaration_days = forms.IntegerField(
        label=_("自评申报期（日）"), min_value=1, max_value=60, initial=5
    )
    review_days = forms.IntegerField(label=_("审核期（日）"), min_value=1, max_value=60, initial=5)
    appeal_days = forms.IntegerField(label=_("申诉期（日）"), min_value=1, max_value=60, initial=5)
    min_matters = forms.IntegerField(
        label=_("服务率参与排名的最少件数"), min_value=0, max_value=1000, initial=5
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = Unit.objects.restrict(user, "assess").filter(is_active=True).order_by("path")
        self.fields["assessing_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["rulebook"].choices = [("", "—"), *[(n, n) for n in shipped_names()]]  # type: ignore[attr-defined]
        self.fields["rulebook"].initial = DEFAULT_RULEBOOK

    def rulebook_text(self) -> str | None:
        upload = self.cleaned_data.get("upload")
        if upload is not None:
            raw = upload.read(1_000_000)
            try:
                return str(raw.decode("utf-8-sig"))
            except UnicodeDecodeError:
                return None
        return None


class PeriodForm(forms.Form):
    title = forms.CharField(label=_("期次名称"), max_length=120, required=False)
    start = forms.DateField(label=_("起始日"), widget=DATE)
    end = forms.DateField(label=_("截止日"), widget=DATE)


class FactForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("考核对象"))
    item = forms.CharField(label=_("考核项目代码"), max_length=80)
    day = forms.DateField(label=_("日期"), widget=DATE)
    quantity = forms.FloatField(label=_("数量（空为1）"), required=False)
    value = forms.FloatField(label=_("分值或比率"), required=False)
    note = forms.CharField(
        label=_("说明（区间酌定分值须写明理由）"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=10_000,
    )
    evidence = forms.CharField(label=_("依据（文号等）"), max_length=120, required=False)
    attachment = forms.FileField(label=_("佐证材料"), required=False)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
