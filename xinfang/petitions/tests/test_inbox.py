"""The staff inbox: every app's messages addressed to the user's units (or to the user),
never to an accusation's accused, paginated, with a per-user read state."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinfang.core.models import Message, MessageRead
from xinfang.org.tokens import issue_token
from xinfang.petitions.choices import Kind, Status
from xinfang.petitions.reminders import mark_overdue, message_key, messages_about
from xinfang.petitions.tests.factories import make_petition
from xinfang.petitions.workflow import transition


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _note(p, unit, text: str, *, step: str = "route", user=None) -> Message:
    """A matter's reminder written straight to the table (not through ``outbox.queue``,
    which would refuse an accused recipient): the inbox must hide such rows by itself."""
    due = timezone.localdate() + timedelta(days=Message.objects.count())
    return Message.objects.create(
        key=message_key("reminder", p.pk, step, due, unit.pk) + f":{user and user.pk}",
        kind="reminder",
        source=f"petitions.Petition:{p.pk}",
        subject=p.number,
        link=f"/petitions/{p.pk}/",
        data={"step": step},
        due=due,
        recipient_unit=unit,
        recipient_user=user,
        accused_unit_id=p.accused_unit_id if p.kind == Kind.ACCUSATION else None,
        accused_user_id=p.accused_user_id if p.kind == Kind.ACCUSATION else None,
        text=text,
    )


def test_overdue_notices_reach_the_responsible_units_inbox_only(people) -> None:
    p = make_petition(
        people.cast,
        actor=people.town_registrar,
        received_on=timezone.localdate() - timedelta(days=40),
    )
    mark_overdue(timezone.localdate())
    note = messages_about(p).get()
    mine = _client(people.handler_a).get(reverse("org:inbox")).content.decode()
    assert note.text in mine and "超期提醒" in mine and "1 条未读" in mine
    theirs = _client(people.handler_b).get(reverse("org:inbox")).content.decode()
    assert note.text not in theirs and "暂无提醒" in theirs


def test_subordinate_units_notices_only_on_request(people) -> None:
    cast = people.cast
    p = make_petition(cast, actor=people.town_registrar)
    note = _note(p, cast.unit_a, "甲镇提醒-下级")
    client = _client(people.county_leader)
    assert note.text not in client.get(reverse("org:inbox")).content.decode()
    assert note.text in client.get(reverse("org:inbox") + "?scope=subunits").content.decode()


def test_notices_about_an_accusation_never_reach_the_accused_unit(people) -> None:
    cast = people.cast
    p = make_petition(
        cast,
        unit=cast.county,
        actor=people.registrar,
        kind=Kind.ACCUSATION,
        accused_unit=cast.department,
    )
    p = transition(p, Status.ROUTED, actor=people.registrar, to_unit=people.discipline)
    # Even a row addressed to the accused unit by mistake stays invisible to it.
    leaked = _note(p, cast.department, "检举提醒-不得泄露")
    body = _client(people.handler_dept).get(reverse("org:inbox")).content.decode()
    assert leaked.text not in body
    assert (
        _client(people.handler_dept).post(reverse("org:inbox_read"), {"id": leaked.pk}).status_code
        == 404
    )


def test_a_note_for_one_person_is_not_shown_to_colleagues(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    note = _note(p, people.cast.unit_a, "仅致承办人", user=people.handler_a)
    assert note.text in _client(people.handler_a).get(reverse("org:inbox")).content.decode()
    assert note.text not in _client(people.leader_a).get(reverse("org:inbox")).content.decode()


def test_inbox_paginates_with_bounded_queries(people, django_assert_max_num_queries) -> None:
    for i in range(35):
        p = make_petition(people.cast, actor=people.town_registrar, summary=f"提醒事项{i}")
        _note(p, people.cast.unit_a, f"提醒{i:02d}")
    client = _client(people.handler_a)
    # Session, user, grants, unit, discipline bodies, two counts, one page: no per-row query.
    with django_assert_max_num_queries(12):
        first = client.get(reverse("org:inbox")).content.decode()
    assert "第 1 / 2 页" in first and "35 条未读" in first
    second = client.get(reverse("org:inbox") + "?page=2&unread=on").content.decode()
    assert "第 2 / 2 页" in second


def test_mark_one_read_is_per_user_and_read_ones_sink(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    first = _note(p, people.cast.unit_a, "提醒甲")
    _note(p, people.cast.unit_a, "提醒乙", step="notice")
    client = _client(people.handler_a)
    response = client.post(reverse("org:inbox_read"), {"id": first.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "已读" in response.content.decode()
    assert MessageRead.objects.filter(message=first, user=people.handler_a).exists()
    body = client.get(reverse("org:inbox")).content.decode()
    assert "1 条未读" in body and body.index("提醒乙") < body.index("提醒甲")
    unread_only = client.get(reverse("org:inbox") + "?unread=on").content.decode()
    assert "提醒甲" not in unread_only
    # A colleague's read state is their own.
    assert "2 条未读" in _client(people.leader_a).get(reverse("org:inbox")).content.decode()
    # Marking twice changes nothing.
    client.post(reverse("org:inbox_read"), {"id": first.pk})
    assert MessageRead.objects.filter(message=first).count() == 1


def test_mark_all_read_and_the_dashboard_count(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    for i in range(3):
        _note(p, people.cast.unit_a, f"提醒{i}")
    client = _client(people.handler_a)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "未读提醒 3 条" in dashboard and reverse("org:inbox") in dashboard
    assert "提醒消息" in dashboard  # the navigation link
    response = client.post(reverse("org:inbox_read"))
    assert response.status_code == 302
    assert "未读提醒 0 条" in client.get(reverse("dashboard")).content.decode()


def test_inbox_api_lists_and_marks_read(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    notes = [_note(p, people.cast.unit_a, f"接口提醒{i}") for i in range(3)]
    token = issue_token(actor=people.handler_a, user=people.handler_a, name="t")
    headers = {"Authorization": f"Bearer {token}"}
    client = Client()
    data = client.get("/api/petitions/notifications?limit=2", headers=headers).json()
    assert (data["count"], data["unread"], len(data["items"])) == (3, 3, 2)
    marked = client.post(
        "/api/petitions/notifications/read",
        {"ids": [notes[0].pk]},
        content_type="application/json",
        headers=headers,
    ).json()
    assert marked == {"marked": 1}
    data = client.get("/api/petitions/notifications?unread=true", headers=headers).json()
    assert data["count"] == 2 and notes[0].pk not in [n["id"] for n in data["items"]]
    everything = client.post(
        "/api/petitions/notifications/read", {}, content_type="application/json", headers=headers
    ).json()
    assert everything == {"marked": 2}
    other = issue_token(actor=people.handler_b, user=people.handler_b, name="t")
    o_headers = {"Authorization": f"Bearer {other}"}
    assert client.get("/api/petitions/notifications", headers=o_headers).json()["count"] == 0
    assert client.post(
        "/api/petitions/notifications/read",
        {"ids": [n.pk for n in notes]},
        content_type="application/json",
        headers=o_headers,
    ).json() == {"marked": 0}
