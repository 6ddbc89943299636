"""Forms fit the channel (a head count only for visits, the handing-down office only for
matters from above) and long texts are collapsed on the matter page."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from xinfang.petitions.forms import RegisterForm
from xinfang.petitions.tests.factories import make_petition

pytestmark = pytest.mark.django_db


def _data(cast, **extra) -> dict:
    return {
        "registering_unit": cast.unit_a.pk,
        "kind": "appeal",
        "received_on": "2026-09-01",
        "summary": "反映道路积水",
        **extra,
    }


def _hidden(form: RegisterForm) -> set[str]:
    return {row["field"].name for row in form.rows() if row["hidden"]}


def test_a_letter_hides_the_head_count_and_the_handing_down_office(people) -> None:
    form = RegisterForm(_data(people.cast, channel="letter"), user=people.town_registrar)
    assert {"head_count", "handed_down_by", "source_reference", "report_due"} <= _hidden(form)


def test_a_visit_shows_the_head_count_a_forwarded_matter_its_office(people) -> None:
    visit = RegisterForm(_data(people.cast, channel="collective_visit"), user=people.town_registrar)
    assert "head_count" not in _hidden(visit) and "handed_down_by" in _hidden(visit)
    forwarded = RegisterForm(_data(people.cast, channel="forwarded"), user=people.town_registrar)
    assert "handed_down_by" not in _hidden(forwarded) and "report_due" in _hidden(forwarded)
    assigned = RegisterForm(_data(people.cast, channel="assigned"), user=people.town_registrar)
    assert "report_due" not in _hidden(assigned)


def test_values_of_fields_that_do_not_apply_are_dropped(people) -> None:
    form = RegisterForm(
        _data(
            people.cast,
            channel="letter",
            head_count=30,
            handed_down_by=people.cast.county.pk,
            source_reference="县信转〔2026〕1号",
        ),
        user=people.town_registrar,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["head_count"] is None
    assert form.cleaned_data["handed_down_by"] is None
    assert form.cleaned_data["source_reference"] == ""


def test_the_register_page_marks_the_channel_fields_for_the_script(people) -> None:
    client = Client()
    client.force_login(people.town_registrar)
    body = client.get(reverse("petitions:petition_register")).content.decode()
    assert 'data-channels="visit collective_visit"' in body
    assert 'data-channels="forwarded assigned" hidden' in body


def test_a_long_text_is_collapsed_on_the_matter_page(people) -> None:
    long_text = "事情经过如下。" * 60
    p = make_petition(people.cast, actor=people.town_registrar, full_text=long_text)
    client = Client()
    client.force_login(people.handler_a)
    body = client.get(reverse("petitions:petition_detail", args=[p.pk])).content.decode()
    assert '<details class="long-text">' in body and "展开全文" in body
    short = make_petition(people.cast, actor=people.town_registrar, full_text="很短")
    body = client.get(reverse("petitions:petition_detail", args=[short.pk])).content.decode()
    assert '<details class="long-text">' not in body
