"""Only the petitioner rates and asks for review on the portal: a signed-in staff member is
refused even after a successful lookup, and the proof lives in the session, not in a flag
(issue 10, finding 1)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xinfang.petitions.choices import Rating, Status
from xinfang.petitions.models import Petition, ReturnVisit, ReviewRequest
from xinfang.portal.tests.conftest import Portal
from xinfang.portal.tests.helpers import answer, lookup, registered
from xinfang.portal.views import SESSION_MATTER

pytestmark = pytest.mark.django_db


def _looked_up_by_staff(portal: Portal) -> tuple[Petition, Client]:
    petition, code = registered(portal.cast.unit_a)
    answer(petition, portal.handler_a, portal.leader_a)
    client = Client()
    client.force_login(portal.handler_a)
    assert lookup(client, code).status_code == 302
    return petition, client


def test_staff_signed_in_cannot_rate_on_the_portal(portal: Portal) -> None:
    petition, client = _looked_up_by_staff(portal)
    response = client.post(reverse("portal:rate"), {"rating": Rating.SATISFIED}, follow=True)
    assert "工作人员不能代信访人评价" in response.content.decode()
    assert not ReturnVisit.objects.exists()
    assert Petition.objects.get(pk=petition.pk).status == Status.ANSWERED


def test_staff_signed_in_cannot_request_review_on_the_portal(portal: Portal) -> None:
    _petition, client = _looked_up_by_staff(portal)
    response = client.post(reverse("portal:review"), {"reason": "不服"}, follow=True)
    assert "工作人员不能代信访人" in response.content.decode()
    assert not ReviewRequest.objects.exists()


def test_a_session_without_the_signed_proof_cannot_rate(portal: Portal) -> None:
    petition, code = registered(portal.cast.unit_a)
    answer(petition, portal.handler_a, portal.leader_a)
    client = Client()
    assert lookup(client, code).status_code == 302
    session = client.session
    session[SESSION_MATTER] = {**session[SESSION_MATTER], "proof": "forged"}
    session.save()
    response = client.post(reverse("portal:rate"), {"rating": Rating.SATISFIED}, follow=True)
    assert "身份验证已失效" in response.content.decode()
    assert not ReturnVisit.objects.exists()
