"""Template helpers of the statistics: a figure as a link to the matters behind it."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from xinfang.petitions.measures import Ratio

register = template.Library()


@register.simple_tag
def figure_link(unit: Any, period: Any, key: str, value: Any, *, link: bool = True) -> str:
    """``value`` linked to the drill-down list of ``key`` for ``unit``'s subtree (plain
    text for 0 and for rows that are not a subtree, such as the root's own matters)."""
    if not link or not value:
        return format_html("{}", value if value is not None else "—")
    url = reverse("statistics:figure_list", args=[getattr(unit, "pk", unit), key])
    return format_html('<a href="{}?period={}">{}</a>', url, period.value, value)


@register.simple_tag
def ratio_cell(unit: Any, period: Any, measure: str, ratio: Ratio, *, link: bool = True) -> str:
    """A rate with its numerator and denominator, each linked to its matters."""
    if ratio.percent is None and not ratio.pending:
        return "—"
    parts = [
        format_html("{}%", ratio.percent) if ratio.percent is not None else "—",
        format_html(
            "({}/{})",
            figure_link(unit, period, f"{measure}.numerator", ratio.numerator, link=link),
            figure_link(unit, period, f"{measure}.denominator", ratio.denominator, link=link),
        ),
    ]
    if ratio.pending:
        parts.append(
            format_html(
                '<br><small class="hint">另有{}件期限待定</small>',
                figure_link(unit, period, f"{measure}.pending", ratio.pending, link=link),
            )
        )
    return format_html("".join(["{}"] * len(parts)), *parts)


@register.filter
def get(mapping: Any, key: str) -> Any:
    return mapping[key]
