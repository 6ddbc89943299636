"""Attachment intake: the type is decided by content (``filetype``), never by the name.

Allowed: PDF, common images and Office documents (Word, Excel, PowerPoint; OOXML and the
older OLE formats; OpenDocument text). The size limit is ``XINFANG_MAX_UPLOAD_BYTES``.
Refused as well (issue 10, finding 6), because a file that is two types at once is read
by a browser or an unpacker as the other one:

* markup in a binary file: ``<html``, ``<script``, ``<svg``, ``<!doctype`` … in its first
  or last 64 KB (a PDF+HTML or GIF+HTML polyglot, a PNG carrying a script);
* data after a PNG's ``IEND`` chunk or a GIF's trailer, a zip appended to any of them;
* an Office/OpenDocument zip with a part that is not an office part (``.html``, ``.js``,
  an executable, a macro project) or that unpacks beyond :data:`MAX_UNPACKED_BYTES` or
  :data:`MAX_RATIO` times its size (a zip bomb) — judged from the zip's directory,
  nothing is extracted (:mod:`xinfang.core.office_zip`, which the workbook imports use too).

Files land under ``MEDIA_ROOT`` (outside the web root) with random names, 0600 in 0700
folders (``FILE_UPLOAD_PERMISSIONS``), sealed with the personal-data cipher when
``XINFANG_ENCRYPT_ATTACHMENTS`` is on. The only way out is the scoped download view: as
``Content-Disposition: attachment`` named ``附件-<id>.<detected extension>``, with
``nosniff`` and ``Content-Security-Policy: sandbox``.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import filetype
from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from xinfang.core import crypto
from xinfang.core.errors import OfficeZipRejected, TamperedCiphertext
from xinfang.core.office_zip import MARKUP, MAX_RATIO, MAX_UNPACKED_BYTES, check_office_zip
from xinfang.petitions.errors import AttachmentRejected

__all__ = [
    "ALLOWED_TYPES",
    "MAX_RATIO",
    "MAX_UNPACKED_BYTES",
    "Checked",
    "attachment_response",
    "check_upload",
    "rekey_attachments",
    "store_bytes",
    "stored_bytes",
]

# Files up to this size are answered from memory (the file is closed at once); larger ones
# stream. Both are sent as a download, never rendered inline.
STREAM_ABOVE_BYTES = 2 * 1024 * 1024

SCAN_BYTES = 64 * 1024  # markup is searched in the first and last of a binary file
_ZIP_TYPES = {"docx", "xlsx", "pptx", "odt"}
_ZIP_END = b"PK\x05\x06"

# extension -> MIME type, as filetype names them.
ALLOWED_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "tif": "image/tiff",
    "bmp": "image/bmp",
    "heic": "image/heic",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
}


@dataclass(frozen=True)
class Checked:
    extension: str
    content_type: str
    size: int
    sha256: str


def _too_large(limit: int) -> AttachmentRejected:
    return AttachmentRejected(f"文件过大：单个附件不得超过 {limit // (1024 * 1024)} MB")


def check_upload(stream: IO[bytes], size: int | None = None) -> Checked:
    """Validate an uploaded file by size and content; raise :class:`AttachmentRejected`."""
    limit = settings.XINFANG_MAX_UPLOAD_BYTES
    if size is not None and size > limit:
        raise _too_large(limit)
    stream.seek(0)
    digest = hashlib.sha256()
    total = 0
    head = b""
    tail = b""
    while chunk := stream.read(1024 * 1024):
        if len(head) < SCAN_BYTES:
            head += chunk[: SCAN_BYTES - len(head)]
        tail = (tail + chunk)[-SCAN_BYTES:]
        total += len(chunk)
        if total > limit:
            raise _too_large(limit)
        digest.update(chunk)
    stream.seek(0)
    if total == 0:
        raise AttachmentRejected("文件为空")
    kind = filetype.guess(head[:8192])
    if kind is None or ALLOWED_TYPES.get(kind.extension) != kind.mime:
        raise AttachmentRejected(
            "不支持的文件类型：仅接受 PDF、图片和 Office 文档（按文件内容识别）"
        )
    _refuse_second_type(kind.extension, head, tail, stream, total)
    stream.seek(0)
    return Checked(kind.extension, kind.mime, total, digest.hexdigest())


def _refuse_second_type(ext: str, head: bytes, tail: bytes, stream: IO[bytes], total: int) -> None:
    """Refuse a file that is detectably also another type (see the module docstring)."""
    if ext in _ZIP_TYPES:
        # Compressed parts hide markup from a byte scan: the zip's directory decides.
        _check_office_zip(stream, total)
        return
    if MARKUP.search(head) or MARKUP.search(tail):
        raise AttachmentRejected("文件中含有网页或脚本内容（疑似伪装文件），已拒收")
    # A zip's end-of-directory record in the tail: an archive appended to an image or PDF
    # (JPEG+ZIP and PDF+ZIP polyglots). JPEG itself has no cheap end check: phones append
    # motion-photo videos after the end marker.
    if _ZIP_END in tail:
        raise AttachmentRejected("文件末尾附带压缩包（疑似伪装文件），已拒收")
    if ext == "png":
        end = _png_end(stream)
        if end is None or end != total:
            raise AttachmentRejected("图片文件结构异常（结束标记后附带其他数据），已拒收")
    elif ext == "gif" and not tail.endswith(b"\x3b"):
        raise AttachmentRejected("图片文件结构异常（结束标记后附带其他数据），已拒收")


def _png_end(stream: IO[bytes]) -> int | None:
    """Offset just past the IEND chunk, walking the chunk headers (no pixel data read)."""
    stream.seek(8)
    offset = 8
    while True:
        header = stream.read(8)
        if len(header) < 8:
            return None
        length = int.from_bytes(header[:4], "big")
        offset += 12 + length
        if header[4:8] == b"IEND":
            return offset
        stream.seek(offset)


def _check_office_zip(stream: IO[bytes], total: int) -> None:
    try:
        check_office_zip(stream, total)
    except OfficeZipRejected as exc:
        raise AttachmentRejected(str(exc)) from exc


def store_bytes(data: bytes) -> tuple[bytes, bool]:
    """What to write to disk for ``data``, and whether it is sealed (encryption at rest)."""
    if settings.XINFANG_ENCRYPT_ATTACHMENTS:
        return crypto.seal_bytes(data), True
    return data, False


def stored_bytes(attachment: Any) -> bytes:
    """The attachment's content: decrypted when sealed, checked against its SHA-256."""
    with attachment.file.open("rb") as handle:
        data = handle.read()
    if not attachment.encrypted:
        return bytes(data)
    plain = crypto.open_bytes(data)
    # A sealed file from another attachment (swapped on disk) decrypts fine: the digest
    # recorded at upload tells them apart.
    if hashlib.sha256(plain).hexdigest() != attachment.sha256:
        raise TamperedCiphertext("附件内容与登记时的校验值不一致，可能已被替换")
    return plain


def rekey_attachments(*, batch_size: int = 500, dry_run: bool = False) -> int:
    """Re-seal encrypted attachments not under the active key and cipher (key rotation).

    Each file is replaced atomically (a 0600 temporary file renamed over it), so an
    interrupted run leaves every file readable and a rerun continues.
    """
    from xinfang.petitions.models import Attachment

    ring = crypto.keyring()
    current = f"{ring.cipher_name}:{ring.active_key_id}:".encode("ascii")
    done = 0
    for attachment in Attachment.objects.filter(encrypted=True).iterator(chunk_size=batch_size):
        path = Path(attachment.file.path)
        sealed = path.read_bytes()
        if sealed.startswith(current):
            continue
        done += 1
        if dry_run:
            continue
        resealed = ring.seal_bytes(ring.open_bytes(sealed))
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".rekey-")
        with os.fdopen(handle, "wb") as out:
            out.write(resealed)
        os.replace(temporary, path)
    return done


def attachment_response(attachment: Any) -> HttpResponseBase:
    """The download of a stored attachment: always a download, never rendered, sandboxed."""
    name = attachment.download_name()
    response: HttpResponseBase
    if attachment.encrypted or attachment.size <= STREAM_ABOVE_BYTES:
        response = HttpResponse(stored_bytes(attachment), content_type=attachment.content_type)
        response["Content-Disposition"] = content_disposition_header(True, name)
    else:
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=name,
            content_type=attachment.content_type,
        )
    response["X-Content-Type-Options"] = "nosniff"
    # Opened anyway (a browser's PDF viewer, a "view" link): no script, no same origin.
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
