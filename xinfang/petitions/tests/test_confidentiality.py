"""Accusations and confidential petitioners never reach the accused (条例 Art. 30).

Unique canary strings are planted in every field of an accusation and of a confidential
petitioner; then everything an accused-unit user (and the accused person) can fetch is
searched for them: list pages, search, detail, the due list, the dashboard, the matches
helper, the API list/detail/due, attachments and notifications.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from xinfang.org.choices import Role
from xinfang.org.inbox import inbox_messages
from xinfang.petitions.choices import Kind, Status
from xinfang.petitions.confidentiality import identity_visible
from xinfang.petitions.errors import AccusationRoutingRefused, PetitionError
from xinfang.petitions.models import Attachment, Petition, Petitioner
from xinfang.petitions.reminders import messages_about, run_deadline_job
from xinfang.petitions.services import PetitionerData, add_attachment, register_petition
from xinfang.petitions.tests.conftest import People
from xinfang.petitions.tests.factories import PetitionerDataFactory, make_petition, refresh
from xinfang.petitions.workflow import transition
from xinfang.shell.testing import sign_in

CANARY_SUMMARY = "CANARY-SUMMARY-7f3a"
CANARY_TEXT = "CANARY-FULLTEXT-91bc"
CANARY_NAME = "CANARY-NAME-5d2e"
CANARY_FILE = "CANARY-FILE-c0de"
CANARY_CONF = "CANARY-CONFIDENTIAL-44aa"
CANARY_PERSON = "CANARY-ACCUSED-PERSON-e1"
CANARY_PERSONAL = "CANARY-PERSONAL-0b9d"
CANARY_PERSONAL_NAME = "CANARY-PERSONAL-NAME-77"
CANARIES = (CANARY_SUMMARY, CANARY_TEXT, CANARY_NAME, CANARY_FILE, CANARY_CONF, CANARY_PERSON)
PDF = b"%PDF-1.4\n" + CANARY_FILE.encode() + b"\n%%EOF\n"


@pytest.fixture
def planted(people):
    cast = people.cast
    received = timezone.localdate() - timedelta(days=12)  # the route is due within 7 days
    accusation = register_petition(
        actor=people.registrar,
        registering_unit=cast.county,
        channel="letter",
        kind=Kind.ACCUSATION,
        summary=f"{CANARY_SUMMARY} 检举违规审批",
        full_text=CANARY_TEXT,
        received_on=received,
        accused_unit=cast.department,
        accused_person=CANARY_PERSON,
        petitioners=[PetitionerData(name=CANARY_NAME, phone="13955556666")],
        propose_matches=False,
    ).petition
    add_attachment(
        accusation,
        actor=people.registrar,
        upload=SimpleUploadedFile(f"{CANARY_FILE}.pdf", PDF, content_type="application/pdf"),
    )
    transition(accusation, Status.ROUTED, actor=people.registrar, to_unit=people.discipline)
    # A confidential petitioner whose appeal concerns the department and is handled there.
    appeal = register_petition(
        actor=people.registrar,
        registering_unit=cast.county,
        channel="letter",
        kind=Kind.APPEAL,
        summary="对审批结果有异议",
        received_on=received,
        accused_unit=cast.department,
        petitioners=[
            PetitionerData(name=CANARY_CONF, phone="13955557777", wants_confidentiality=True)
        ],
        propose_matches=False,
    ).petition
    transition(appeal, Status.ROUTED, actor=people.registrar, to_unit=cast.department)
    # An accusation naming a county leader's account personally.
    personal = register_petition(
        actor=people.registrar,
        registering_unit=cast.county,
        channel="letter",
        kind=Kind.ACCUSATION,
        summary=f"{CANARY_PERSONAL} 检举个人",
        full_text=CANARY_PERSONAL,
        accused_person="某副县长",
        accused_user=people.county_leader,
        petitioners=[PetitionerData(name=CANARY_PERSONAL_NAME, phone="13955558888")],
        propose_matches=False,
    ).petition
    transition(personal, Status.ROUTED, actor=people.registrar, to_unit=people.discipline)
    # Run the job on a day when the notice periods are due soon: reminders are queued.
    run_deadline_job(timezone.localdate() + timedelta(days=13))
    return accusation, appeal, personal


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fetch_everything(client: Client, accusation: Petition, personal: Petition) -> list[bytes]:
    attachment = Attachment.objects.get(petition=accusation)
    urls = [
        reverse("petitions:petition_list"),
        # Searched by a fragment: the search box echoes the query, never the whole canary.
        reverse("petitions:petition_list") + "?q=SUMMARY-7f",
        reverse("petitions:petition_list") + "?kind=accusation",
        reverse("petitions:due_list"),
        reverse("petitions:petition_detail", args=[accusation.pk]),
        reverse("petitions:petition_detail", args=[personal.pk]),
        reverse("petitions:attachment_download", args=[attachment.pk]),
        reverse("dashboard"),
        "/api/petitions/",
        "/api/petitions/?q=SUMMARY-7f",
        "/api/petitions/due",
        f"/api/petitions/{accusation.pk}",
        f"/api/petitions/{accusation.pk}/transitions",
        f"/api/petitions/attachments/{attachment.pk}",
    ]
    bodies = []
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        bodies.append(response.content)
    response = client.post(
        reverse("petitions:register_matches"), {"summary": "SUMMARY-7f 检举违规审批"}
    )
    assert response.status_code in (200, 404), response.status_code
    bodies.append(response.content)
    return bodies


def _assert_clean(bodies: list[bytes], canaries: tuple[str, ...] = CANARIES) -> None:
    for body in bodies:
        text = body.decode("utf-8", "replace")
        for canary in canaries:
            assert canary not in text


@pytest.mark.parametrize("role", [Role.HANDLER, Role.UNIT_LEADER, Role.REGISTRAR])
def test_accused_unit_users_find_no_trace_of_the_accusation(people, planted, role) -> None:
    accusation, _appeal, personal = planted
    user = people.cast.user_with(role, people.cast.department, f"accused-{role}")
    _assert_clean(_fetch_everything(_client(user), accusation, personal))
    assert not Petition.objects.restrict(user).filter(kind=Kind.ACCUSATION).exists()
    inbox = inbox_messages(user, include_subunits=True)
    assert not inbox.filter(pk__in=messages_about(accusation)).exists()


def test_accused_person_cannot_see_an_accusation_against_them(people, planted) -> None:
    accusation, _appeal, personal = planted
    bodies = _fetch_everything(_client(people.county_leader), accusation, personal)
    bodies += [_client(people.county_leader).get(f"/api/petitions/{personal.pk}").content]
    _assert_clean(bodies, (CANARY_PERSONAL, CANARY_PERSONAL_NAME))
    inbox = inbox_messages(people.county_leader, include_subunits=True)
    assert not inbox.filter(pk__in=messages_about(personal)).exists()
    # … while an uninvolved county-level user sees both accusations.
    assert Petition.objects.restrict(people.registrar).filter(kind=Kind.ACCUSATION).count() == 2


def test_the_discipline_body_sees_the_accusation(people, planted) -> None:
    accusation, _appeal, _personal = planted
    response = _client(people.discipline_handler).get(
        reverse("petitions:petition_detail", args=[accusation.pk])
    )
    assert response.status_code == 200
    assert CANARY_SUMMARY in response.content.decode() and CANARY_NAME in response.content.decode()


def test_confidential_petitioner_is_hidden_from_the_unit_complained_about(people, planted) -> None:
    _accusation, appeal, _personal = planted
    handler = people.handler_dept
    response = _client(handler).get(reverse("petitions:petition_detail", args=[appeal.pk]))
    assert response.status_code == 200
    assert CANARY_CONF not in response.content.decode()
    assert "信访人要求保密" in response.content.decode()
    api = _client(handler).get(f"/api/petitions/{appeal.pk}")
    assert CANARY_CONF not in api.content.decode()
    assert not identity_visible(handler, refresh(appeal))
    assert not Petitioner.objects.restrict(handler).filter(name=CANARY_CONF).exists()
    # The registering office, which needs it, sees the name.
    assert identity_visible(people.registrar, refresh(appeal))


def test_notifications_never_go_to_the_accused_unit(people, planted) -> None:
    accusation, _appeal, _personal = planted
    assert messages_about(accusation).exists()
    assert not messages_about(accusation).filter(recipient_unit=people.cast.department).exists()


def test_accusation_cannot_be_routed_into_the_accused_unit_subtree(people, planted) -> None:
    accusation, _appeal, _personal = planted
    with pytest.raises(AccusationRoutingRefused):
        transition(
            refresh(accusation),
            Status.ROUTED,
            actor=people.discipline_leader,
            to_unit=people.cast.department,
        )


def test_the_accused_unit_cannot_register_an_accusation_against_itself(people) -> None:
    registrar = people.cast.user_with(Role.REGISTRAR, people.cast.department, "dept-registrar")
    with pytest.raises(PetitionError):
        register_petition(
            actor=registrar,
            registering_unit=people.cast.department,
            channel="letter",
            kind=Kind.ACCUSATION,
            summary="检举本单位",
            accused_unit=people.cast.department,
            petitioners=[PetitionerData(name="某人")],
        )


def test_the_register_keeps_an_accusation_held_by_discipline_without_the_accuser(
    people: People,
) -> None:
    # Art. 30: once the discipline body holds the accusation, the accuser is known to it
    # alone; the county office that registered it keeps the matter, not the accuser.
    from xinfang.petitions.confidentiality import accuser_withheld, conceals

    cast = people.cast
    accusation = make_petition(
        cast,
        unit=cast.county,
        actor=people.registrar,
        kind=Kind.ACCUSATION,
        accused_unit=cast.department,
        petitioners=[PetitionerDataFactory(name="实名检举人", wants_confidentiality=False)],
    )
    assert not conceals(people.registrar, accusation, False)
    transition(accusation, Status.ROUTED, actor=people.registrar, to_unit=people.discipline)
    accusation = Petition.objects.get(pk=accusation.pk)
    assert accuser_withheld(people.registrar, accusation)
    assert conceals(people.registrar, accusation, False)
    assert not conceals(people.discipline_handler, accusation, False)
    assert accusation in Petition.objects.restrict(people.registrar, "view")
    page = _page(people.registrar, accusation)
    assert "实名检举人" not in page and accusation.summary in page
    assert "实名检举人" in _page(people.discipline_handler, accusation)


def _page(user, petition: Petition) -> str:
    client = Client()
    sign_in(client, user)
    url = reverse("petitions:petition_detail", args=[petition.pk])
    return client.get(url).content.decode()
