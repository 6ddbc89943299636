"""The daily log's workflow, declared on the core engine (:mod:`xinfang.core.workflow`).

A resident's item is handled on the spot, handed to a unit with a deadline, or raised to
the street office for coordination (哈办发〔2011〕14号: 小事不出网格、大事不出社区); its
result goes back to the resident. In one step an item can instead become a petition matter
(条例 Art. 18) or a dispute in the screening ledger; the item keeps the link.

::

    open ──hand_on──▶ handed ──resolve──▶ resolved
      │ ──raise────▶ raised ──resolve──▶ resolved
      │ ──resolve (当场办结)────────────▶ resolved
      └──to_petition / to_dispute──────▶ converted

The worker's grant ("grid") over the item's grid takes every step; the unit an item was
handed to (or the street it was raised to) resolves it with "handle".
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django.urls import reverse
from pydantic import BaseModel, ConfigDict

from xinfang.core import outbox
from xinfang.core import workflow as engine
from xinfang.core.errors import NotFoundOrForbidden
from xinfang.core.workflow import Ctx, Step
from xinfang.grids.choices import LogItemStatus as S
from xinfang.grids.errors import GridsError
from xinfang.grids.models import LogItem, LogItemTransition
from xinfang.org.access import can
from xinfang.org.models import Unit

__all__ = ["STEPS", "WORKFLOW", "transition"]


class HandOnInput(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    unit_id: int
    deadline: date


class ResolveInput(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    result_returned: bool = False


class PetitionLink(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    petition_id: int


class DisputeLink(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    dispute_id: int


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            "hand_on", "转交单位办理", frozenset({S.OPEN}), S.HANDED, ("grid",), input=HandOnInput
        ),
        Step("raise", "上报街道协调", frozenset({S.OPEN}), S.RAISED, ("grid",), input=HandOnInput),
        Step(
            "resolve",
            "登记办理结果",
            frozenset({S.OPEN, S.HANDED, S.RAISED}),
            S.RESOLVED,
            ("grid", "handle"),
            reason_required=True,
            input=ResolveInput,
        ),
        Step(
            "to_petition",
            "转为信访事项",
            frozenset({S.OPEN}),
            S.CONVERTED,
            ("grid", "register"),
            article="《信访工作条例》第十八条",
            input=PetitionLink,
        ),
        Step(
            "to_dispute",
            "转为矛盾纠纷",
            frozenset({S.OPEN}),
            S.CONVERTED,
            ("grid", "handle"),
            input=DisputeLink,
        ),
    )
}


def _hand_on(ctx: Ctx) -> None:
    data = cast(HandOnInput, ctx.input)
    unit = Unit.objects.filter(pk=data.unit_id, is_active=True).first()
    if unit is None:
        raise GridsError("转交单位不存在")
    if data.deadline < ctx.today:
        raise GridsError("办理期限不能早于今天")
    ctx.changes |= {"handed_to": unit, "deadline": data.deadline}
    ctx.record |= {"unit": unit.name, "deadline": data.deadline.isoformat()}
    item = ctx.obj

    def tell_unit() -> None:
        outbox.queue(
            key=f"grid_item:{item.pk}:{item.version}",
            kind="grid_item",
            text=(
                f"{item.grid.name}转来民情事项：{item.summary[:60]}，"
                f"请于 {data.deadline} 前办理并反馈"
            ),
            unit_id=unit.pk,
            link=reverse("grids:log_item_detail", args=[item.pk]),
            source="grids",
            due=data.deadline,
        )

    ctx.after.append(tell_unit)


def _raise(ctx: Ctx) -> None:
    data = cast(HandOnInput, ctx.input)
    community = ctx.obj.grid.parent
    street = community.parent if community is not None else None
    if street is None or data.unit_id != street.pk:
        raise GridsError("只能上报本网格所在的街道（乡镇）")
    _hand_on(ctx)


def _resolve(ctx: Ctx) -> None:
    data = cast(ResolveInput, ctx.input)
    ctx.changes |= {
        "result": ctx.reason,
        "result_returned": data.result_returned,
        "closed_at": ctx.now,
    }


def _to_petition(ctx: Ctx) -> None:
    data = cast(PetitionLink, ctx.input)
    ctx.changes |= {"petition_id": data.petition_id, "closed_at": ctx.now}
    ctx.record["petition"] = data.petition_id


def _to_dispute(ctx: Ctx) -> None:
    data = cast(DisputeLink, ctx.input)
    ctx.changes |= {"dispute_id": data.dispute_id, "closed_at": ctx.now}
    ctx.record["dispute"] = data.dispute_id


def _units(item: LogItem, step: Step) -> tuple[str, ...]:
    paths = [item.grid.path]
    if item.handed_to is not None and step.name == "resolve":
        paths.append(item.handed_to.path)
    return tuple(paths)


def _authorize(actor: Any, item: LogItem, step: Step) -> None:
    if not WORKFLOW.may(actor, item, step):
        raise NotFoundOrForbidden("该民情日志不存在或您无权操作")


WORKFLOW = engine.register(
    engine.Workflow(
        model=LogItem,
        steps=tuple(STEPS.values()),
        log=LogItemTransition,
        log_owner="item",
        units=_units,
        can=can,
        effects={
            "hand_on": _hand_on,
            "raise": _raise,
            "resolve": _resolve,
            "to_petition": _to_petition,
            "to_dispute": _to_dispute,
        },
        authorize=_authorize,
        concurrent="该民情日志已被他人处理，请刷新后重试",
        reason_missing="“{label}”须填写说明",
    )
)


def transition(
    item: LogItem, step: str, *, actor: Any, reason: str = "", data: dict[str, Any] | None = None
) -> LogItem:
    """Take ``step`` on ``item`` (the core engine's ``transition``)."""
    result: LogItem = engine.transition(item, step, actor=actor, reason=reason, data=data)
    return result
