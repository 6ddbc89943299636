"""Online submission: the matter is registered through the petitions service, the code is
shown once, a double submit registers one matter, and the spam controls hold."""

from __future__ import annotations

import time
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from xinfang.core import crypto
from xinfang.petitions.choices import Channel, Kind, Status
from xinfang.petitions.models import Attachment, Petition, Petitioner
from xinfang.petitions.services import find_by_query_code
from xinfang.portal.forms import make_form_token
from xinfang.portal.ratelimit import SUBMIT_PER_IP
from xinfang.portal.tests.conftest import Portal
from xinfang.portal.tests.helpers import (
    CODE_RE,
    PHONE,
    submit,
    submit_and_read_code,
    submit_data,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_form_defaults_to_the_county_petition_office(portal: Portal) -> None:
    response = Client().get(reverse("portal:submit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{portal.office.pk}" selected>' in html
    assert 'name="form_token"' in html and 'name="website"' in html
    # Every visible input has a label; the honeypot is out of the tab order.
    assert 'tabindex="-1"' in html
    for name in ("name", "phone", "id_number", "address", "summary", "full_text", "place"):
        assert f'<label for="id_{name}">' in html


def test_submission_registers_an_online_matter_and_shows_the_code_once(portal: Portal) -> None:
    client = Client()
    code = submit_and_read_code(client, portal.cast.unit_a)
    petition = Petition.objects.get()
    assert petition.channel == Channel.ONLINE and petition.status == Status.REGISTERED
    assert petition.registering_unit == portal.cast.unit_a
    assert petition.matter_type is not None and petition.matter_type.code == "0205"
    assert petition.registrar is None
    assert len(code.replace("-", "")) == 28  # 140 bits in base 32, seven groups of four
    assert find_by_query_code(code, PHONE) == petition
    person = Petitioner.objects.get(petition=petition)
    assert person.name == "王某某" and person.address == "测试县人****"  # sealed, shown masked
    assert crypto.open_(person.address_token) == "测试县人民路8号"
    # Only the hash of the code is stored, never the code itself.
    assert code not in (petition.query_code_hash or "")
    again = client.get(reverse("portal:submitted"))
    assert again.status_code == 200
    assert code not in again.content.decode()
    assert "查询码已显示过" in again.content.decode()


def test_double_submit_of_one_form_creates_one_matter(portal: Portal) -> None:
    client = Client()
    data = submit_data(portal.cast.unit_a)
    first = client.post(reverse("portal:submit"), data)
    second = client.post(reverse("portal:submit"), data)
    assert first.status_code == second.status_code == 302
    assert Petition.objects.count() == 1
    page = client.get(reverse("portal:submitted"))
    code = CODE_RE.search(page.content.decode())
    assert code and find_by_query_code(code.group(1), PHONE) == Petition.objects.get()


def test_two_renders_of_the_form_create_two_matters(portal: Portal) -> None:
    client = Client()
    submit(client, portal.cast.unit_a)
    submit(client, portal.cast.unit_a, summary="另一件事")
    assert Petition.objects.count() == 2


def test_attachments_are_stored_through_the_service(portal: Portal) -> None:
    upload = SimpleUploadedFile("现场照片.pdf", PDF, content_type="application/pdf")
    response = submit(Client(), portal.cast.unit_a, attachments=[upload])
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "现场照片.pdf" and attachment.extension == "pdf"


def test_an_attachment_of_a_refused_type_registers_nothing(portal: Portal) -> None:
    upload = SimpleUploadedFile("脚本.pdf", b"#!/bin/sh\necho hi\n", content_type="application/pdf")
    response = submit(Client(), portal.cast.unit_a, attachments=[upload])
    assert response.status_code == 400
    assert "不支持的文件类型" in response.content.decode()
    assert Petition.objects.count() == 0


def test_more_than_five_attachments_are_refused(portal: Portal) -> None:
    uploads = [SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(6)]
    response = submit(Client(), portal.cast.unit_a, attachments=uploads)
    assert response.status_code == 400 and "附件最多5个" in response.content.decode()
    assert Petition.objects.count() == 0


def test_accusation_needs_the_accused_and_keeps_identity_confidential(portal: Portal) -> None:
    response = submit(Client(), portal.cast.unit_a, kind="accusation")
    assert response.status_code == 400
    assert "请写明被检举控告的单位或人员" in response.content.decode()
    response = submit(
        Client(),
        portal.office,
        kind="accusation",
        accused_unit=str(portal.cast.unit_b.pk),
        wants_confidentiality="on",
    )
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert petition.kind == Kind.ACCUSATION and petition.accused_unit == portal.cast.unit_b
    assert petition.is_confidential


def test_accusation_addressed_to_the_accused_unit_is_refused(portal: Portal) -> None:
    response = submit(
        Client(), portal.cast.unit_b, kind="accusation", accused_unit=str(portal.cast.unit_b.pk)
    )
    assert response.status_code == 400
    assert "第三十条" in response.content.decode()
    assert Petition.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "139-abc", "电话号码格式不正确"),
        ("id_number", "110101199003071234", "校验位不正确"),
        ("summary", "长" * 201, "200"),
        ("full_text", "长" * 10_001, "10000"),
        ("name", "", "这个字段是必填项"),
        ("matter_type", "0800", "请选择事项类别"),
    ],
)
def test_invalid_fields_are_explained_in_chinese(
    portal: Portal, field: str, value: str, message: str
) -> None:
    response = submit(Client(), portal.cast.unit_a, **{field: value})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and message in html
    assert Petition.objects.count() == 0


def test_honeypot_filled_registers_nothing(portal: Portal) -> None:
    response = submit(Client(), portal.cast.unit_a, website="http://spam.example")
    assert response.status_code == 400
    assert Petition.objects.count() == 0
    assert "提交未成功" in response.content.decode()


def test_submitting_faster_than_a_person_can_is_refused(portal: Portal) -> None:
    response = submit(Client(), portal.cast.unit_a, form_token=make_form_token())
    assert response.status_code == 400
    assert "提交过快" in response.content.decode()
    assert Petition.objects.count() == 0


def test_the_same_form_is_accepted_after_the_minimum_fill_time(portal: Portal) -> None:
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False):
        token = make_form_token()
    with time_machine.travel("2026-03-02 10:00:04 +0800", tick=False):
        response = submit(Client(), portal.cast.unit_a, form_token=token)
    assert response.status_code == 302


@pytest.mark.parametrize("token", ["", "forged", "stale"])
def test_missing_forged_or_stale_form_token_is_refused(portal: Portal, token: str) -> None:
    if token == "stale":  # made at test time, never at collection time by the real clock
        token = make_form_token(time.time() - 13 * 3600)
    response = submit(Client(), portal.cast.unit_a, form_token=token)
    assert response.status_code == 400
    assert "页面已过期" in response.content.decode()
    assert Petition.objects.count() == 0


def test_submissions_are_rate_limited_per_address(portal: Portal) -> None:
    client = Client(REMOTE_ADDR="10.1.2.3")
    for i in range(SUBMIT_PER_IP.count):
        assert submit(client, portal.cast.unit_a, summary=f"事项{i}").status_code == 302
    refused = submit(client, portal.cast.unit_a, summary="再一件")
    assert refused.status_code == 429 and "提交过于频繁" in refused.content.decode()
    other = submit(Client(REMOTE_ADDR="10.9.9.9"), portal.cast.unit_a, summary="别处")
    assert other.status_code == 302
    assert Petition.objects.count() == SUBMIT_PER_IP.count + 1


def test_csrf_is_enforced_on_the_public_form(portal: Portal) -> None:
    client = Client(enforce_csrf_checks=True)
    response = submit(client, portal.cast.unit_a)
    assert response.status_code == 403
    assert Petition.objects.count() == 0


def test_a_signed_in_staff_member_submits_as_an_online_petitioner(portal: Portal) -> None:
    client = Client()
    client.force_login(portal.handler_a)
    assert submit(client, portal.cast.unit_b).status_code == 302
    assert Petition.objects.get().registrar is None


def test_form_page_query_count(portal: Portal, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(7):
        assert Client().get(reverse("portal:submit")).status_code == 200


def test_same_matter_search_runs_after_commit_not_in_the_request(
    portal: Portal, django_capture_on_commit_callbacks: Any
) -> None:
    from xinfang.petitions.models import SameMatterCandidate

    earlier = submit_and_read_code(Client(), portal.cast.unit_a)
    assert earlier
    first = Petition.objects.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = submit(Client(), portal.cast.unit_a)
    assert response.status_code == 302
    new = Petition.objects.exclude(pk=first.pk).get()
    # The request itself proposed nothing; the search waits for the commit.
    assert not SameMatterCandidate.objects.filter(petition=new).exists()
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the huey task runs (inline in tests)
    assert [c.candidate for c in SameMatterCandidate.objects.filter(petition=new)] == [first]
    assert Petition.objects.get(pk=new.pk).summary_tokens


def test_rate_limit_window_is_not_extended_or_shortened_by_hits(db: Any) -> None:
    from xinfang.portal.ratelimit import Limit

    limit = Limit("test-window", 3, 3600)
    with time_machine.travel("2026-11-22 10:00 +0800", tick=False) as clock:
        assert [limit.hit("addr") for _ in range(3)] == [1, 2, 3]
        assert limit.exceeded("addr")
        clock.shift(600)  # past the cache's default timeout: the window still holds
        assert limit.exceeded("addr") and limit.hit("addr") == 4
        clock.shift(3000)  # 3,600 s after the first hit: a new window
        assert not limit.exceeded("addr") and limit.hit("addr") == 1
