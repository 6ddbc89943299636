"""Forms of the statistics pages: the ranking's settings and its publication."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.org.choices import UnitLevel
from xinfang.statistics.periods import month_start
from xinfang.statistics.ranking import DEFAULT_MIN_SAMPLE, Weights


class RankingForm(forms.Form):
    """GET parameters of the ranking page (also posted, hidden, to publish it)."""

    level = forms.ChoiceField(label=_("排名层级"), choices=())
    month = forms.CharField(label=_("月份"), max_length=7, help_text="YYYY-MM")
    w_timely = forms.IntegerField(label=_("及时受理率权重"), min_value=0, max_value=100, initial=1)
    w_completion = forms.IntegerField(
        label=_("按期办结率权重"), min_value=0, max_value=100, initial=1
    )
    w_satisfaction = forms.IntegerField(
        label=_("群众满意率权重"), min_value=0, max_value=100, initial=1
    )
    min_sample = forms.IntegerField(
        label=_("最少事项数"), min_value=1, max_value=10_000, initial=DEFAULT_MIN_SAMPLE
    )

    def __init__(self, *args: Any, levels: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.levels = levels
        level = cast(forms.ChoiceField, self.fields["level"])
        level.choices = [(lv, UnitLevel(lv).label) for lv in levels]

    def clean_month(self) -> date:
        raw = self.cleaned_data["month"]
        try:
            year, month = raw.split("-")
            return month_start(date(int(year), int(month), 1))
        except ValueError as exc:
            raise forms.ValidationError("月份格式为 YYYY-MM") from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weights = [data.get(k) for k in ("w_timely", "w_completion", "w_satisfaction")]
        if all(w is not None for w in weights) and sum(weights) == 0:  # type: ignore[arg-type]
            raise forms.ValidationError("权重不能全为0")
        return data

    def weights(self) -> Weights:
        d = self.cleaned_data
        return Weights(d["w_timely"], d["w_completion"], d["w_satisfaction"])


class PublishForm(RankingForm):
    public = forms.BooleanField(
        label=_("同时向社会公开（不含个人信息和检举控告内容）"), required=False
    )
