"""iCalendar (RFC 5545) for the reception schedule, written by hand.

Lines end in CRLF and are folded at 75 octets (RFC 5545 §3.1) without splitting a UTF-8
character; TEXT values escape backslash, semicolon, comma and newline (§3.3.11). Times are
local with ``TZID=Asia/Shanghai`` and the calendar carries the matching VTIMEZONE (China
has had no daylight saving time since 1991).

A subscriber sees one event per slot whatever host name it subscribed through: the UID is
the slot's UUID under a fixed domain (§3.8.4.7), never the request's Host header. A moved
slot reaches subscribers as an update of the same event: ``LAST-MODIFIED`` is the slot's
last change and ``SEQUENCE`` (§3.8.7.4) the whole seconds from its publication to that
change — 0 as published, larger after every later change, so it only ever grows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from xinfang.ledgers.models import ReceptionSlot

__all__ = ["UID_DOMAIN", "escape_text", "fold", "reception_calendar", "sequence"]

TZID = "Asia/Shanghai"
PRODID = "-//Xinfang//Leader reception schedule//ZH"
UID_DOMAIN = "reception.xinfang"

VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19910915T020000",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold one content line into chunks of at most 75 octets (continuations start with a
    space, which counts toward the 75)."""
    out: list[str] = []
    current = b""
    limit = 75
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            out.append(current.decode("utf-8"))
            current = b" "
            limit = 75
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n".join(out)


def _local(dt_day: object, at: object) -> str:
    return f"{dt_day:%Y%m%d}T{at:%H%M%S}"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def sequence(slot: ReceptionSlot) -> int:
    """The revision number of a published slot (see the module docstring)."""
    if slot.published_at is None or slot.updated_at is None:
        return 0
    return max(0, int((slot.updated_at - slot.published_at).total_seconds()))


def reception_calendar(
    slots: Iterable[ReceptionSlot], *, name: str, now: datetime | None = None
) -> str:
    """The VCALENDAR text for ``slots`` (each one VEVENT with a stable UID)."""
    stamp = _utc(now or datetime.now(tz=UTC))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"X-WR-TIMEZONE:{TZID}",
        *VTIMEZONE,
    ]
    for slot in slots:
        summary = f"领导接访：{slot.leader_title}{slot.leader_name}"
        description = slot.topic or "党政领导公开接访，群众可当面反映诉求。"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{slot.uid}@{UID_DOMAIN}",
            f"DTSTAMP:{stamp}",
            f"SEQUENCE:{sequence(slot)}",
            *([f"LAST-MODIFIED:{_utc(slot.updated_at)}"] if slot.updated_at else []),
            f"DTSTART;TZID={TZID}:{_local(slot.day, slot.starts_at)}",
            f"DTEND;TZID={TZID}:{_local(slot.day, slot.ends_at)}",
            f"SUMMARY:{escape_text(summary)}",
            f"LOCATION:{escape_text(slot.place)}",
            f"DESCRIPTION:{escape_text(description)}",
            "STATUS:CONFIRMED",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
