"""Forms of the public pages: input shape and spam controls; the petitions services decide.

Spam controls on the submission form (no CAPTCHA, which shuts out older and blind users):
a honeypot field that people never see, a signed render time with a minimum fill time, a
per-address rate limit (in the view) and size limits on every field and on attachments.
The signed token also carries the idempotency key of this rendering of the form, so a
double submit (double click, reload, flaky network) registers one matter.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core import signing
from django.db.models import Min
from django.utils.translation import gettext_lazy as _

from xinfang.core.errors import PersonalDataError
from xinfang.core.personal_data import normalize_phone, validate_id_number
from xinfang.org.choices import UnitLevel
from xinfang.org.models import Unit
from xinfang.petitions.choices import Kind, Rating
from xinfang.petitions.forms import MultipleFileField, location_fields
from xinfang.petitions.models import MatterType

__all__ = [
    "MAX_ATTACHMENTS",
    "MIN_FILL_SECONDS",
    "LookupForm",
    "RatingForm",
    "ReviewForm",
    "SubmitForm",
    "default_receiving_unit",
    "make_form_token",
    "receiving_units",
]

MIN_FILL_SECONDS = 3  # a person cannot read and fill the form faster
MAX_FORM_AGE_SECONDS = 12 * 60 * 60  # long letters take time; older tokens are replayed
MAX_ATTACHMENTS = 5
MAX_FULL_TEXT = 10_000
TOKEN_SALT = "xinfang.portal.submit"  # noqa: S105 - a signing salt, not a secret
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

# Levels a citizen can address a petition to (villages and grids are not 机关; internal
# sub-units answer through their unit).
RECEIVING_LEVELS = (
    UnitLevel.PROVINCE,
    UnitLevel.CITY,
    UnitLevel.COUNTY,
    UnitLevel.TOWNSHIP,
    UnitLevel.DEPARTMENT,
)


def receiving_units() -> Any:
    """Units a citizen may address: government bodies, petition offices, discipline bodies."""
    return Unit.objects.filter(is_active=True, level__in=RECEIVING_LEVELS).order_by("path")


def default_receiving_unit() -> Unit | None:
    """The county petition office (信访工作机构 at county level), else the first office."""
    offices = list(
        Unit.objects.filter(is_active=True, is_petition_office=True).order_by("depth", "path")
    )
    if not offices:
        return None
    from xinfang.petitions.units import territorial_level

    county = [u for u in offices if territorial_level(u) == UnitLevel.COUNTY]
    return county[0] if county else offices[0]


def make_form_token(now: float | None = None) -> str:
    """A signed token: when the form was rendered, and this rendering's idempotency key."""
    stamp = int(now if now is not None else time.time())
    return signing.dumps({"t": stamp, "k": secrets.token_urlsafe(24)}, salt=TOKEN_SALT)


@dataclass(frozen=True)
class FormToken:
    rendered_at: int
    key: str


def read_form_token(raw: str) -> FormToken | None:
    try:
        data = signing.loads(raw or "", salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    stamp, key = data.get("t"), data.get("k")
    if not isinstance(stamp, int) or not isinstance(key, str) or not _KEY_RE.match(key):
        return None
    return FormToken(stamp, key)


class UnitTreeChoiceField(forms.ModelChoiceField):
    """A unit select shown as an indented tree (works without JavaScript).

    The indentation's base (the shallowest unit's depth) is one aggregate, run only when
    the options are rendered: a submitted form validates one unit by its pk and renders
    nothing when it succeeds.
    """

    # Shared by the form's unit selects over the same units (set in the form's __init__).
    base_depth: dict[str, int] | None = None

    def _base(self) -> int:
        if self.base_depth is None:
            self.base_depth = {}
        if "base" not in self.base_depth:
            units = self.queryset if self.queryset is not None else Unit.objects.none()
            self.base_depth["base"] = units.aggregate(base=Min("depth"))["base"] or 0
        return self.base_depth["base"]

    def label_from_instance(self, obj: Any) -> str:
        indent = "\u3000" * max(0, int(obj.depth) - self._base())
        suffix = "（信访工作机构）" if obj.is_petition_office else ""
        return f"{indent}{obj.name}{suffix}"


class MatterTypeField(forms.ChoiceField):
    """The matter type select; its options are read only when rendered.

    Validation is ``SubmitForm.clean_matter_type`` (an active leaf with that code, one
    query), so a submission does not also load every option to check membership.
    """

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)


def _matter_type_choices() -> list[Any]:
    groups: dict[str, list[tuple[str, str]]] = {}
    order: list[str] = []
    rows = (
        MatterType.objects.active()
        .leaves()
        .select_related("parent")
        .order_by("parent__order", "parent__code", "order", "code")
    )
    for row in rows:
        group = row.parent.name if row.parent else ""
        if group not in groups:
            groups[group] = []
            order.append(group)
        groups[group].append((row.code, row.name))
    return [("", "请选择事项类别"), *[(g, groups[g]) for g in order]]


class SubmitForm(forms.Form):
    """The online petition (网上信访, 条例 Art. 17)."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        help_text=_("用于查询办理进展和接收答复，请填写本人常用电话"),
    )
    id_number = forms.CharField(label=_("身份证号（选填）"), max_length=18, required=False)
    address = forms.CharField(label=_("联系地址"), max_length=200)
    kind = forms.ChoiceField(
        label=_("信访类别"), choices=Kind.choices, widget=forms.RadioSelect, initial=Kind.APPEAL
    )
    matter_type = MatterTypeField(label=_("事项类别"), choices=_matter_type_choices)
    receiving_unit = UnitTreeChoiceField(
        label=_("向哪个机关反映"),
        queryset=Unit.objects.none(),
        empty_label="请选择接收机关",
        help_text=_("不清楚时请选择县信访工作机构，由其转送有权处理的机关"),
    )
    place = forms.CharField(
        label=_("问题发生地"), max_length=200, help_text=_("乡镇（街道）、村（社区）或具体地点")
    )
    lat, lon = location_fields().values()
    summary = forms.CharField(
        label=_("诉求摘要"), max_length=200, help_text=_("一句话说明您的请求，不超过200字")
    )
    full_text = forms.CharField(
        label=_("详细内容"),
        max_length=MAX_FULL_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("事实、理由和请求，不超过一万字"),
    )
    accused_unit = UnitTreeChoiceField(
        label=_("被检举控告的单位（检举控告类选填）"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label="不涉及或不清楚",
    )
    accused_person = forms.CharField(
        label=_("被检举控告的人员或单位名称（检举控告类必填）"), max_length=100, required=False
    )
    wants_confidentiality = forms.BooleanField(
        label=_("请对我的姓名和个人信息保密"),
        required=False,
        help_text=_("保密后，只有办理您事项的工作人员能看到您的身份；检举控告人的身份一律保密"),
    )
    sms_opt_in = forms.BooleanField(
        label=_("受理、延期、答复和复查意见时给我发短信"),
        required=False,
        help_text=_("短信只含事项编号、办理环节和日期，不含反映内容和查询码"),
    )
    attachments = MultipleFileField(
        label=_("附件（选填）"),
        required=False,
        help_text=_("PDF、图片或 Office 文档，最多5个，每个不超过20MB"),
    )
    # Spam controls: a honeypot nobody sees, and the signed render time + idempotency key.
    website = forms.CharField(label=_("请勿填写此项"), required=False)
    form_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = receiving_units()
        base_depth: dict[str, int] = {}
        for name in ("receiving_unit", "accused_unit"):
            field = self.fields[name]
            assert isinstance(field, UnitTreeChoiceField)  # noqa: S101 - declared above
            field.queryset = units
            field.base_depth = base_depth
        if not self.is_bound:
            default = default_receiving_unit()
            if default is not None:
                self.initial.setdefault("receiving_unit", default.pk)
        autocomplete = {"name": "name", "phone": "tel", "address": "street-address"}
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["phone"].widget.attrs.update(inputmode="tel")
        self.fields["id_number"].widget.attrs.update(autocomplete="off")
        self.fields["website"].widget.attrs.update(tabindex="-1", autocomplete="off")
        self.fields["attachments"].widget.attrs.update(
            accept=".pdf,.jpg,.jpeg,.png,.gif,.webp,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt"
        )

    def clean_phone(self) -> str:
        try:
            return normalize_phone(self.cleaned_data["phone"])
        except PersonalDataError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_id_number(self) -> str:
        raw = self.cleaned_data.get("id_number", "").strip()
        if not raw:
            return ""
        try:
            return validate_id_number(raw)
        except PersonalDataError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_matter_type(self) -> MatterType:
        code = self.cleaned_data.get("matter_type")
        found = MatterType.objects.active().leaves().filter(code=code).first()
        if found is None:
            raise forms.ValidationError(_("请选择事项类别"))
        return found

    def clean_attachments(self) -> list[Any]:
        files = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(_("附件最多5个"))
        return list(files)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Kind.ACCUSATION and not (
            data.get("accused_unit") or (data.get("accused_person") or "").strip()
        ):
            self.add_error("accused_person", _("检举控告类事项请写明被检举控告的单位或人员"))
        return data


class LookupForm(forms.Form):
    """Query code + phone (the code alone is not enough: both must match)."""

    code = forms.CharField(
        label=_("查询码"),
        max_length=60,
        help_text=_(
            "提交时页面上或受理告知书上的查询码（七组，每组四位），可含短横线；字母不分大小写"
        ),
    )
    phone = forms.CharField(label=_("联系电话"), max_length=20, help_text=_("提交时填写的电话"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(autocomplete="off", spellcheck="false")
        self.fields["phone"].widget.attrs.update(autocomplete="tel", inputmode="tel")


class RatingForm(forms.Form):
    """The petitioner's evaluation of the answer (条例 Art. 21)."""

    rating = forms.ChoiceField(
        label=_("您对答复的评价"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("意见和建议（选填）"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(forms.Form):
    """A request for review (复查, Art. 35) or re-review (复核, Art. 36)."""

    reason = forms.CharField(
        label=_("请求理由"),
        max_length=MAX_FULL_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("说明您对意见不服的事实和理由"),
    )


class CodeReplaceForm(forms.Form):
    """A lost query code: the matter number and the contact phone given at submission."""

    number = forms.CharField(
        label=_("信访事项编号"), max_length=20, help_text=_("如 XF20260000123，见受理告知书")
    )
    phone = forms.CharField(label=_("联系电话"), max_length=20, help_text=_("提交时填写的电话"))


class PhoneCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("短信验证码"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": _("请输入6位数字")},
    )


class PublicTitleForm(forms.Form):
    title = forms.CharField(
        label=_("公开标题"),
        max_length=60,
        required=False,
        help_text=_(
            "在公开的 Open311 诉求列表中显示，说明事项是关于什么的；"
            "不得含姓名、门牌号、电话或信访人原话。留空则显示事项分类的通用说明。"
        ),
    )
