"""A leader's instruction (批示) written where a matter is taken in, handed to the app
that tracks it to completion.

Instructions are tracked by the supervision app; a leader's reception is recorded by the
ledgers. Both sit above petitions and beside each other (imports point down, never
sideways), so the ledgers call :func:`record_instruction` here and the supervision app
registers the recorder from its ``AppConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from xinfang.org.models import User
from xinfang.petitions.errors import PetitionError
from xinfang.petitions.models import Petition

__all__ = ["LeaderInstruction", "record_instruction", "register_recorder"]


@dataclass(frozen=True)
class LeaderInstruction:
    """What a leader instructed on a matter, and by when it is to be carried out."""

    petition: Petition
    leader_name: str
    text: str
    instructed_on: date
    due: date
    leader: User | None = None


Recorder = Callable[..., Any]
_RECORDERS: list[Recorder] = []


def register_recorder(recorder: Recorder) -> None:
    """``recorder(*, actor, instruction)`` turns a :class:`LeaderInstruction` into a
    tracked record (called once per app, from ``ready()``)."""
    if recorder not in _RECORDERS:
        _RECORDERS.append(recorder)


def record_instruction(*, actor: Any, instruction: LeaderInstruction) -> list[Any]:
    """Hand ``instruction`` to the tracking app; an instruction no app tracks is refused
    rather than lost."""
    if not _RECORDERS:
        raise PetitionError("没有模块跟踪领导批示，无法登记")
    return [recorder(actor=actor, instruction=instruction) for recorder in _RECORDERS]
