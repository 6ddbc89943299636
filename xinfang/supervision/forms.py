"""Forms of the supervision pages: input shape only; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xinfang.org.choices import AccountKind
from xinfang.org.models import Unit, User
from xinfang.petitions.confidentiality import may_receive_q
from xinfang.petitions.forms import units_for
from xinfang.supervision.choices import RecordKind

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 3})


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField[Any]:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - type narrowing only
    return field


def exclude_accused(form: forms.Form, petition: Any) -> forms.Form:
    """The unit pickers of a form about ``petition`` never offer its accused (条例 Art. 30:
    ``confidentiality.may_receive_q``; the services refuse it too)."""
    for field in form.fields.values():
        if not isinstance(field, forms.ModelChoiceField) or field.queryset is None:
            continue
        if field.queryset.model is Unit:
            field.queryset = field.queryset.filter(may_receive_q(petition))
    return form


def _staff() -> Any:
    return User.objects.filter(is_active=True, kind=AccountKind.STAFF).order_by("unit__path", "pk")


def _units(user: Any, *actions: str) -> Any:
    qs = units_for(user, actions[0])
    for action in actions[1:]:
        qs = qs | units_for(user, action)
    return qs.distinct()


class ReminderForm(forms.Form):
    supervising_unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("催办单位"))
    note = forms.CharField(widget=TEXT, label=_("催办意见"))
    reply_due = forms.DateField(required=False, widget=DATE, label=_("报送办理情况期限"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "supervising_unit").queryset = _units(user, "supervise")


class NoticeForm(forms.Form):
    supervising_unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("督办单位"))
    reasons = forms.CharField(widget=TEXT, label=_("督办事由"))
    recommendation = forms.CharField(widget=TEXT, label=_("督办意见和建议"))
    answer_days = forms.IntegerField(min_value=1, max_value=60, label=_("书面回复期限(日)"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "supervising_unit").queryset = _units(user, "supervise")
        # The office's setting (条例 Arts. 39–40 set no period of their own).
        self.fields["answer_days"].initial = settings.XINFANG_SUPERVISION_ANSWER_DAYS


class ListedForm(forms.Form):
    """The six fixed fields (六定); their presence is checked by the service so the message
    names every missing one at once."""

    lead_leader = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=_("包案领导")
    )
    responsible_unit = forms.ModelChoiceField(
        queryset=Unit.objects.filter(is_active=True), required=False, label=_("责任单位")
    )
    responsible_person = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=_("责任人")
    )
    supervising_unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), required=False, label=_("督办单位")
    )
    supervisor = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=_("督办人")
    )
    deadline = forms.DateField(required=False, widget=DATE, label=_("办结时限"))
    reason = forms.CharField(widget=TEXT, label=_("挂牌事由"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lead_leader", "responsible_person", "supervisor"):
            _choices(self, name).queryset = _staff()
        _choices(self, "supervising_unit").queryset = _units(user, "supervise")


class OwnershipForm(forms.Form):
    leader = forms.ModelChoiceField(queryset=User.objects.none(), label=_("包案领导"))
    note = forms.CharField(widget=TEXT, required=False, label=_("包案说明"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "leader").queryset = (
            _staff().filter(grants__role__in=["unit_leader", "receiving_leader"]).distinct()
        )


class InstructionForm(forms.Form):
    supervising_unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("登记单位"))
    leader_name = forms.CharField(max_length=50, label=_("批示领导(姓名、职务)"))
    instructed_on = forms.DateField(widget=DATE, label=_("批示日期"))
    text = forms.CharField(widget=TEXT, label=_("批示内容"))
    responsible_unit = forms.ModelChoiceField(
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        label=_("落实单位(默认为责任单位)"),
    )
    due = forms.DateField(widget=DATE, label=_("落实期限"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "supervising_unit").queryset = _units(user, "supervise", "lead", "receive")


CREATE_FORMS: dict[str, Any] = {
    RecordKind.REMINDER: ReminderForm,
    RecordKind.NOTICE: NoticeForm,
    RecordKind.LISTED: ListedForm,
    RecordKind.OWNERSHIP: OwnershipForm,
    RecordKind.INSTRUCTION: InstructionForm,
}


class ActionForm(forms.Form):
    """Reply to a reminder, answer a notice, delist, end ownership, complete an instruction."""

    adopted = forms.TypedChoiceField(
        choices=[("1", "采纳"), ("0", "不采纳")],
        coerce=lambda v: v == "1",
        required=False,
        label=_("是否采纳督办建议"),
    )
    text = forms.CharField(widget=TEXT, label=_("内容"))


class ListFilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("搜索事项编号或摘要"))
    state = forms.ChoiceField(
        choices=[
            ("open", "未办结"),
            ("overdue", "已超期"),
            ("due_soon", "7日内到期"),
            ("all", "全部"),
        ],
        required=False,
        label=_("状态"),
    )
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), required=False, label=_("责任单位"), empty_label="全部单位"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "unit").queryset = units_for(user, "view")
