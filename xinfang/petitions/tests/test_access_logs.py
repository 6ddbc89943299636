"""No petitioner's phone or ID number in a URL or a server log line (issue 10, finding 2).

An access log records the request line of every request; a query string is therefore as
public as the log files. The registration form's live duplicate check used to be a GET
carrying the whole form.
"""

from __future__ import annotations

import logging
import re

import pytest
from django.urls import reverse

from xinfang.org.choices import Role
from xinfang.petitions.models import Petition
from xinfang.petitions.services import PetitionerData, register_petition
from xinfang.shell.testing import PASSWORD, build_cast

PHONE = "13987654321"
ID_NUMBER = "11010519491231002X"


def _no_personal_data(texts: list[str]) -> None:
    for text in texts:
        assert PHONE not in text, text
        assert ID_NUMBER not in text.upper(), text


def test_the_duplicate_check_refuses_get(client, cast) -> None:
    client.force_login(cast.user_with(Role.REGISTRAR, cast.unit_a))
    url = reverse("petitions:register_matches") + f"?summary=x&people-0-phone={PHONE}"
    assert client.get(url).status_code == 405


def test_the_registration_page_posts_only_what_the_check_needs(client, cast) -> None:
    client.force_login(cast.user_with(Role.REGISTRAR, cast.unit_a))
    html = client.get(reverse("petitions:petition_register")).content.decode()
    assert "hx-get" not in html
    (params,) = re.findall(r'hx-params="([^"]*)"', html)
    assert set(params.split(",")) == {"summary", "people-0-phone", "people-0-id_number"}


def test_the_duplicate_check_finds_an_earlier_matter_by_posted_phone(client, cast) -> None:
    registrar = cast.user_with(Role.REGISTRAR, cast.unit_a)
    earlier = register_petition(
        actor=registrar,
        registering_unit=cast.unit_a,
        channel="letter",
        kind="appeal",
        summary="反映道路积水",
        petitioners=[PetitionerData(name="王五", phone=PHONE)],
        propose_matches=False,
    ).petition
    client.force_login(registrar)
    response = client.post(
        reverse("petitions:register_matches"), {"summary": "另一件事", "people-0-phone": PHONE}
    )
    assert earlier.number in response.content.decode()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_registration_leaves_no_phone_or_id_number_in_urls_or_logs(page, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    cast = build_cast()
    registrar = cast.user_with(Role.REGISTRAR, cast.unit_a, "reg")
    register_petition(
        actor=registrar,
        registering_unit=cast.unit_a,
        channel="letter",
        kind="appeal",
        summary="反映菜市场排水沟堵塞问题",
        petitioners=[PetitionerData(name="赵六", phone=PHONE, id_number=ID_NUMBER)],
        propose_matches=False,
    )
    urls: list[str] = []
    posted: list[str] = []

    def _seen(request) -> None:
        urls.append(request.url)
        if "/new/matches/" in request.url:
            posted.append(request.post_data or "")

    page.on("request", _seen)
    page.goto("/login/")
    page.fill("#id_username", "reg")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard/")
    page.goto("/petitions/new/")
    page.select_option("#id_registering_unit", str(cast.unit_a.pk))
    page.select_option("#id_channel", "letter")
    page.select_option("#id_kind", "appeal")
    page.fill("#id_people-0-name", "赵六")
    page.fill("#id_people-0-phone", PHONE)
    page.fill("#id_people-0-id_number", ID_NUMBER)
    page.fill("#id_people-0-address", "城关镇南街8号")
    with page.expect_response("**/new/matches/"):
        page.fill("#id_summary", "反映菜市场排水沟堵塞")
        page.dispatch_event("#id_summary", "change")
    # The check ran and found the earlier matter by the phone …
    page.wait_for_selector("#matches :text('同一信访人')")
    page.click("#register-form button[type=submit]")
    page.wait_for_selector("text=信访人查询码")
    assert Petition.objects.count() == 2

    # … by POST, with nothing but the fields it needs (no name, address, CSRF token).
    assert posted
    for body in posted:
        assert set(re.findall(r"(?:^|&)([^=&]+)=", body)) <= {
            "summary",
            "people-0-phone",
            "people-0-id_number",
        }
    _no_personal_data(urls)
    _no_personal_data([record.getMessage() for record in caplog.records])
    _no_personal_data([str(record.args) for record in caplog.records])
