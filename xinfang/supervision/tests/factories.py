"""Factories of supervision records (factory_boy) and a matter helper."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from xinfang.org.choices import Role
from xinfang.petitions.models import Petition
from xinfang.petitions.services import PetitionerData, register_petition
from xinfang.shell.testing import Cast
from xinfang.supervision.models import Instruction, SupervisionNotice

_seq = itertools.count(1)


def matter(cast: Cast, *, unit: Any = None, summary: str = "", **kwargs: Any) -> Petition:
    """A registered matter whose responsible unit is ``unit`` (default ``cast.unit_a``)."""
    unit = unit or cast.unit_a
    kwargs.setdefault("channel", "letter")
    kwargs.setdefault("kind", "appeal")
    return register_petition(
        actor=cast.user_with(Role.REGISTRAR, unit),
        registering_unit=unit,
        summary=summary or f"督办测试事项{next(_seq)}",
        petitioners=kwargs.pop("petitioners", None) or [PetitionerData(name="测试信访人")],
        propose_matches=False,
        **kwargs,
    ).petition


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisionNotice

    number = factory.Sequence(lambda n: f"测试督〔2026〕{n + 1}号")
    issued_on = factory.LazyFunction(timezone.localdate)
    reasons = "办理进度缓慢"
    recommendation = "建议加快办理"
    answer_due = factory.LazyAttribute(lambda o: o.issued_on + timedelta(days=30))


class InstructionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Instruction

    leader_name = "县长"
    instructed_on = factory.LazyFunction(timezone.localdate)
    text = "请妥善处理"
    due = factory.LazyAttribute(lambda o: o.instructed_on + timedelta(days=10))
