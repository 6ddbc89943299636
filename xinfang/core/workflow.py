"""The one workflow engine: a declarative step table per model and one :func:`transition`.

An app declares a :class:`Workflow` for each model that has a ``status``: its steps (the
statuses each leaves and the one it reaches, the action name checked for the actor, whether
a reason is required, the article of law the step comes from, its typed input), the effect
of each step, the timeline model (a subclass of :class:`TransitionLog`) and where the
actor's grant is checked (``units(obj, step)``). :func:`transition` is then the only code
that writes a status:

    table lookup → permission by action name → guard/effect → compare-and-swap on
    ``(status, version)`` → timeline row + audit entry.

An in-state action (an extension, a hearing, a delivery receipt) is a self-loop step: its
target is :data:`STAY` (or its one source); it still bumps ``version`` so a concurrent
change loses. Jobs and the demo act as :data:`SYSTEM`, never as ``None``: a step a job may
take says so (``system=True``), and the timeline and the audit record it as “系统”.

``core`` imports no other app: the grant check (``org.access.can``) is handed in by each
declaration, and the models are the app's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, ValidationError

from xinfang.core import audit
from xinfang.core.errors import ConcurrentChange, NotFoundOrForbidden, TransitionNotAllowed
from xinfang.core.models import AuditAction

__all__ = [
    "REGISTRY",
    "STAY",
    "SYSTEM",
    "Ctx",
    "NoInput",
    "Step",
    "StepInputInvalid",
    "SystemActor",
    "TransitionLog",
    "Workflow",
    "allowed_steps",
    "autodiscover",
    "register",
    "transition",
    "workflow_of",
]


class SystemActor:
    """The actor of jobs and of the demo: holds no grant, is nobody's user, and is recorded
    as “系统” (an explicit object, so a forgotten actor is an error, not the system)."""

    pk = None
    is_citizen = False
    is_superuser = False
    is_authenticated = False
    username = ""

    def __str__(self) -> str:
        return "系统"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()

# The target of an in-state step (a self-loop from each of its sources): the status stays.
STAY = "="


class StepInputInvalid(TransitionNotAllowed):
    """A step's payload has an unknown key or a value of the wrong type."""


class NoInput(BaseModel):
    """A step that takes nothing beyond the reason: any key is refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Step:
    """One row of a transition table.

    ``actions`` are permission action names; any of them granted over one of the units the
    workflow's ``units(obj, step)`` names allows the step. ``system`` lets :data:`SYSTEM`
    take it (jobs). ``article`` cites the rule the step comes from.
    """

    name: str
    label: str
    sources: frozenset[str]
    target: str
    actions: tuple[str, ...]
    reason_required: bool = False
    article: str = ""
    input: type[BaseModel] = NoInput
    system: bool = False

    @property
    def in_state(self) -> bool:
        """A self-loop: the step records an action and leaves the status as it is."""
        return self.target == STAY or self.sources == frozenset({self.target})

    def target_from(self, status: str) -> str:
        return status if self.target == STAY else self.target


@dataclass
class Ctx:
    """What an effect sees and fills: ``changes`` are written with the status, ``record``
    goes into the timeline row and the audit detail, ``after`` runs once the write won."""

    obj: Any
    step: Step
    actor: Any
    reason: str
    input: BaseModel
    today: date
    now: Any
    changes: dict[str, Any] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)
    after: list[Callable[[], None]] = field(default_factory=list)


# An effect receives the workflow's ``context`` (a Ctx or an app's subclass of it).
Effect = Callable[[Any], None]


@dataclass(frozen=True)
class Workflow:
    """The declaration of one model's workflow.

    ``units(obj, step)`` returns the unit paths the step's actions are checked on, ``can``
    is the grant check (``org.access.can``). ``authorize`` replaces the default actor check
    entirely (petitions: the petitioner's proof, handed in as a keyword of :func:`transition`);
    ``validate(step, data)`` replaces the input validation, ``context`` the :class:`Ctx`
    class the effects receive, ``reason_error`` the error of a missing reason.
    ``log_owner`` is the name of the log model's foreign key to the object (or a function
    of the object giving the log row's owner fields); ``on_change(obj, ctx)`` returns more
    fields to write with the status (petitions: the due dates). ``record`` replaces the
    default timeline writer (it must write the log row and the audit entry).
    """

    model: type[models.Model]
    steps: tuple[Step, ...]
    log: type[TransitionLog] | None
    log_owner: str | Callable[[Any], dict[str, Any]] = ""
    units: Callable[[Any, Step], Iterable[str]] = lambda obj, step: ()
    can: Callable[[Any, str, str], bool] = lambda actor, action, path: False
    effects: Mapping[str, Effect] = field(default_factory=dict)
    authorize: Callable[..., None] | None = None
    validate: Callable[[Any, Any], BaseModel] | None = None
    context: type[Ctx] = Ctx
    on_change: Callable[[Any, Ctx], dict[str, Any]] | None = None
    record: Callable[..., Any] | None = None
    denied: str = "您没有办理此项操作的权限"
    concurrent: str = "该记录已被他人处理，请刷新后重试"
    reason_missing: str = "“{label}”须写明理由"
    reason_error: type[Exception] = TransitionNotAllowed
    versioned: bool = True

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def may(self, actor: Any, obj: Any, step: Step) -> bool:
        """The default check: :data:`SYSTEM` only on ``system`` steps; no citizen on a
        staff step; otherwise one of the step's actions over one of its units."""
        if actor is SYSTEM:
            return step.system
        if actor is None or getattr(actor, "is_citizen", False):
            return False
        paths = list(self.units(obj, step))
        return any(self.can(actor, action, path) for action in step.actions for path in paths)

    def check(self, actor: Any, obj: Any, step: Step, **extra: Any) -> None:
        if self.authorize is not None:
            self.authorize(actor, obj, step, **extra)
        elif not self.may(actor, obj, step):
            raise TransitionNotAllowed(self.denied)


REGISTRY: dict[type[models.Model], Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    """Declare ``workflow`` as the one for its model (import time, once per model)."""
    existing = REGISTRY.get(workflow.model)
    if existing is not None and existing is not workflow:
        raise RuntimeError(f"{workflow.model.__name__} already has a workflow")
    REGISTRY[workflow.model] = workflow
    return workflow


def workflow_of(obj_or_model: Any) -> Workflow:
    model: Any = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    model = getattr(model._meta, "concrete_model", model)
    if model not in REGISTRY:
        autodiscover()
    try:
        return REGISTRY[model]
    except KeyError:
        raise LookupError(f"{model.__name__} has no registered workflow") from None


def autodiscover() -> None:
    """Import every installed app's ``workflow`` module, where its declarations live (core
    names no app)."""
    autodiscover_modules("workflow")


def validate_input(step: Step, data: BaseModel | Mapping[str, Any] | None) -> BaseModel:
    """``data`` as ``step``'s typed input; unknown keys and wrong types are refused."""
    if isinstance(data, BaseModel):
        if type(data) is not step.input:
            raise StepInputInvalid(f"“{step.label}”的参数类型不符")
        return data
    try:
        return step.input.model_validate(dict(data or {}))
    except ValidationError as exc:
        raise StepInputInvalid(f"“{step.label}”的参数有误：{exc.errors()[0]['msg']}") from exc


def allowed_steps(obj: Any, actor: Any) -> list[Step]:
    """Steps ``actor`` may take on ``obj`` now (for buttons; :func:`transition` checks
    again, guards included)."""
    flow = workflow_of(obj)
    out = []
    for step in flow.steps:
        if obj.status not in step.sources:
            continue
        try:
            flow.check(actor, obj, step)
        except (TransitionNotAllowed, NotFoundOrForbidden):
            continue
        out.append(step)
    return out


def actor_label(actor: Any) -> str:
    """The timeline's name of the actor (only a workflow's own ``authorize`` lets ``None``
    through, for an actor known by proof rather than by account)."""
    return str(actor)[:100] if actor is not None else ""


@transaction.atomic
def transition(
    obj: Any,
    step: str | Step,
    *,
    actor: Any,
    reason: str = "",
    data: BaseModel | Mapping[str, Any] | None = None,
    today: date | None = None,
    **extra: Any,
) -> Any:
    """Take ``step`` on ``obj`` as ``actor``; return ``obj`` updated in place.

    Raises ``TransitionNotAllowed`` (the table or the grant refuses; a reason is missing),
    ``StepInputInvalid`` (the payload), whatever the step's effect raises for a rule of
    law, or ``ConcurrentChange`` (someone moved ``obj`` meanwhile). ``extra`` is handed to
    the workflow's ``authorize`` and ``record`` hooks (petitions: the petitioner's proof).
    ``None`` is no actor: the default check refuses it (jobs and the demo pass SYSTEM).
    """
    flow = workflow_of(obj)
    found = flow.step(step) if isinstance(step, str) else step
    if found is None:
        raise TransitionNotAllowed(f"未知的操作：{step}")
    step = found
    # The grant first: who may not act learns nothing about the object's state.
    flow.check(actor, obj, step, **extra)
    if obj.status not in step.sources:
        raise TransitionNotAllowed(
            f"当前状态为“{obj.get_status_display()}”，不能执行“{step.label}”"
        )
    payload = (flow.validate or validate_input)(step, data)
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise flow.reason_error(flow.reason_missing.format(label=step.label))
    now = timezone.now()
    ctx = flow.context(
        obj=obj,
        step=step,
        actor=actor,
        reason=reason,
        input=payload,
        today=today or timezone.localdate(),
        now=now,
    )
    effect = flow.effects.get(step.name)
    if effect is not None:
        effect(ctx)
    old_status = obj.status
    new_status = step.target_from(old_status)
    cas: dict[str, Any] = {"pk": obj.pk, "status": old_status}
    ctx.changes["status"] = new_status
    if flow.versioned:
        cas["version"] = obj.version
        ctx.changes["version"] = obj.version + 1
    for key, value in ctx.changes.items():
        setattr(obj, key, value)
    updates = dict(ctx.changes)
    if flow.on_change is not None:
        updates |= flow.on_change(obj, ctx)
    # The only status write of the code base (the source scan in core/tests enforces it).
    if flow.model._default_manager.filter(**cas).update(**updates) != 1:
        raise ConcurrentChange(flow.concurrent)
    for followup in ctx.after:
        followup()
    writer = flow.record or record_step
    writer(
        obj,
        flow=flow,
        name=step.name,
        old=old_status,
        new=new_status,
        actor=actor,
        reason=reason,
        payload=ctx.record,
        **extra,
    )
    return obj


def record_step(
    obj: Any,
    *,
    flow: Workflow,
    name: str,
    old: str,
    new: str,
    actor: Any,
    reason: str,
    payload: dict[str, Any] | None = None,
    label: str | None = None,
    **_extra: Any,
) -> TransitionLog | None:
    """The default timeline writer: one log row and one audit entry. ``label`` names the
    actor on the timeline when the account alone does not (a petitioner acting by proof)."""
    row = None
    user = actor if getattr(actor, "pk", None) is not None else None
    if flow.log is not None:
        owner = flow.log_owner(obj) if callable(flow.log_owner) else {flow.log_owner: obj}
        row = flow.log._default_manager.create(
            **owner,
            step=name,
            from_status=old,
            to_status=new,
            actor=user,
            actor_label=(label or actor_label(actor))[:100],
            reason=reason,
            data=payload or {},
        )
    audit.record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=obj,
        before={"status": old},
        after={"status": new},
        detail={"step": name, "reason": reason, **(payload or {})},
    )
    return row


class TransitionLog(models.Model):
    """The timeline row of one step (abstract: each app's log table inherits it and adds
    the foreign key to its object)."""

    step = models.CharField(_("步骤"), max_length=40)
    from_status = models.CharField(_("原状态"), max_length=20)
    to_status = models.CharField(_("新状态"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人"), max_length=100, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering: ClassVar[list[str]] = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.step}: {self.from_status} → {self.to_status}"
