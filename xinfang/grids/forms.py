"""Forms of the grid pages: they validate input, then the views call a service."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils import timezone

from xinfang.grids.choices import LogItemTopic
from xinfang.grids.services import Disposition
from xinfang.ledgers.choices import DisputeDomain, RiskLevel
from xinfang.org.choices import Role, UnitLevel
from xinfang.org.models import Unit, User
from xinfang.petitions.choices import Kind

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"})


def _grids(user: Any) -> Any:
    return Unit.objects.restrict(user, "grid").filter(level=UnitLevel.GRID, is_active=True)


class BoundaryImportForm(forms.Form):
    """A boundary file, or the GeoJSON the map editor posts after vertices were moved."""

    file = forms.FileField(label="边界文件（GeoJSON,WGS-84）", required=False)
    geojson = forms.CharField(widget=forms.HiddenInput, required=False, max_length=5_000_000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not data.get("geojson"):
            raise forms.ValidationError("请选择边界文件")
        return data

    def text(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload:
            raw: bytes = upload.read()
            return raw.decode("utf-8-sig")
        return str(self.cleaned_data["geojson"])


class GridDrawForm(forms.Form):
    """A grid polygon drawn on the community map: its code, and a new name or a grid of the
    community that has no boundary yet."""

    code = forms.CharField(label="网格编码", max_length=30)
    name = forms.CharField(label="网格名称（新建网格时填写）", max_length=100, required=False)
    grid = forms.ModelChoiceField(
        label="或用于已有但尚无边界的网格",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="—新建网格—",
    )
    geometry = forms.CharField(widget=forms.HiddenInput, max_length=1_000_000)

    def __init__(self, *args: Any, community: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            parent=community, level=UnitLevel.GRID, is_active=True, boundary__isnull=True
        ).order_by("name")

    def clean_geometry(self) -> dict[str, Any]:
        try:
            data = json.loads(self.cleaned_data["geometry"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError("绘制的多边形无法读取，请重新绘制") from exc
        if not isinstance(data, dict):
            raise forms.ValidationError("绘制的多边形无法读取，请重新绘制")
        return data


class AddressImportForm(forms.Form):
    file = forms.FileField(label="地址文件（xlsx 或 CSV:id,lon,lat，可选 label,households）")


class PairForm(forms.Form):
    """Two workers of a grid in AB roles."""

    grid = forms.ModelChoiceField(label="网格", queryset=Unit.objects.none())
    a = forms.ModelChoiceField(label="A岗", queryset=User.objects.none())
    b = forms.ModelChoiceField(label="B岗", queryset=User.objects.none())

    def __init__(self, *args: Any, community: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grids = Unit.objects.filter(parent=community, level=UnitLevel.GRID, is_active=True)
        workers = User.objects.filter(
            grants__role=Role.GRID_WORKER, grants__unit__in=[community, *grids]
        ).distinct()
        self.fields["grid"].queryset = grids  # type: ignore[attr-defined]
        self.fields["a"].queryset = workers  # type: ignore[attr-defined]
        self.fields["b"].queryset = workers  # type: ignore[attr-defined]


class PatrolForm(forms.Form):
    grid = forms.ModelChoiceField(label="网格", queryset=Unit.objects.none())
    day = forms.DateField(label="日期", widget=DATE)
    started = forms.TimeField(label="开始时间", widget=TIME)
    ended = forms.TimeField(label="结束时间", widget=TIME)
    notes = forms.CharField(
        label="巡查情况", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = _grids(user)  # type: ignore[attr-defined]
        self.fields["day"].initial = timezone.localdate()


class LogItemForm(forms.Form):
    grid = forms.ModelChoiceField(label="网格", queryset=Unit.objects.none())
    topic = forms.ChoiceField(label="类别", choices=LogItemTopic.choices)
    summary = forms.CharField(label="反映内容", widget=forms.Textarea(attrs={"rows": 4}))
    place = forms.CharField(label="地点", required=False)
    contact = forms.CharField(
        label="联系电话（可选，群众愿意留下时填写，加密保存）", required=False, max_length=20
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = _grids(user)  # type: ignore[attr-defined]


class HandOnForm(forms.Form):
    unit = forms.ModelChoiceField(label="转交单位", queryset=Unit.objects.none())
    deadline = forms.DateField(label="办理期限", widget=DATE)
    reason = forms.CharField(label="说明", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]
            is_active=True, level__in=[UnitLevel.DEPARTMENT, UnitLevel.TOWNSHIP, UnitLevel.VILLAGE]
        )


class RaiseForm(forms.Form):
    deadline = forms.DateField(label="协调期限", widget=DATE)
    reason = forms.CharField(label="说明", required=False)


class ResolveForm(forms.Form):
    result = forms.CharField(label="办理结果", widget=forms.Textarea(attrs={"rows": 3}))
    returned = forms.BooleanField(label="已将结果反馈群众", required=False)


class ToPetitionForm(forms.Form):
    registering_unit = forms.ModelChoiceField(label="登记单位", queryset=Unit.objects.none())
    petitioner_name = forms.CharField(label="信访人姓名（群众同意转为信访事项时填写）")
    kind = forms.ChoiceField(label="类别", choices=Kind.choices, initial=Kind.APPEAL)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["registering_unit"].queryset = Unit.objects.restrict(  # type: ignore[attr-defined]
            user, "register"
        ).filter(is_active=True)


class ToDisputeForm(forms.Form):
    unit = forms.ModelChoiceField(label="台账单位", queryset=Unit.objects.none())
    domain = forms.ChoiceField(label="纠纷类别", choices=DisputeDomain.choices)
    parties = forms.CharField(label="当事人（名称及身份）")
    risk_level = forms.ChoiceField(label="风险等级", choices=RiskLevel.choices)
    responsible_person = forms.CharField(label="责任人")
    deadline = forms.DateField(label="化解期限", widget=DATE)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.restrict(user, "handle").filter(  # type: ignore[attr-defined]
            is_active=True
        )


class MeetingForm(forms.Form):
    """Notes of a meeting (the street's weekly review)."""

    notes = forms.CharField(
        label="会议情况", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


DISPOSITION_CHOICES = [
    ("", "—请选择—"),
    ("resolve", "会上办结"),
    ("hand_on", "转交单位"),
    ("raise", "上报街道"),
]


class DailyMeetingForm(forms.Form):
    """The daily meeting (当日清): one disposition per open item, and the meeting's notes.

    Fields of item 12 are ``i12-step``, ``i12-result``, ``i12-returned``, ``i12-unit`` and
    ``i12-deadline``. An item without a step is left to the service, which refuses the
    meeting and names every such item."""

    notes = forms.CharField(
        label="会议情况", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        # Read once for every row (a ModelChoiceField per row would query per row).
        self.units = {
            str(u.pk): u
            for u in Unit.objects.filter(
                is_active=True,
                level__in=[UnitLevel.DEPARTMENT, UnitLevel.TOWNSHIP, UnitLevel.VILLAGE],
            ).order_by("path")
        }
        unit_choices = [("", "—"), *((pk, u.name) for pk, u in self.units.items())]
        for item in items:
            p = f"i{item.pk}-"
            self.fields[p + "step"] = forms.ChoiceField(
                label="处理方式", choices=DISPOSITION_CHOICES, required=False
            )
            self.fields[p + "result"] = forms.CharField(
                label="办理结果", required=False, widget=forms.Textarea(attrs={"rows": 1})
            )
            self.fields[p + "returned"] = forms.BooleanField(label="已反馈群众", required=False)
            self.fields[p + "unit"] = forms.ChoiceField(
                label="转交单位", choices=unit_choices, required=False
            )
            self.fields[p + "deadline"] = forms.DateField(label="期限", required=False, widget=DATE)

    def rows(self) -> list[tuple[Any, list[Any]]]:
        """Each item with its bound fields, in the order the template lays them out."""
        names = ("step", "result", "returned", "unit", "deadline")
        return [(item, [self[f"i{item.pk}-{n}"] for n in names]) for item in self.items]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for item in self.items:
            p = f"i{item.pk}-"
            step = data.get(p + "step")
            label = f"民情日志 {item.pk}"
            if step == "resolve" and not (data.get(p + "result") or "").strip():
                self.add_error(p + "result", f"{label}：会上办结须填写办理结果")
            if step in ("hand_on", "raise") and not data.get(p + "deadline"):
                self.add_error(p + "deadline", f"{label}：须填写办理期限")
            if step == "hand_on" and not data.get(p + "unit"):
                self.add_error(p + "unit", f"{label}：须选择转交单位")
        return data

    def dispositions(self) -> dict[int, Disposition]:
        d = self.cleaned_data
        found: dict[int, Disposition] = {}
        for item in self.items:
            p = f"i{item.pk}-"
            if d.get(p + "step"):
                found[item.pk] = Disposition(
                    step=d[p + "step"],
                    result=(d.get(p + "result") or "").strip(),
                    returned=bool(d.get(p + "returned")),
                    unit=self.units.get(d.get(p + "unit") or ""),
                    deadline=d.get(p + "deadline"),
                )
        return found
