""" "查看完整信息": the full phone and ID number only for staff who need them, every read in
the audit trail, and a 404 for everyone else (domain principle 3, 条例 Art. 30)."""

from __future__ import annotations

import base64

from django.test import Client
from django.urls import reverse

from xinfang.core.models import AuditAction, AuditEntry
from xinfang.org.choices import Role
from xinfang.petitions.choices import Kind, Status
from xinfang.petitions.models import Petition
from xinfang.petitions.services import PetitionerData
from xinfang.petitions.tests.factories import make_petition
from xinfang.petitions.workflow import transition

PHONE = "13987654321"
ID_NUMBER = "11010519491231002X"


def detail_url(pk: int) -> str:
    return reverse("petitions:petition_detail", args=[pk])


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _matter(people, **kw) -> Petition:
    kw.setdefault(
        "petitioners",
        [PetitionerData(name="吴六", phone=PHONE, id_number=ID_NUMBER, **kw.pop("person", {}))],
    )
    return make_petition(people.cast, actor=kw.pop("actor", people.town_registrar), **kw)


def _reveal(user, p: Petition):
    person = p.petitioners.get()
    return _client(user).post(
        reverse("petitions:petitioner_reveal", args=[p.pk, person.pk]), HTTP_HX_REQUEST="true"
    )


def _pii_reads(user=None) -> int:
    rows = AuditEntry.objects.filter(action=AuditAction.PII_READ)
    return (rows.filter(actor=user) if user else rows).count()


def test_the_handler_reveals_phone_and_id_and_each_read_is_audited(people) -> None:
    p = _matter(people)
    detail = _client(people.handler_a).get(detail_url(p.pk)).content
    assert "查看完整信息".encode() in detail and PHONE.encode() not in detail
    response = _reveal(people.handler_a, p)
    body = response.content.decode()
    assert response.status_code == 200 and PHONE in body and ID_NUMBER in body
    assert response["Cache-Control"] == "no-store"
    entries = AuditEntry.objects.filter(action=AuditAction.PII_READ, actor=people.handler_a)
    assert sorted(e.detail["field"] for e in entries) == ["id_number", "phone"]
    assert {e.object_type for e in entries} == {"petitions.petitioner"}
    assert all(p.number in e.detail["reason"] for e in entries)


def test_registrar_and_the_leader_above_may_reveal(people) -> None:
    p = _matter(people)
    for user in (people.town_registrar, people.county_leader):
        assert _reveal(user, p).status_code == 200
        assert _pii_reads(user) == 2


def test_staff_who_only_oversee_get_404_and_nothing_is_read(people) -> None:
    p = _matter(people)
    supervisor = people.cast.user_with(Role.SUPERVISOR, people.cast.county, "county-supervisor")
    detail = _client(supervisor).get(detail_url(p.pk))
    assert detail.status_code == 200 and "查看完整信息".encode() not in detail.content
    assert _reveal(supervisor, p).status_code == 404
    assert _reveal(people.handler_b, p).status_code == 404  # another township
    assert _reveal(people.cast.no_grant, p).status_code == 404
    assert _pii_reads() == 0


def test_the_unit_complained_about_cannot_reveal_even_when_it_handles_the_matter(people) -> None:
    # An appeal complaining about the township, handled by the township itself.
    p = _matter(people, accused_unit=people.cast.unit_a)
    detail = _client(people.handler_a).get(detail_url(p.pk))
    assert detail.status_code == 200 and "查看完整信息".encode() not in detail.content
    assert _reveal(people.handler_a, p).status_code == 404
    assert _pii_reads() == 0


def test_an_accusation_is_revealed_to_the_discipline_body_never_to_the_accused(people) -> None:
    cast = people.cast
    p = _matter(
        people,
        unit=cast.county,
        actor=people.registrar,
        kind=Kind.ACCUSATION,
        accused_unit=cast.department,
        person={"wants_confidentiality": True},
    )
    p = transition(p, Status.ROUTED, actor=people.registrar, to_unit=people.discipline)
    assert _reveal(people.handler_dept, p).status_code == 404
    assert _reveal(people.leader_dept, p).status_code == 404
    assert _pii_reads() == 0
    response = _reveal(people.discipline_handler, p)
    assert response.status_code == 200 and PHONE in response.content.decode()
    assert _pii_reads(people.discipline_handler) == 2


def test_a_confidential_petitioner_is_never_revealed_to_those_not_entitled(people) -> None:
    p = _matter(people, person={"wants_confidentiality": True})
    supervisor = people.cast.user_with(Role.SUPERVISOR, people.cast.unit_a, "town-supervisor")
    body = _client(supervisor).get(detail_url(p.pk)).content.decode()
    assert "吴六" not in body and "（信访人要求保密）" in body
    assert _reveal(supervisor, p).status_code == 404
    assert _reveal(people.handler_a, p).status_code == 200


def test_reveal_without_htmx_shows_a_page_and_get_is_refused(people) -> None:
    p = _matter(people)
    person = p.petitioners.get()
    url = reverse("petitions:petitioner_reveal", args=[p.pk, person.pk])
    client = _client(people.handler_a)
    assert client.get(url).status_code == 405
    page = client.post(url)
    assert page.status_code == 200 and "信访人完整信息" in page.content.decode()
    # A petitioner of another matter cannot be reached through this matter's URL.
    other = _matter(people)
    wrong = reverse("petitions:petitioner_reveal", args=[p.pk, other.petitioners.get().pk])
    assert client.post(wrong).status_code == 404


def _tamper(person) -> None:
    """Flip one byte of the sealed phone, as an edit in the database would."""
    cipher, key_id, blob = person.phone_token.split(":", 2)
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 0x01
    tampered = f"{cipher}:{key_id}:{base64.b64encode(bytes(raw)).decode()}"
    type(person).objects.filter(pk=person.pk).update(phone_token=tampered)


def test_a_tampered_ciphertext_shows_a_chinese_error_not_a_server_error(people) -> None:
    p = _matter(people)
    _tamper(p.petitioners.get())
    response = _reveal(people.handler_a, p)
    body = response.content.decode()
    assert response.status_code == 200
    assert "已损坏或被篡改" in body and PHONE not in body
    failed = AuditEntry.objects.filter(action=AuditAction.PII_READ, actor=people.handler_a)
    assert {e.detail["field"]: e.detail.get("failed") for e in failed} == {
        "phone": "tampered",
        "id_number": None,
    }
    assert ID_NUMBER in body  # the undamaged value is still shown


def test_a_tampered_ciphertext_on_the_full_page_answers_422(people) -> None:
    p = _matter(people)
    person = p.petitioners.get()
    _tamper(person)
    url = reverse("petitions:petitioner_reveal", args=[p.pk, person.pk])
    response = _client(people.handler_a).post(url)
    assert response.status_code == 422
    assert "已损坏或被篡改" in response.content.decode()
