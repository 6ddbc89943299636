"""Forms of the trips pages: input shape only; the services decide."""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.org.access import granted_paths
from xinfang.org.models import Unit
from xinfang.org.querysets import any_subtree_q
from xinfang.trips.choices import Rank, TripType
from xinfang.trips.models import PlanItem
from xinfang.trips.rules import DEFAULT_RULES
from xinfang.trips.services import MemberInput, TripInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SEPARATORS = re.compile(r"[、,,;;\s]+")


def units_for(user: Any, action: str) -> Any:
    if getattr(user, "is_superuser", False):
        return Unit.objects.filter(is_active=True).order_by("path")
    q = any_subtree_q(granted_paths(user, action))
    if q is None:
        return Unit.objects.none()
    return Unit.objects.filter(q, is_active=True).order_by("path")


class PlanItemField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.plan.unit} {obj.plan.year}年：{obj.purpose}"


class TripForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("组团单位"))
    title = forms.CharField(max_length=200, label=_("团组名称"))
    purpose = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("出访任务"))
    trip_type = forms.ChoiceField(choices=TripType.choices, label=_("团组类型"))
    countries = forms.CharField(
        max_length=200, label=_("出访国家（地区）"), help_text=_("多个用顿号分隔")
    )
    depart_on = forms.DateField(widget=DATE, label=_("出境日期"))
    return_on = forms.DateField(widget=DATE, label=_("入境日期"))
    visa_apply_on = forms.DateField(widget=DATE, label=_("拟办理护照签证日期"))
    plan_item = PlanItemField(
        queryset=PlanItem.objects.none(), required=False, label=_("所列年度计划团组")
    )

    def __init__(self, *args: Any, user: Any, fixed_unit: Unit | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        unit_field = cast(forms.ModelChoiceField, self.fields["unit"])
        if fixed_unit is not None:
            del self.fields["unit"]
        else:
            unit_field.queryset = units_for(user, "handle")
        items = PlanItem.objects.restrict(user, "handle").select_related("plan__unit")
        if fixed_unit is not None:
            items = items.filter(plan__unit=fixed_unit)
        cast(forms.ModelChoiceField, self.fields["plan_item"]).queryset = items.order_by(
            "-plan__year", "pk"
        )

    def clean_countries(self) -> tuple[str, ...]:
        names = [n for n in SEPARATORS.split(self.cleaned_data["countries"]) if n]
        if not names:
            raise forms.ValidationError("请填写出访国家（地区）")
        return tuple(dict.fromkeys(names))

    def trip_input(self) -> TripInput:
        d = self.cleaned_data
        return TripInput(
            title=d["title"],
            purpose=d["purpose"],
            trip_type=d["trip_type"],
            countries=d["countries"],
            depart_on=d["depart_on"],
            return_on=d["return_on"],
            visa_apply_on=d["visa_apply_on"],
            plan_item=d.get("plan_item"),
        )


class MemberForm(forms.Form):
    name = forms.CharField(max_length=50, label=_("姓名"))
    title = forms.CharField(max_length=100, required=False, label=_("职务"))
    # A blank first choice: an untouched extra row stays empty (and is skipped).
    rank = forms.ChoiceField(choices=[("", "—"), *Rank.choices], label=_("职级"))
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.filter(is_active=True).order_by("path"),
        required=False,
        label=_("工作单位（默认组团单位）"),
    )


MemberFormSet = forms.formset_factory(MemberForm, extra=1, min_num=1, validate_min=True, max_num=30)


def member_inputs(formset: Any, default_unit: Unit) -> list[MemberInput]:
    return [
        MemberInput(
            name=f.cleaned_data["name"],
            rank=f.cleaned_data["rank"],
            unit=f.cleaned_data.get("unit") or default_unit,
            title=f.cleaned_data.get("title", ""),
        )
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


class ExceptionForm(forms.Form):
    code = forms.ChoiceField(choices=[(c, r.label) for c, r in DEFAULT_RULES.items()])
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("同意例外的理由"))


class RuleForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("设定单位"))
    code = forms.ChoiceField(choices=[(c, r.label) for c, r in DEFAULT_RULES.items()])
    value = forms.IntegerField(min_value=0, max_value=10000, label=_("限值"))
    enabled = forms.BooleanField(required=False, label=_("启用"))
    note = forms.CharField(max_length=200, required=False, label=_("调整说明"))

    def __init__(self, *args: Any, user: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units_for(user, "lead")


class PlanForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("组团单位"))
    year = forms.IntegerField(min_value=2000, max_value=2100, label=_("计划年度"))
    items = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("计划团组"),
        help_text=_("每行一个团组：出访任务|出访国家（地区）|人数"),
    )

    def __init__(self, *args: Any, user: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units_for(user, "handle")

    def clean_items(self) -> list[dict[str, Any]]:
        rows = []
        for n, line in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in re.split(r"[|｜]", line)]
            if len(parts) != 3 or not parts[0] or not parts[2].isdigit():
                raise forms.ValidationError(f"第{n}行格式应为：出访任务|出访国家（地区）|人数")
            rows.append({"purpose": parts[0], "countries": parts[1], "head_count": int(parts[2])})
        if not rows:
            raise forms.ValidationError("至少列一个团组")
        return rows


class ReturnForm(forms.Form):
    returned_on = forms.DateField(widget=DATE, label=_("实际入境日期"))


class ReportForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=_("出访报告"))


class PassportForm(forms.Form):
    returned_on = forms.DateField(widget=DATE, required=False, label=_("交回日期（默认今天）"))


STEP_FORMS: dict[str, type[forms.Form]] = {
    "record_return": ReturnForm,
    "file_report": ReportForm,
    "hand_back_passport": PassportForm,
}
