"""Forms of the staff pages: input shape only; the services decide."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.org.access import granted_paths
from xinfang.org.models import Unit, User
from xinfang.org.querysets import any_subtree_q
from xinfang.petitions.choices import (
    Channel,
    Diversion,
    HandlingProcedure,
    Kind,
    Outcome,
    PetitionerRole,
    RouteMode,
    Status,
    SuggestionOutcome,
)
from xinfang.petitions.confidentiality import may_receive_q
from xinfang.petitions.filters import SORTS
from xinfang.petitions.models import MatterType
from xinfang.petitions.pickers import UnitTreeChoiceField
from xinfang.petitions.routing import indented_label, proposed_target, route_targets, routing_anchor
from xinfang.petitions.workflow import Step

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def units_for(user: Any, action: str) -> Any:
    if getattr(user, "is_superuser", False):
        return Unit.objects.filter(is_active=True)
    q = any_subtree_q(granted_paths(user, action))
    return Unit.objects.filter(q, is_active=True) if q is not None else Unit.objects.none()


class LocationPicker(forms.NumberInput):
    """The longitude input, followed by the map to pick the location on (plain background,
    the areas an app registered in ``location.AREAS_URL_NAME``; no outside tiles)."""

    template_name = "petitions/widgets/location_picker.html"

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        from django.conf import settings
        from django.urls import reverse

        from xinfang.petitions import location

        context = super().get_context(name, value, attrs)
        context["areas_url"] = (
            reverse(location.AREAS_URL_NAME[0]) if location.AREAS_URL_NAME else ""
        )
        context["tiles_url"] = settings.MAP_TILES_URL
        return context


def location_fields() -> dict[str, forms.Field]:
    """Optional WGS-84 latitude and longitude of the problem, picked on the map."""
    return {
        "lat": forms.FloatField(
            label=_("纬度（可在地图上点选）"),
            required=False,
            min_value=-90,
            max_value=90,
            widget=forms.NumberInput(attrs={"step": "any", "class": "location-lat"}),
        ),
        "lon": forms.FloatField(
            label=_("经度（可在地图上点选）"),
            required=False,
            min_value=-180,
            max_value=180,
            widget=LocationPicker(attrs={"step": "any", "class": "location-lon"}),
        ),
    }


class RegisterForm(forms.Form):
    """Registration of a matter on any staff channel (letter, visit, phone, …)."""

    registering_unit = UnitTreeChoiceField(label=_("登记单位"))
    channel = forms.ChoiceField(choices=Channel.choices, label=_("信访形式"))
    kind = forms.ChoiceField(choices=Kind.choices, label=_("信访类别"))
    matter_type = forms.ModelChoiceField(
        queryset=MatterType.objects.active().leaves().select_related("parent"),
        required=False,
        label=_("事项分类"),
    )
    received_on = forms.DateField(label=_("收到日期"), widget=DATE)
    place = forms.CharField(max_length=200, required=False, label=_("问题属地"))
    lat, lon = location_fields().values()
    summary = forms.CharField(max_length=500, label=_("内容摘要"))
    full_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, label=_("信访内容")
    )
    head_count = forms.IntegerField(min_value=1, required=False, label=_("来访人数"))
    accused_unit = UnitTreeChoiceField(
        queryset=Unit.objects.filter(is_active=True), required=False, label=_("被反映（检举）单位")
    )
    accused_person = forms.CharField(max_length=100, required=False, label=_("被反映（检举）人"))
    handed_down_by = UnitTreeChoiceField(
        queryset=Unit.objects.filter(is_active=True), required=False, label=_("转送/交办机关")
    )
    report_due = forms.DateField(required=False, widget=DATE, label=_("要求报结日期（交办）"))
    source_reference = forms.CharField(max_length=60, required=False, label=_("来文编号"))
    attachments = MultipleFileField(required=False, label=_("附件（PDF、图片、Office 文档）"))
    sms_opt_in = forms.BooleanField(
        required=False, label=_("信访人同意接收短信通知（受理、延期、答复、复查意见）")
    )
    litigation_related = forms.BooleanField(
        required=False, label=_("涉法涉诉（导入政法机关依法处理，不按普通信访程序受理）")
    )

    # Fields that apply to some channels only (the others hide them, and their values are
    # dropped): a head count for visits; the office that handed the matter down, its
    # reference and (交办) the report date for matters from above.
    CHANNEL_FIELDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "head_count": (Channel.VISIT, Channel.COLLECTIVE_VISIT),
        "handed_down_by": (Channel.FORWARDED, Channel.ASSIGNED),
        "source_reference": (Channel.FORWARDED, Channel.ASSIGNED),
        "report_due": (Channel.ASSIGNED,),
    }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["registering_unit"]).queryset = units_for(
            user, "register"
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel = data.get("channel")
        for name, channels in self.CHANNEL_FIELDS.items():
            if channel not in channels:
                data[name] = None if name != "source_reference" else ""
        return data

    def rows(self) -> list[dict[str, Any]]:
        """The fields with the channels each applies to ("" for all) and whether it is
        hidden for the channel now chosen (``register.js`` follows later changes)."""
        channel = self["channel"].value() or Channel.choices[0][0]
        out = []
        for field in self:
            channels = self.CHANNEL_FIELDS.get(field.name, ())
            out.append(
                {
                    "field": field,
                    "channels": " ".join(channels),
                    "hidden": bool(channels) and channel not in channels,
                }
            )
        return out


class PetitionerForm(forms.Form):
    role = forms.ChoiceField(choices=PetitionerRole.choices, label=_("身份"))
    name = forms.CharField(max_length=50, label=_("姓名"))
    phone = forms.CharField(max_length=20, required=False, label=_("联系电话"))
    id_number = forms.CharField(max_length=18, required=False, label=_("身份证号"))
    address = forms.CharField(max_length=200, required=False, label=_("住址"))
    wants_confidentiality = forms.BooleanField(required=False, label=_("要求保密"))


PetitionerFormSet = forms.formset_factory(
    PetitionerForm, extra=0, min_num=1, validate_min=True, max_num=50
)


class RouteTargetField(forms.ModelChoiceField):
    """The route's unit picker: the tree indented below its anchor, the proposal marked."""

    def __init__(self, *args: Any, top_depth: int, proposal: Unit | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.top_depth = top_depth
        self.proposal = proposal

    def label_from_instance(self, obj: Any) -> str:
        return indented_label(obj, self.top_depth, self.proposal)


class StepForm(forms.Form):
    """The payload of one workflow step; only the step's fields are kept."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("理由/说明")
    )
    to_unit = forms.ModelChoiceField(
        queryset=Unit.objects.filter(is_active=True), label=_("转至单位")
    )
    mode = forms.ChoiceField(choices=RouteMode.choices, label=_("方式"))
    note = forms.CharField(required=False, label=_("转交办意见"))
    report_due = forms.DateField(required=False, widget=DATE, label=_("要求报结日期"))
    notice = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("告知内容")
    )
    handler = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=_("承办人")
    )
    outcome = forms.ChoiceField(choices=Outcome.choices, label=_("处理意见"))
    request = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("信访请求")
    )
    facts = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("查明事实"))
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("理由"))
    legal_basis = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("依据"))
    review_route = forms.CharField(required=False, label=_("复查（复核）途径与期限"))
    suggestion_outcome = forms.ChoiceField(
        choices=[("", "—"), *SuggestionOutcome.choices],
        required=False,
        label=_("建议采纳情况（第二十九条）"),
    )
    procedure = forms.ChoiceField(
        choices=HandlingProcedure.choices,
        initial=HandlingProcedure.PETITION,
        required=False,  # left out: the ordinary procedure of Art. 31 (六)
        label=_("办理程序（第三十一条、第三十四条）"),
    )
    diversion = forms.ChoiceField(
        choices=[("", "不涉及导入法定程序"), *Diversion.choices],
        required=False,
        label=_("导入的法定程序（第三十一条）"),
    )
    diversion_body = forms.CharField(max_length=200, required=False, label=_("受理机关"))
    diversion_time_limit = forms.CharField(
        max_length=200, required=False, label=_("申请期限（如：自知道之日起60日内）")
    )
    occurred_on = forms.DateField(
        required=False, widget=DATE, label=_("实际办理日期（补录纸质积案时填写，默认今天）")
    )
    occurred_reason = forms.CharField(required=False, label=_("按实际日期补录的理由"))

    def __init__(self, *args: Any, step: Step, petition: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        keep = {"reason", *step.fields}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "reason" in self.fields and step.reason_required:
            self.fields["reason"].required = True
        if "suggestion_outcome" in self.fields and getattr(petition, "kind", "") != Kind.SUGGESTION:
            del self.fields["suggestion_outcome"]  # Art. 29 concerns suggestions only
        if "to_unit" in self.fields and petition is not None:
            # The ordered tree of sensible targets with the proposed default (Art. 22); the
            # accused is never offered (Art. 30, petitions/routing.py; the step refuses it too).
            proposal = proposed_target(petition)
            self.fields["to_unit"] = RouteTargetField(
                queryset=route_targets(petition, proposal),
                top_depth=routing_anchor(petition.registering_unit).depth,
                proposal=proposal,
                initial=proposal.pk if proposal is not None else None,
                label=self.fields["to_unit"].label,
            )
        if "handler" in self.fields and petition is not None:
            cast(forms.ModelChoiceField, self.fields["handler"]).queryset = User.objects.filter(
                grants__unit=petition.responsible_unit, grants__role__in=["handler", "unit_leader"]
            ).distinct()

    def payload(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "reason" and v not in (None, "")}
        return data


class ExtensionForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=30, label=_("延长天数（不超过30日）"))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label=_("延期理由（将告知信访人）")
    )
    late_reason = forms.CharField(
        required=False, label=_("逾期延期理由（办理期限已届满时必填，第三十四条）")
    )
    occurred_on = forms.DateField(
        required=False, widget=DATE, label=_("实际批准日期（补录纸质积案时填写）")
    )
    occurred_reason = forms.CharField(required=False, label=_("按实际日期补录的理由"))


class LitigationFlagForm(forms.Form):
    """涉法涉诉 (Arts. 20, 22, 28): set or clear the flag before acceptance."""

    value = forms.BooleanField(required=False, label=_("涉法涉诉"))
    reason = forms.CharField(label=_("理由"))


class RecusalForm(forms.Form):
    """回避: oneself, or (a leader) a member of staff of the responsible unit."""

    user = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=_("需回避人员（默认本人）")
    )
    reason = forms.CharField(label=_("回避理由（与事项或信访人的利害关系）"))

    def __init__(self, *args: Any, petition: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = User.objects.filter(
            grants__unit=petition.responsible_unit, is_active=True
        ).distinct()


class CoHandlingForm(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("协办单位"))
    part = forms.CharField(label=_("承担的办理事项"))

    def __init__(self, *args: Any, petition: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Art. 30: the accused is never offered (the service refuses it too).
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = Unit.objects.filter(
            may_receive_q(petition), is_active=True
        ).exclude(pk=petition.responsible_unit_id)


class SignOffForm(forms.Form):
    result = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("办理情况"))


class AgreementForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("mediation", _("调解协议")), ("settlement", _("和解协议"))], label=_("类别")
    )
    parties = forms.CharField(max_length=300, label=_("当事人"))
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=_("协议内容"))
    agreed_on = forms.DateField(required=False, widget=DATE, label=_("达成日期（默认今天）"))


class AftercareForm(forms.Form):
    measure = forms.CharField(max_length=200, label=_("帮扶措施"))
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("帮扶情况")
    )
    given_on = forms.DateField(required=False, widget=DATE, label=_("帮扶日期（默认今天）"))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件"))


class FilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("搜索"))
    status = forms.ChoiceField(
        choices=[("", "全部状态"), *Status.choices], required=False, label=_("状态")
    )
    channel = forms.ChoiceField(
        choices=[("", "全部形式"), *Channel.choices], required=False, label=_("形式")
    )
    kind = forms.ChoiceField(
        choices=[("", "全部类别"), *Kind.choices], required=False, label=_("类别")
    )
    matter_type = forms.ModelChoiceField(
        queryset=MatterType.objects.active().select_related("parent"),
        required=False,
        label=_("分类"),
        empty_label="全部分类",
    )
    unit = UnitTreeChoiceField(required=False, label=_("责任单位"), empty_label="全部单位")
    date_from = forms.DateField(required=False, widget=DATE, label=_("收到日期自"))
    date_to = forms.DateField(required=False, widget=DATE, label=_("至"))
    overdue = forms.BooleanField(required=False, label=_("仅超期"))
    sort = forms.ChoiceField(
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
        required=False,
        label=_("排序"),
    )
    # A sealed petitioner search (petitions.person_search): never the term itself.
    who = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units_for(user, "view")


class PersonSearchForm(forms.Form):
    """Find matters by petitioner (posted: the term is personal data)."""

    person = forms.CharField(max_length=50, label=_("信访人姓名、联系电话或身份证号"))


class HearingStartForm(forms.Form):
    started_on = forms.DateField(required=False, widget=DATE, label=_("听证开始日期（默认今天）"))
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("听证事项说明")
    )


class HearingEndForm(forms.Form):
    ended_on = forms.DateField(required=False, widget=DATE, label=_("听证结束日期（默认今天）"))


DELIVERY_METHODS = (
    ("直接送达", _("直接送达")),
    ("邮寄送达", _("邮寄送达")),
    ("留置送达", _("留置送达")),
    ("委托送达", _("委托送达")),
    ("电子送达", _("电子送达")),
    ("公告送达", _("公告送达")),
)


class DeliveryForm(forms.Form):
    """送达回证 of one written answer or opinion."""

    delivered_on = forms.DateField(widget=DATE, label=_("送达日期（信访人收到之日）"))
    method = forms.ChoiceField(choices=DELIVERY_METHODS, label=_("送达方式"))
    recipient = forms.CharField(max_length=50, label=_("受送达人"))


class EvidenceForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label=_("佐证材料说明"))
    file = forms.FileField(required=False, label=_("附件（可选）"))


class CompletionReportForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("结案报告内容（办理情况、结果、信访人意见）"),
    )
