"""The outbox: idempotent queueing, compare-and-swap delivery, retries, the channels."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from xinfang.core import outbox
from xinfang.core.models import Message, MessageStatus
from xinfang.core.outbox import (
    DeliveryFailed,
    FileSmsAdapter,
    HttpSmsAdapter,
    InboxChannel,
    SmsChannel,
    dispatch,
    queue,
)
from xinfang.org.choices import Role
from xinfang.org.inbox import inbox_messages
from xinfang.shell.testing import Cast

PHONE = "13912345678"


class _Phone:
    """Stands for a petitioner: a record with a sealed ``phone``."""

    phone_token = phone_digest = phone_masked = ""

    def __init__(self, number: str) -> None:
        holder = Message()
        holder.phone = number
        self.phone_token = holder.phone_token
        self.phone_digest = holder.phone_digest
        self.phone_masked = holder.phone_masked


class Failing:
    def __init__(self) -> None:
        self.calls = 0

    def deliver(self, message: Message) -> None:
        self.calls += 1
        raise DeliveryFailed("网关暂时不可用")


def test_queueing_the_same_key_twice_writes_nothing(cast: Cast) -> None:
    first = queue(key="t:1", kind="reminder", unit_id=cast.unit_a.pk, text="第一次")
    again = queue(key="t:1", kind="reminder", unit_id=cast.unit_a.pk, text="第二次")
    assert first is not None and again is None
    assert list(Message.objects.values_list("text", flat=True)) == ["第一次"]


def test_a_message_about_an_accusation_is_never_queued_to_the_accused(cast: Cast) -> None:
    accused_person = cast.user_with(Role.UNIT_LEADER, cast.county, "accused-leader")
    common = {"kind": "reminder", "text": "检举", "accused_unit_id": cast.unit_a.pk}
    assert queue(key="a:1", unit_id=cast.unit_a.pk, **common) is None
    assert queue(key="a:2", unit_id=cast.village_a.pk, **common) is None  # below the accused
    assert (
        queue(key="a:3", user_id=accused_person.pk, accused_user_id=accused_person.pk, **common)
        is None
    )
    assert queue(key="a:4", unit_id=cast.county.pk, **common) is not None
    assert list(Message.objects.values_list("key", flat=True)) == ["a:4"]


def test_inbox_messages_are_delivered_once_and_stay_in_the_inbox(cast: Cast) -> None:
    handler = cast.user_with(Role.HANDLER, cast.unit_a)
    queue(key="i:1", kind="reminder", unit_id=cast.unit_a.pk, text="站内提醒")
    assert dispatch() == 1 and dispatch() == 0
    m = Message.objects.get()
    assert (m.status, m.attempts) == (MessageStatus.SENT, 1) and m.sent_at is not None
    assert [x.text for x in inbox_messages(handler)] == ["站内提醒"]


def test_two_concurrent_dispatches_send_each_message_once(cast: Cast) -> None:
    """While one worker is sending, a second one starts: it finds nothing to claim."""
    sent: list[int] = []
    inner: list[int] = []

    class Slow:
        def deliver(self, message: Message) -> None:
            if not inner:
                inner.append(dispatch(channels=channels))  # the other worker, meanwhile
            sent.append(message.pk)

    channels: dict[str, Any] = {"inbox": Slow()}
    for i in range(3):
        queue(key=f"c:{i}", kind="reminder", unit_id=cast.unit_a.pk, text=f"并发{i}")
    assert dispatch(channels=channels) == 3
    assert inner == [0]
    assert sorted(sent) == sorted(Message.objects.values_list("pk", flat=True))


def test_a_claim_left_by_a_killed_worker_is_retried_after_the_timeout(cast: Cast, settings) -> None:
    settings.XINFANG_OUTBOX_CLAIM_SECONDS = 300
    queue(key="k:1", kind="reminder", unit_id=cast.unit_a.pk, text="被中断")
    # A worker claimed it and died before recording the outcome.
    Message.objects.update(status=MessageStatus.SENDING, claim="dead", claimed_at=timezone.now())
    assert dispatch() == 0  # the claim is fresh: someone may still be sending it
    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        assert dispatch() == 1
    assert Message.objects.get().status == MessageStatus.SENT


def test_failures_are_retried_with_exponential_backoff_then_given_up(
    cast: Cast, settings, caplog
) -> None:
    settings.XINFANG_OUTBOX_BACKOFF_SECONDS = 60
    settings.XINFANG_OUTBOX_MAX_ATTEMPTS = 4
    channel = Failing()
    queue(key="r:1", kind="reminder", unit_id=cast.unit_a.pk, text="重试")
    delays = []
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(4):
            start = timezone.now()
            assert dispatch(channels={"inbox": channel}) == 0
            m = Message.objects.get()
            delays.append((m.next_attempt_at - start).total_seconds())
            assert dispatch(channels={"inbox": channel}) == 0  # not due yet: not tried
            clock.move_to(m.next_attempt_at)
    assert delays[:3] == [60, 120, 240]
    m = Message.objects.get()
    assert (m.status, m.attempts, m.last_error) == (MessageStatus.DEAD, 4, "网关暂时不可用")
    assert channel.calls == 4
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        assert dispatch(channels={"inbox": channel}) == 0 and channel.calls == 4


def test_a_failed_message_shows_as_failed_until_it_succeeds(cast: Cast, settings) -> None:
    settings.XINFANG_OUTBOX_BACKOFF_SECONDS = 60
    queue(key="f:1", kind="reminder", unit_id=cast.unit_a.pk, text="先失败后成功")
    dispatch(channels={"inbox": Failing()})
    m = Message.objects.get()
    assert (m.status, m.attempts) == (MessageStatus.FAILED, 1)
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert dispatch(channels={"inbox": InboxChannel()}) == 1
    m = Message.objects.get()
    assert (m.status, m.attempts, m.last_error) == (MessageStatus.SENT, 2, "")


def test_email_goes_through_djangos_mail_backend(cast: Cast, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = cast.user_with(Role.HANDLER, cast.unit_a, "mailed")
    user.email = "handler@example.org"
    user.save()
    queue(
        key="e:1",
        kind="reminder",
        channel="email",
        user_id=user.pk,
        text="请按时办理",
        link="/petitions/1/",
        subject="XF-1",
    )
    assert dispatch() == 1
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["handler@example.org"] and "请按时办理" in sent.body
    assert "/petitions/1/" in sent.body


def test_email_to_a_user_without_an_address_is_given_up_at_once(cast: Cast, settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = cast.user_with(Role.HANDLER, cast.unit_a, "no-mail")
    queue(key="e:3", kind="reminder", channel="email", user_id=user.pk, text="无邮箱")
    assert dispatch() == 0 and not mail.outbox
    m = Message.objects.get()
    assert m.status == MessageStatus.DEAD and "邮箱" in m.last_error


def test_the_phone_is_sealed_and_the_file_adapter_writes_one_line_per_sms(
    cast: Cast, tmp_path, caplog
) -> None:
    path = tmp_path / "sms.jsonl"
    queue(key="s:1", kind="citizen_sms", phone_of=_Phone(PHONE), text="您的信访事项已受理")
    m = Message.objects.get()
    assert m.channel == "sms" and PHONE not in m.phone_token and m.phone == "139****5678"
    with caplog.at_level(logging.DEBUG):
        assert dispatch(channels={"sms": SmsChannel(FileSmsAdapter(path))}) == 1
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert lines == [{"phone": PHONE, "text": "您的信访事项已受理"}]
    assert PHONE not in caplog.text


def test_sms_without_a_configured_gateway_is_given_up_with_the_reason(cast: Cast, settings) -> None:
    settings.XINFANG_SMS_URL = settings.XINFANG_SMS_FILE = ""
    queue(key="s:2", kind="citizen_sms", phone_of=_Phone(PHONE), text="短信")
    assert dispatch() == 0
    m = Message.objects.get()
    assert m.status == MessageStatus.DEAD and "未配置短信通道" in m.last_error


# ---------------------------------------------------------------------------------------
# The HTTP SMS adapter against a tiny local gateway


class _Gateway(BaseHTTPRequestHandler):
    behaviour = "ok"
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).received.append({"body": body, "auth": self.headers["Authorization"]})
        if self.behaviour == "slow":
            time.sleep(1.0)
        status = 500 if self.behaviour == "error" else 200
        try:
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"{}")
        except OSError:  # the client gave up waiting (the timeout test): nobody to answer
            return

    def log_message(self, *args: Any) -> None:  # keep the test output (and the phone) quiet
        return None


@pytest.fixture
def gateway() -> Iterator[tuple[str, type[_Gateway]]]:
    handler = type("Gateway", (_Gateway,), {"behaviour": "ok", "received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sms", handler
    finally:
        server.shutdown()
        server.server_close()


def test_http_adapter_posts_json_with_the_token(gateway, cast: Cast, settings) -> None:
    url, handler = gateway
    settings.XINFANG_SMS_URL, settings.XINFANG_SMS_TOKEN = url, "secret-token"
    queue(key="h:1", kind="citizen_sms", phone_of=_Phone(PHONE), text="已答复")
    assert dispatch() == 1
    assert handler.received == [
        {"body": {"phone": PHONE, "text": "已答复"}, "auth": "Bearer secret-token"}
    ]


def test_http_adapter_500_is_a_failure_that_is_retried(gateway, cast: Cast, settings) -> None:
    url, handler = gateway
    handler.behaviour = "error"
    settings.XINFANG_SMS_URL = url
    queue(key="h:2", kind="citizen_sms", phone_of=_Phone(PHONE), text="已受理")
    assert dispatch() == 0
    m = Message.objects.get()
    assert (m.status, m.last_error) == (MessageStatus.FAILED, "短信网关返回 HTTP 500")
    assert PHONE not in m.last_error
    handler.behaviour = "ok"
    with time_machine.travel(m.next_attempt_at + timedelta(seconds=1)):
        assert dispatch() == 1
    assert len(handler.received) == 2


def test_http_adapter_timeout_is_a_failure(gateway) -> None:
    url, handler = gateway
    handler.behaviour = "slow"
    with pytest.raises(DeliveryFailed, match="超时"):
        HttpSmsAdapter(url, "t", timeout=0.2).send(PHONE, "超时")


def test_http_adapter_refused_connection_is_a_failure() -> None:
    with pytest.raises(DeliveryFailed) as failure:
        HttpSmsAdapter("http://127.0.0.1:9/sms", timeout=0.5).send(PHONE, "x")
    assert PHONE not in str(failure.value)


def test_sms_adapter_follows_the_settings(settings, tmp_path) -> None:
    settings.XINFANG_SMS_URL, settings.XINFANG_SMS_FILE = "", str(tmp_path / "s.jsonl")
    assert isinstance(outbox.sms_adapter(), FileSmsAdapter)
    settings.XINFANG_SMS_URL = "https://sms.example.org/send"
    assert isinstance(outbox.sms_adapter(), HttpSmsAdapter)


def test_the_inbox_lists_every_apps_messages_with_a_read_state_per_user(cast: Cast) -> None:
    from xinfang.org.inbox import mark_messages_read

    handler = cast.user_with(Role.HANDLER, cast.unit_a, "inbox-handler")
    leader = cast.user_with(Role.UNIT_LEADER, cast.unit_a, "inbox-leader")
    for key, kind in (("p", "reminder"), ("l", "report_due"), ("s", "supervision_notice")):
        queue(key=f"x:{key}", kind=kind, unit_id=cast.unit_a.pk, text=f"来自{kind}")
    queue(key="x:mine", kind="calendar", user_id=leader.pk, text="只给负责人")
    assert {m.kind for m in inbox_messages(handler)} == {
        "reminder",
        "report_due",
        "supervision_notice",
    }
    first = Message.objects.get(key="x:p")
    assert mark_messages_read(actor=handler, ids=[first.pk]) == 1
    assert mark_messages_read(actor=handler, ids=[first.pk]) == 0
    assert inbox_messages(handler).filter(is_read=False).count() == 2
    assert inbox_messages(leader).filter(is_read=False).count() == 4  # theirs is their own
