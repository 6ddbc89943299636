"""SMS to the petitioner at the steps the law says they are told of.

A petitioner who gave a phone and opted in at submission (``Petition.sms_opt_in``) gets one
SMS when the matter is accepted (条例 Art. 32), its handling period extended (Art. 34), the
answer issued (Art. 33) and a review or re-review opinion issued (Arts. 35–36). The text
carries only the matter number, the event and its date, and the public portal address:
never the summary, an accusation's content, a name or the query code — an SMS can be read
by whoever holds the phone.

Called from the one place every step passes through, ``workflow.transitions.record_step``;
the message is queued in the step's transaction, so a step rolled back sends nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.utils import timezone

from xinfang.core import outbox
from xinfang.petitions.choices import PetitionerRole

__all__ = ["SMS_EVENTS", "notify_petitioner", "sms_text"]

# Step name → how the SMS names the event.
SMS_EVENTS: dict[str, str] = {
    "accept": "已受理",
    "extend": "办理期限已延长",
    "answer": "已出具处理意见",
    "review_opinion": "已出具复查意见",
    "rereview_opinion": "已出具复核意见",
}

# Who is told: the petitioner, or the group's representatives; never co-signers or agents.
_TOLD = (PetitionerRole.PRIMARY, PetitionerRole.REPRESENTATIVE)


def sms_text(number: str, event: str, on: date) -> str:
    portal = getattr(settings, "XINFANG_PORTAL_URL", "")
    return f"【信访】您的信访事项 {number} 于 {on:%Y-%m-%d} {event}，请凭查询码登录 {portal} 查看。"


def notify_petitioner(petition: Any, *, step: str, on: date | None = None) -> int:
    """Queue the step's SMS to each opted-in petitioner with a phone; returns how many."""
    event = SMS_EVENTS.get(step)
    if event is None or not petition.sms_opt_in:
        return 0
    on = on or timezone.localdate()
    queued = 0
    people = petition.petitioners.filter(role__in=_TOLD).exclude(phone_token="").order_by("pk")
    for person in people:
        created = outbox.queue(
            key=f"petitions:sms:{petition.pk}:{step}:{person.pk}",
            kind="citizen_sms",
            phone_of=person,
            text=sms_text(petition.number, event, on),
            source=f"petitions.Petition:{petition.pk}",
            subject=petition.number,
            due=on,
        )
        queued += int(created is not None)
    return queued
