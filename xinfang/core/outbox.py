"""The outbox: one queue of notices for every app, delivered through channels.

An app queues a :class:`~xinfang.core.models.Message` with :func:`queue` (or
:func:`queue_many` for a batch) under a stable idempotency ``key``: queueing the same
notice twice writes nothing. A message is addressed to a unit (all its staff see it in
their inbox, each with their own read state), to a user, or to a citizen's phone, and goes
out through one channel:

- ``inbox``: the row is the delivery (``xinfang.org.inbox`` lists it);
- ``email``: Django's mail backend (console in development, SMTP in production);
- ``sms``: an :class:`SmsAdapter` — :class:`HttpSmsAdapter` (``XINFANG_SMS_URL``) or
  :class:`FileSmsAdapter` (``XINFANG_SMS_FILE``, development and tests).

:func:`dispatch` (the huey task ``core.tasks.deliver_outbox``, every minute) claims due
rows with one compare-and-swap ``UPDATE … SET status='sending', claim=<token> WHERE pk IN
(…) AND <still claimable>``; only the rows carrying its own token are sent, so two workers
never send the same message. The database is the source of truth: a worker killed while
sending leaves a claim that another worker takes over after ``XINFANG_OUTBOX_CLAIM_SECONDS``.
A failed attempt is retried after ``XINFANG_OUTBOX_BACKOFF_SECONDS * 2**(attempts-1)``, and
given up (``dead``) after ``XINFANG_OUTBOX_MAX_ATTEMPTS``.

A message about an accusation carries its accused (``accused_unit`` / ``accused_user``): it is
never queued to its accused (条例 Art. 30), and the inbox hides it from them (the rule
itself is ``petitions.confidentiality``, registered with :func:`register_addressee_rule`
and :func:`register_withheld`).

Exceptions::

    XinfangError
    └── DeliveryFailed           (one attempt failed; retried)
        └── UndeliverableMessage (no address or no channel: given up at once)
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.utils import timezone

from xinfang.core.errors import XinfangError
from xinfang.core.models import Message, MessageChannel, MessageStatus

__all__ = [
    "Channel",
    "DeliveryFailed",
    "EmailChannel",
    "FileSmsAdapter",
    "HttpSmsAdapter",
    "InboxChannel",
    "SmsAdapter",
    "SmsChannel",
    "UndeliverableMessage",
    "build_message",
    "default_channels",
    "dispatch",
    "queue",
    "queue_many",
    "register_withheld",
    "retry_delay",
    "sms_adapter",
    "withheld_q",
]

log = logging.getLogger(__name__)

BACKOFF_CAP = timedelta(hours=6)


class DeliveryFailed(XinfangError):
    """One delivery attempt failed; the message is retried later. Never names the phone."""


class UndeliverableMessage(DeliveryFailed):
    """The message cannot be delivered however often it is tried (no address, no channel)."""


# ---------------------------------------------------------------------------------------
# Art. 30: who never receives a message


_WITHHELD: list[Callable[[Any], Q]] = []


def register_withheld(rule: Callable[[Any], Q]) -> None:
    """Register a rule ``user -> Q`` of the messages ``user`` must never see (an app's
    ``ready()``; petitions registers the accused-unit-or-person rule of Art. 30)."""
    if rule not in _WITHHELD:
        _WITHHELD.append(rule)


def withheld_q(user: Any) -> Q | None:
    """Messages hidden from ``user`` by every registered rule (``None``: none)."""
    q: Q | None = None
    for rule in _WITHHELD:
        q = rule(user) if q is None else q | rule(user)
    return q


_ADDRESSEE_RULES: list[Callable[[Sequence[Message]], set[int]]] = []


def register_addressee_rule(rule: Callable[[Sequence[Message]], set[int]]) -> None:
    """Register a rule ``messages -> indexes`` of the messages never to be queued (an app's
    ``ready()``; petitions registers the Art. 30 rule: not to their own accused)."""
    if rule not in _ADDRESSEE_RULES:
        _ADDRESSEE_RULES.append(rule)


def _addressed_to_accused(messages: Sequence[Message]) -> set[int]:
    """Indexes of ``messages`` refused by a registered addressee rule."""
    refused: set[int] = set()
    for rule in _ADDRESSEE_RULES:
        refused |= rule(messages)
    return refused


# ---------------------------------------------------------------------------------------
# Queueing


def build_message(**fields: Any) -> Message:
    phone_of = fields.pop("phone_of", None)
    message = Message(**fields)
    if phone_of is not None:
        # Copy the sealed value as it is: the phone is never decrypted to be queued.
        for suffix in ("token", "digest", "masked"):
            setattr(message, f"phone_{suffix}", getattr(phone_of, f"phone_{suffix}"))
    if not message.channel:
        message.channel = MessageChannel.SMS if phone_of is not None else MessageChannel.INBOX
    return message


def queue(
    *,
    key: str,
    kind: str,
    text: str,
    unit_id: int | None = None,
    user_id: int | None = None,
    phone_of: Any = None,
    channel: str = "",
    link: str = "",
    source: str = "",
    subject: str = "",
    due: date | None = None,
    data: Mapping[str, Any] | None = None,
    accused_unit_id: int | None = None,
    accused_user_id: int | None = None,
) -> Message | None:
    """Queue one message; returns it, or ``None`` when nothing was written (the key was
    queued before, or the recipient is the accused of the accusation it is about).

    ``phone_of`` is a record with a ``phone`` :class:`~xinfang.core.personal_data.
    ProtectedField` (a petitioner): its sealed number is copied, never read.
    """
    created = queue_many(
        [
            build_message(
                key=key,
                kind=kind,
                text=text[:500],
                recipient_unit_id=unit_id,
                recipient_user_id=user_id,
                phone_of=phone_of,
                channel=channel,
                link=link,
                source=source,
                subject=subject[:60],
                due=due,
                data=dict(data or {}),
                accused_unit_id=accused_unit_id,
                accused_user_id=accused_user_id,
            )
        ]
    )
    return created[0] if created else None


def queue_many(messages: Iterable[Message], *, batch_size: int = 500) -> list[Message]:
    """Insert ``messages`` whose key is new; returns the ones offered to the outbox.

    Keys already queued are skipped (``ignore_conflicts`` against the unique key, so two
    workers queueing the same batch write each message once); messages addressed to their
    own accused are dropped before the insert (Art. 30).
    """
    rows = [m for m in messages]
    refused = _addressed_to_accused(rows)
    for i in sorted(refused):
        log.warning("outbox: message %s not queued to its accused (Art. 30)", rows[i].key)
    rows = [m for i, m in enumerate(rows) if i not in refused]
    if not rows:
        return []
    known = set(Message.objects.filter(key__in=[m.key for m in rows]).values_list("key", flat=True))
    fresh = [m for m in rows if m.key not in known]
    now = timezone.now()
    for m in fresh:
        m.created_at = m.next_attempt_at = now
    Message.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=batch_size)
    return fresh


# ---------------------------------------------------------------------------------------
# Channels


class Channel(Protocol):
    """One way out of the outbox. ``deliver`` returns on success and raises
    :class:`DeliveryFailed` (retried) or :class:`UndeliverableMessage` (given up)."""

    def deliver(self, message: Message) -> None: ...


class InboxChannel:
    """The in-app inbox: the queued row is what the inbox lists, so delivery is the row."""

    def deliver(self, message: Message) -> None:
        return None


class EmailChannel:
    """E-mail to the addressed user, through Django's configured mail backend."""

    def deliver(self, message: Message) -> None:
        user = message.recipient_user
        address = getattr(user, "email", "") if user is not None else ""
        if not address:
            raise UndeliverableMessage("收件人没有电子邮箱")
        body = message.text
        if message.link:
            body += "\n\n" + message.link
        try:
            send_mail(
                f"【信访工作平台】{message.subject or message.kind}",
                body,
                settings.DEFAULT_FROM_EMAIL,
                [address],
            )
        except OSError as exc:  # smtplib errors are OSErrors
            raise DeliveryFailed(f"邮件发送失败：{type(exc).__name__}") from exc


class SmsAdapter(Protocol):
    """An SMS gateway: sends ``text`` to ``phone`` or raises :class:`DeliveryFailed`."""

    def send(self, phone: str, text: str) -> None: ...


@dataclass(frozen=True)
class HttpSmsAdapter:
    """POST ``{"phone", "text"}`` as JSON with a bearer token; a non-2xx answer, a refused
    connection or no answer within ``timeout`` seconds is a failure (retried)."""

    url: str
    token: str = ""
    timeout: float = 10.0

    def send(self, phone: str, text: str) -> None:
        request = urllib.request.Request(  # noqa: S310 - the configured gateway, http(s) only
            self.url,
            data=json.dumps({"phone": phone, "text": text}, ensure_ascii=False).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
            method="POST",
        )
        if not self.url.startswith(("http://", "https://")):
            raise UndeliverableMessage("短信网关地址应为 http(s)://")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            raise DeliveryFailed(f"短信网关返回 HTTP {exc.code}") from None
        except TimeoutError:
            raise DeliveryFailed("短信网关超时") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise DeliveryFailed("短信网关超时") from None
            raise DeliveryFailed(f"短信网关不可达：{type(reason).__name__}") from None
        if not 200 <= status < 300:
            raise DeliveryFailed(f"短信网关返回 HTTP {status}")


_FILE_LOCK = threading.Lock()


@dataclass(frozen=True)
class FileSmsAdapter:
    """Development and tests: append each SMS as one JSON line ``{"phone", "text"}``."""

    path: Path

    def send(self, phone: str, text: str) -> None:
        line = json.dumps({"phone": phone, "text": text}, ensure_ascii=False) + "\n"
        with _FILE_LOCK, self.path.open("a", encoding="utf-8") as out:
            out.write(line)


def sms_adapter() -> SmsAdapter | None:
    """The configured SMS gateway: ``XINFANG_SMS_URL``, else ``XINFANG_SMS_FILE``, else none."""
    url = getattr(settings, "XINFANG_SMS_URL", "")
    if url:
        return HttpSmsAdapter(
            url,
            getattr(settings, "XINFANG_SMS_TOKEN", ""),
            float(getattr(settings, "XINFANG_SMS_TIMEOUT", 10)),
        )
    path = getattr(settings, "XINFANG_SMS_FILE", "")
    return FileSmsAdapter(Path(path)) if path else None


class SmsChannel:
    """SMS to a citizen's phone. The number is unsealed only here, for the gateway, and
    the read is audited like every read of personal data; it is never logged."""

    def __init__(self, adapter: SmsAdapter | None) -> None:
        self.adapter = adapter

    def deliver(self, message: Message) -> None:
        from xinfang.core.personal_data import PersonalDataError, reveal

        if self.adapter is None:
            raise UndeliverableMessage("未配置短信通道（XINFANG_SMS_URL 或 XINFANG_SMS_FILE）")
        if not getattr(message, "phone_token", ""):
            raise UndeliverableMessage("没有手机号")
        try:
            phone = reveal(message, "phone", actor=None, reason="短信通知")
        except PersonalDataError as exc:  # a damaged ciphertext never stalls the batch
            raise UndeliverableMessage("手机号密文无法解密") from exc
        self.adapter.send(phone, message.text)


def default_channels() -> dict[str, Channel]:
    return {
        MessageChannel.INBOX: InboxChannel(),
        MessageChannel.EMAIL: EmailChannel(),
        MessageChannel.SMS: SmsChannel(sms_adapter()),
    }


# ---------------------------------------------------------------------------------------
# Delivery


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: the base delay after the first failure, doubled each time."""
    base = int(getattr(settings, "XINFANG_OUTBOX_BACKOFF_SECONDS", 60))
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def _claimable(now: datetime) -> Q:
    stale = now - timedelta(seconds=int(getattr(settings, "XINFANG_OUTBOX_CLAIM_SECONDS", 300)))
    return Q(status__in=[MessageStatus.QUEUED, MessageStatus.FAILED], next_attempt_at__lte=now) | Q(
        status=MessageStatus.SENDING, claimed_at__lt=stale
    )


def _finish(message: Message, token: str, error: DeliveryFailed | None, now: datetime) -> bool:
    """Record one attempt's outcome, if our claim still holds; True when it was sent."""
    mine = Message.objects.filter(pk=message.pk, claim=token)
    if error is None:
        mine.update(status=MessageStatus.SENT, sent_at=now, claim="", last_error="")
        return True
    max_attempts = int(getattr(settings, "XINFANG_OUTBOX_MAX_ATTEMPTS", 6))
    dead = isinstance(error, UndeliverableMessage) or message.attempts >= max_attempts
    mine.update(
        status=MessageStatus.DEAD if dead else MessageStatus.FAILED,
        next_attempt_at=now + retry_delay(message.attempts),
        claim="",
        last_error=str(error)[:300],
    )
    log.warning(
        "outbox: message %s attempt %s failed: %s", message.pk, message.attempts, str(error)
    )
    return False


def dispatch(
    limit: int | None = None,
    *,
    batch_size: int = 200,
    channels: Mapping[str, Channel] | None = None,
) -> int:
    """Deliver due messages, each at most once per attempt; returns how many were sent.

    Runs until nothing is due (or ``limit`` messages were claimed). Safe to run on any
    number of workers at once, and after a crash at any point.
    """
    channels = channels if channels is not None else default_channels()
    sent = claimed = 0
    last_pk = 0
    while limit is None or claimed < limit:
        size = batch_size if limit is None else min(batch_size, limit - claimed)
        now = timezone.now()
        claimable = _claimable(now)
        pks = list(
            Message.objects.filter(claimable, pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not pks:
            break
        last_pk = pks[-1]
        token = uuid.uuid4().hex
        won = Message.objects.filter(claimable, pk__in=pks).update(
            status=MessageStatus.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1
        )
        claimed += won
        if not won:
            continue
        rows = Message.objects.filter(claim=token).select_related("recipient_user")
        if type(channels.get(MessageChannel.INBOX)) is InboxChannel:
            # The row is the delivery: the whole batch's inbox messages in one write.
            inbox = rows.filter(channel=MessageChannel.INBOX)
            sent += inbox.update(status=MessageStatus.SENT, sent_at=now, claim="", last_error="")
        for message in rows.order_by("pk"):
            channel = channels.get(message.channel)
            try:
                if channel is None:
                    raise UndeliverableMessage(f"未知的发送渠道 {message.channel}")
                channel.deliver(message)
            except DeliveryFailed as exc:
                _finish(message, token, exc, timezone.now())
            else:
                sent += int(_finish(message, token, None, timezone.now()))
    return sent
