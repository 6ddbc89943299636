"""The REST API: scoped like the pages, create / transition / attachments, in the schema."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from xinfang.org.tokens import issue_token
from xinfang.petitions.choices import Status
from xinfang.petitions.models import Petition
from xinfang.petitions.tests.factories import make_petition, refresh

PDF = b"%PDF-1.4\n%%EOF\n"


def _token_client(user) -> tuple[Client, dict[str, str]]:
    token = issue_token(actor=user, user=user, name="test")
    return Client(), {"Authorization": f"Bearer {token}"}


def test_create_then_accept_through_the_api(people) -> None:
    client, headers = _token_client(people.town_registrar)
    body = {
        "registering_unit": people.cast.unit_a.pk,
        "channel": "phone",
        "kind": "appeal",
        "summary": "接口登记的事项",
        "petitioners": [{"name": "周五", "phone": "13911110000"}],
        "idempotency_key": "k-1",
    }
    response = client.post(
        "/api/petitions/", body, content_type="application/json", headers=headers
    )
    assert response.status_code == 201
    created = response.json()
    assert len(created["query_code"].replace("-", "")) == 28  # 140 bits, base 32
    again = client.post("/api/petitions/", body, content_type="application/json", headers=headers)
    assert again.json() == created and Petition.objects.count() == 1
    handler, h_headers = _token_client(people.handler_a)
    moved = handler.post(
        f"/api/petitions/{created['id']}/transitions",
        {"to": "accepted", "payload": {}},
        content_type="application/json",
        headers=h_headers,
    )
    assert moved.status_code == 200 and moved.json()["status"] == Status.ACCEPTED
    refused = handler.post(
        f"/api/petitions/{created['id']}/transitions",
        {"to": "final"},
        content_type="application/json",
        headers=h_headers,
    )
    assert refused.status_code == 400


def test_list_is_scoped_and_filtered(people, django_assert_max_num_queries) -> None:
    for i in range(5):
        make_petition(people.cast, actor=people.town_registrar, summary=f"API事项{i}")
    client, headers = _token_client(people.handler_a)
    with django_assert_max_num_queries(8):
        data = client.get("/api/petitions/?limit=2", headers=headers).json()
    assert data["count"] == 5 and len(data["items"]) == 2
    other, o_headers = _token_client(people.handler_b)
    assert other.get("/api/petitions/", headers=o_headers).json()["count"] == 0
    p = Petition.objects.first()
    assert other.get(f"/api/petitions/{p.pk}", headers=o_headers).status_code == 404


def test_upload_and_download_attachment(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    client, headers = _token_client(people.handler_a)
    response = client.post(
        f"/api/petitions/{p.pk}/attachments",
        {"file": SimpleUploadedFile("a.pdf", PDF)},
        headers=headers,
    )
    assert response.status_code == 201
    download = client.get(f"/api/petitions/attachments/{response.json()['id']}", headers=headers)
    assert download.content == PDF and download["Content-Disposition"].startswith("attachment")
    bad = client.post(
        f"/api/petitions/{p.pk}/attachments",
        {"file": SimpleUploadedFile("a.pdf", b"not a pdf")},
        headers=headers,
    )
    assert bad.status_code == 400 and refresh(p).attachments.count() == 1


def test_endpoints_are_in_the_schema() -> None:
    paths = Client().get("/api/schema/").json()["paths"]
    assert "/api/petitions/" in paths and "/api/petitions/{pk}/transitions" in paths
    assert "/api/petitions/due" in paths and "/api/petitions/attachments/{pk}" in paths


def test_a_lost_race_is_a_409_whatever_its_words(people, monkeypatch) -> None:
    from xinfang.core.errors import ConcurrentChange
    from xinfang.petitions import api

    def lost(*args, **kwargs):
        raise ConcurrentChange("状态已变更，请刷新")

    p = make_petition(people.cast, unit=people.cast.unit_a)
    monkeypatch.setattr(api, "transition", lost)
    client, headers = _token_client(people.handler_a)
    response = client.post(
        f"/api/petitions/{p.pk}/transitions",
        {"to": "accepted", "payload": {}},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 409 and response.json() == {"detail": "状态已变更，请刷新"}


def test_registering_in_a_unit_without_a_grant_is_a_404_like_a_missing_unit(people) -> None:
    client, headers = _token_client(people.town_registrar)
    body = {
        "registering_unit": people.cast.unit_b.pk,
        "channel": "phone",
        "kind": "appeal",
        "summary": "无权登记",
        "petitioners": [{"name": "周五", "phone": "13911110000"}],
    }
    response = client.post(
        "/api/petitions/", body, content_type="application/json", headers=headers
    )
    assert response.status_code == 404 and response.json() == {"detail": "单位不存在"}
    assert not Petition.objects.exists()
