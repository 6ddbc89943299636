"""Attachments: type decided by content, size limit, random names, scoped download."""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from xinfang.core.errors import TransitionNotAllowed
from xinfang.petitions.errors import AttachmentRejected
from xinfang.petitions.services import add_attachment
from xinfang.petitions.tests.factories import make_petition

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _png(extra_chunk: bytes = b"", trailer: bytes = b"") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    ihdr = chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00")
    idat = chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + ihdr + extra_chunk + idat + chunk(b"IEND", b"") + trailer


GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


PNG = _png()


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


# --- issue 10, finding 6: polyglots, zip bombs, names, headers, storage -------------------


def _zip(parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def _attach(people, name: str, data: bytes):
    p = make_petition(people.cast, actor=people.town_registrar)
    return add_attachment(p, actor=people.town_registrar, upload=SimpleUploadedFile(name, data))


def test_a_real_png_and_gif_are_accepted(people) -> None:
    assert _attach(people, "a.png", _png()).extension == "png"
    assert _attach(people, "a.gif", GIF).extension == "gif"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("pdf+html.pdf", b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF"),
        ("gif+html.gif", GIF[:-1] + b"<!DOCTYPE html><script>alert(1)</script>;"),
        ("script.png", _png(extra_chunk=b"\x00\x00\x00\x1ftEXtc\x00<script>alert(1)</script>\x00")),
        ("svg.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"<svg onload=alert(1)>" + b"\xff\xd9"),
        ("tail.pdf", PDF + b"\n" * 100_000 + b"<html><script>alert(1)</script>"),
    ],
)
def test_a_binary_file_carrying_markup_is_refused(people, name, data) -> None:
    with pytest.raises(AttachmentRejected, match="网页或脚本"):
        _attach(people, name, data)


def test_data_after_a_png_end_marker_is_refused(people) -> None:
    with pytest.raises(AttachmentRejected, match="结束标记"):
        _attach(people, "a.png", _png(trailer=b"PK\x03\x04 hidden archive"))


def test_data_after_a_gif_trailer_is_refused(people) -> None:
    with pytest.raises(AttachmentRejected, match="结束标记"):
        _attach(people, "a.gif", GIF + b"\x00hidden")


@pytest.mark.parametrize(
    "part", ["word/evil.html", "word/page.htm", "word/run.js", "word/a.exe", "word/vbaProject.bin"]
)
def test_a_docx_holding_a_non_office_part_is_refused(people, part) -> None:
    data = _zip({"word/document.xml": b"<w:document/>", part: b"<html><script>x</script>"})
    with pytest.raises(AttachmentRejected, match="非文档内容"):
        _attach(people, "申请书.docx", data)


def test_an_office_zip_bomb_is_refused_without_unpacking(people) -> None:
    # 200 MB of zeros compress to about 200 KB.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as part:
            for _ in range(200):
                part.write(b"\x00" * (1024 * 1024))
    with pytest.raises(AttachmentRejected, match="压缩炸弹"):
        _attach(people, "bomb.docx", buf.getvalue())


def test_a_highly_compressed_small_office_file_is_refused_by_ratio(people) -> None:
    data = _zip({"word/document.xml": b" " * (5 * 1024 * 1024)})
    assert len(data) * 100 < 5 * 1024 * 1024
    with pytest.raises(AttachmentRejected, match="压缩炸弹"):
        _attach(people, "big.docx", data)


def test_an_office_file_with_media_is_accepted(people) -> None:
    data = _zip(
        {
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document/>",
            "word/media/image1.png": _png(),
            "word/media/icon.svg": b"<svg/>",
            "word/embeddings/oleObject1.bin": b"\x00" * 10,
        }
    )
    assert _attach(people, "a.docx", data).extension == "docx"


@pytest.mark.parametrize("uploaded_as", ["p.html", "invoicefdp.exe", "说明.pdf"])
def test_downloads_are_named_by_the_detected_type(people, uploaded_as) -> None:
    a = _attach(people, uploaded_as, PDF)
    client = Client()
    client.force_login(people.handler_a)
    response = client.get(reverse("petitions:attachment_download", args=[a.pk]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"{a.pk}.pdf" in disposition and "html" not in disposition and "exe" not in disposition


def test_every_download_is_sandboxed_and_never_sniffed(people, settings) -> None:
    settings.XINFANG_ENCRYPT_ATTACHMENTS = False
    small = _attach(people, "a.pdf", PDF)
    big = _attach(people, "b.pdf", PDF + b"%" * (3 * 1024 * 1024))
    client = Client()
    client.force_login(people.handler_a)
    for a in (small, big):
        response = client.get(reverse("petitions:attachment_download", args=[a.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox"
        # The large one streams from an open file: read to the end, which closes it.
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body.startswith(b"%PDF")


def test_attachments_are_stored_0600_in_0700_folders(people, settings) -> None:
    a = _attach(people, "a.pdf", PDF)
    path = Path(a.file.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700


def test_attachments_are_encrypted_at_rest_and_decrypted_on_download(people) -> None:
    a = _attach(people, "a.pdf", PDF)
    assert a.encrypted
    on_disk = Path(a.file.path).read_bytes()
    assert b"%PDF" not in on_disk and on_disk.startswith(b"sm4-gcm:")
    client = Client()
    client.force_login(people.handler_a)
    response = client.get(reverse("petitions:attachment_download", args=[a.pk]))
    assert response.content == PDF


def test_a_plaintext_attachment_from_before_still_downloads(people, settings) -> None:
    settings.XINFANG_ENCRYPT_ATTACHMENTS = False
    a = _attach(people, "old.pdf", PDF)
    settings.XINFANG_ENCRYPT_ATTACHMENTS = True
    assert not a.encrypted and Path(a.file.path).read_bytes() == PDF
    client = Client()
    client.force_login(people.handler_a)
    assert client.get(reverse("petitions:attachment_download", args=[a.pk])).content == PDF


def test_a_tampered_or_swapped_encrypted_attachment_is_refused_not_served(people) -> None:
    a = _attach(people, "a.pdf", PDF)
    b = _attach(people, "b.pdf", PDF + b"% other")
    client = Client()
    client.force_login(people.handler_a)
    url = reverse("petitions:attachment_download", args=[a.pk])
    Path(a.file.path).write_bytes(Path(b.file.path).read_bytes())  # swapped on disk
    response = client.get(url)
    assert response.status_code == 422 and "篡改" in response.content.decode()
    raw = bytearray(Path(b.file.path).read_bytes())
    raw[-1] ^= 1
    Path(a.file.path).write_bytes(bytes(raw))
    assert client.get(url).status_code == 422


def test_rekey_personal_data_reseals_attachments_under_the_new_key(people, settings) -> None:
    key_1, key_2 = "11" * 32, "22" * 32
    settings.XINFANG_DATA_KEYS = f"k1:{key_1}"
    a = _attach(people, "a.pdf", PDF)
    assert Path(a.file.path).read_bytes().startswith(b"sm4-gcm:k1:")
    settings.XINFANG_DATA_KEYS = f"k2:{key_2},k1:{key_1}"
    out = io.StringIO()
    call_command("rekey_personal_data", stdout=out)
    assert "petitions.attachment: 1" in out.getvalue()
    path = Path(a.file.path)
    assert path.read_bytes().startswith(b"sm4-gcm:k2:")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    settings.XINFANG_DATA_KEYS = f"k2:{key_2}"  # the old key can go
    client = Client()
    client.force_login(people.handler_a)
    assert client.get(reverse("petitions:attachment_download", args=[a.pk])).content == PDF


@pytest.mark.parametrize(
    ("name", "host"), [("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"), ("a.pdf", PDF)]
)
def test_an_archive_appended_to_an_image_or_pdf_is_refused(people, name, host) -> None:
    with pytest.raises(AttachmentRejected, match="压缩包"):
        _attach(people, name, host + b"\xff\xd9" + _zip({"evil.html": b"x"}))
