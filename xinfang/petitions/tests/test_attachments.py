"""Attachments: type decided by content, size limit, random names, scoped download."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from xinfang.core.errors import TransitionNotAllowed
from xinfang.petitions.errors import AttachmentRejected
from xinfang.petitions.services import add_attachment
from xinfang.petitions.tests.factories import make_petition

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "ext"),
    [("a.pdf", PDF, "pdf"), ("photo.jpg", PNG, "png"), ("申请书.docx", _docx(), "docx")],
)
def test_allowed_types_are_recognised_by_content(people, name, data, ext) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    a = add_attachment(p, actor=people.town_registrar, upload=SimpleUploadedFile(name, data))
    assert a.extension == ext and a.original_name == name
    assert name not in a.file.name and a.file.name.startswith("petitions/")


def test_a_script_named_pdf_is_rejected(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    fake = SimpleUploadedFile(
        "invoice.pdf", b"<script>alert(1)</script>", content_type="application/pdf"
    )
    with pytest.raises(AttachmentRejected):
        add_attachment(p, actor=people.town_registrar, upload=fake)


def test_an_executable_is_rejected(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    with pytest.raises(AttachmentRejected):
        add_attachment(
            p,
            actor=people.town_registrar,
            upload=SimpleUploadedFile("a.doc", b"MZ\x90\x00" + b"\x00" * 200),
        )


def test_files_over_the_limit_are_rejected(people, settings) -> None:
    settings.XINFANG_MAX_UPLOAD_BYTES = 1024
    p = make_petition(people.cast, actor=people.town_registrar)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048)
    with pytest.raises(AttachmentRejected, match="过大"):
        add_attachment(p, actor=people.town_registrar, upload=big)


def test_an_outsider_cannot_attach(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    with pytest.raises(TransitionNotAllowed):
        add_attachment(p, actor=people.handler_b, upload=SimpleUploadedFile("a.pdf", PDF))


def test_download_is_scoped_and_always_an_attachment(people) -> None:
    p = make_petition(people.cast, actor=people.town_registrar)
    a = add_attachment(p, actor=people.town_registrar, upload=SimpleUploadedFile("说明.pdf", PDF))
    url = reverse("petitions:attachment_download", args=[a.pk])
    client = Client()
    client.force_login(people.handler_a)
    response = client.get(url)
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    outsider = Client()
    outsider.force_login(people.handler_b)
    assert outsider.get(url).status_code == 404
