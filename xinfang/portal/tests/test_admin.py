"""The petition office sets its public information (条例 Art. 18) in the admin, audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xinfang.core.models import AuditEntry
from xinfang.org.choices import Role
from xinfang.portal.models import OfficeProfile
from xinfang.portal.tests.conftest import Portal
from xinfang.shell.testing import sign_in

pytestmark = pytest.mark.django_db


def test_an_administrator_of_the_county_publishes_the_office_information(portal: Portal) -> None:
    admin_user = portal.cast.user_with(Role.ADMINISTRATOR, portal.cast.county, "office-admin")
    client = Client()
    sign_in(client, admin_user)
    response = client.post(
        reverse("admin:portal_officeprofile_add"),
        {
            "unit": portal.office.pk,
            "address": "测试县人民路1号",
            "complaint_phone": "0571-12345678",
            "reception_hours": "工作日上午",
            "reception_places": "县来访接待中心",
            "schedule_units": [portal.cast.unit_a.pk],
            "order": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:800]
    profile = OfficeProfile.objects.get()
    assert list(profile.schedule_units.all()) == [portal.cast.unit_a]
    assert AuditEntry.objects.filter(object_type="portal.officeprofile", action="create").exists()
    assert "测试县人民路1号" in Client().get(reverse("portal:home")).content.decode()
