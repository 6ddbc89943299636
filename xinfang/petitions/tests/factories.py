"""Factories and helpers for petitions tests."""

from __future__ import annotations

import itertools
from typing import Any

import factory

from xinfang.core import crypto
from xinfang.org.choices import Role
from xinfang.org.models import Unit, User
from xinfang.petitions.choices import Channel, Kind
from xinfang.petitions.models import Petition
from xinfang.petitions.services import PetitionerData, Registration, register_petition
from xinfang.petitions.workflow import PetitionerProof, prove_by_query_code
from xinfang.shell.testing import Cast

_seq = itertools.count(1)


class PetitionerDataFactory(factory.Factory):
    class Meta:
        model = PetitionerData

    name = factory.Sequence(lambda n: f"信访人{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    address = "测试县人民路"


def registrar(cast: Cast, unit: Unit | None = None) -> User:
    return cast.user_with(Role.REGISTRAR, unit or cast.unit_a)


def register(
    cast: Cast,
    *,
    unit: Unit | None = None,
    actor: User | None = None,
    summary: str | None = None,
    petitioners: list[PetitionerData] | None = None,
    **kwargs: Any,
) -> Registration:
    unit = unit or cast.unit_a
    kwargs.setdefault("channel", Channel.LETTER)
    kwargs.setdefault("kind", Kind.APPEAL)
    kwargs.setdefault("propose_matches", False)
    return register_petition(
        actor=actor or registrar(cast, unit),
        registering_unit=unit,
        summary=summary or f"反映道路积水问题{next(_seq)}",
        petitioners=petitioners or [PetitionerDataFactory()],
        **kwargs,
    )


def make_petition(cast: Cast, **kwargs: Any) -> Petition:
    return register(cast, **kwargs).petition


def refresh(p: Petition) -> Petition:
    return Petition.objects.get(pk=p.pk)


def petitioner_proof(p: Petition) -> PetitionerProof:
    """What the portal holds once the petitioner of ``p`` has looked it up with its query
    code and contact phone: the proof their own steps (rating, review requests) need."""
    code = crypto.open_(p.query_code_token)
    person = next(x for x in p.petitioners.all() if x.phone_digest == p.contact_phone_digest)
    proof = prove_by_query_code(code, crypto.open_(person.phone_token))
    assert proof is not None
    return proof
