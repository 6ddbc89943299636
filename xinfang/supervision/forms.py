"""Forms of the supervision pages: input shape only; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from xinfang.org.access import granted_paths
from xinfang.org.models import Unit, User
from xinfang.org.querysets import subtree_q
from xinfang.petitions.confidentiality import may_receive_q
from xinfang.petitions.forms import units_for
from xinfang.petitions.models import Petition
from xinfang.petitions.pickers import UnitTreeChoiceField, staff_over, staff_within
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


def _units(user: Any, *actions: str) -> Any:
    qs = units_for(user, actions[0])
    for action in actions[1:]:
        qs = qs | units_for(user, action)
    return qs.distinct()


def _targets(petition: Petition) -> Any:
    """Units that may carry out supervision of ``petition``: its responsible unit and the
    units below it, never the accused (条例 Art. 30)."""
    return Unit.objects.filter(
        subtree_q(petition.responsible_unit.path), may_receive_q(petition), is_active=True
    )


def _paths(units: Any) -> list[str]:
    return list(units.values_list("path", flat=True))


class _MatterForm(forms.Form):
    """A create form of one matter's supervision: its pickers follow the matter's units."""

    def __init__(self, *args: Any, user: Any, petition: Petition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.petition = petition


class ReminderForm(_MatterForm):
    supervising_unit = UnitTreeChoiceField(label=_("催办单位"))
    note = forms.CharField(widget=TEXT, label=_("催办意见"))
    reply_due = forms.DateField(required=False, widget=DATE, label=_("报送办理情况期限"))

    def __init__(self, *args: Any, user: Any, petition: Petition, **kwargs: Any) -> None:
        super().__init__(*args, user=user, petition=petition, **kwargs)
        _choices(self, "supervising_unit").queryset = _units(user, "supervise")


class NoticeForm(_MatterForm):
    supervising_unit = UnitTreeChoiceField(label=_("督办单位"))
    reasons = forms.CharField(widget=TEXT, label=_("督办事由"))
    recommendation = forms.CharField(widget=TEXT, label=_("督办意见和建议"))
    answer_days = forms.IntegerField(min_value=1, max_value=60, label=_("书面回复期限（日）"))

    def __init__(self, *args: Any, user: Any, petition: Petition, **kwargs: Any) -> None:
        super().__init__(*args, user=user, petition=petition, **kwargs)
        _choices(self, "supervising_unit").queryset = _units(user, "supervise")
        # The office's setting (条例 Arts. 39–40 set no period of their own).
        self.fields["answer_days"].initial = settings.XINFANG_SUPERVISION_ANSWER_DAYS


class ListedForm(_MatterForm):
    """The six fixed fields (六定); their presence is checked by the service so the message
    names every missing one at once (the 挂牌事由 with them). The people pickers list only
    people of the units concerned: leaders over the responsible or a supervising unit,
    handlers of the responsible units, supervisors of the supervising units."""

    lead_leader = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=_("包案领导")
    )
    responsible_unit = UnitTreeChoiceField(required=False, label=_("责任单位"))
    responsible_person = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=_("责任人")
    )
    supervising_unit = UnitTreeChoiceField(required=False, label=_("督办单位"))
    supervisor = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=_("督办人")
    )
    deadline = forms.DateField(required=False, widget=DATE, label=_("办结时限"))
    reason = forms.CharField(widget=TEXT, required=False, label=_("挂牌事由"))

    def __init__(self, *args: Any, user: Any, petition: Petition, **kwargs: Any) -> None:
        super().__init__(*args, user=user, petition=petition, **kwargs)
        targets = _targets(petition)
        supervising = _units(user, "supervise")
        _choices(self, "responsible_unit").queryset = targets
        _choices(self, "supervising_unit").queryset = supervising
        self.fields["responsible_unit"].initial = petition.responsible_unit_id
        # Leaders over the responsible unit or over a unit the actor supervises from.
        over = [petition.responsible_unit.path, *granted_paths(user, "supervise")]
        _choices(self, "lead_leader").queryset = staff_over(over, "lead", "receive")
        _choices(self, "responsible_person").queryset = staff_within(_paths(targets), "handle")
        _choices(self, "supervisor").queryset = staff_within(_paths(supervising), "supervise")


class OwnershipForm(_MatterForm):
    leader = forms.ModelChoiceField(queryset=User.objects.none(), label=_("包案领导"))
    note = forms.CharField(widget=TEXT, required=False, label=_("包案说明"))

    def __init__(self, *args: Any, user: Any, petition: Petition, **kwargs: Any) -> None:
        super().__init__(*args, user=user, petition=petition, **kwargs)
        # The leaders whose grant covers the responsible unit (the service's rule).
        _choices(self, "leader").queryset = staff_over(
            [petition.responsible_unit.path], "lead", "receive"
        )


class InstructionForm(_MatterForm):
    supervising_unit = UnitTreeChoiceField(label=_("登记单位"))
    leader_name = forms.CharField(max_length=50, label=_("批示领导（姓名、职务）"))
    instructed_on = forms.DateField(widget=DATE, label=_("批示日期"))
    text = forms.CharField(widget=TEXT, label=_("批示内容"))
    responsible_unit = UnitTreeChoiceField(required=False, label=_("落实单位（默认为责任单位）"))
    due = forms.DateField(widget=DATE, label=_("落实期限"))

    def __init__(self, *args: Any, user: Any, petition: Petition, **kwargs: Any) -> None:
        super().__init__(*args, user=user, petition=petition, **kwargs)
        _choices(self, "supervising_unit").queryset = _units(user, "supervise", "lead", "receive")
        _choices(self, "responsible_unit").queryset = _targets(petition)


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
    unit = UnitTreeChoiceField(required=False, label=_("责任单位"), empty_label="全部单位")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "unit").queryset = units_for(user, "view")
