"""Attachment intake: the type is decided by content (``filetype``), never by the name.

Allowed: PDF, common images and Office documents (Word, Excel, PowerPoint; OOXML and the
older OLE formats; OpenDocument text). The size limit is ``XINFANG_MAX_UPLOAD_BYTES``.
Files land under ``MEDIA_ROOT`` (outside the web root) with random names; the only way out
is the scoped download view, as ``Content-Disposition: attachment``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO, Any

import filetype
from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from xinfang.petitions.errors import AttachmentRejected

__all__ = ["ALLOWED_TYPES", "Checked", "attachment_response", "check_upload"]

# Files up to this size are answered from memory (the file is closed at once); larger ones
# stream. Both are sent as a download, never rendered inline.
STREAM_ABOVE_BYTES = 2 * 1024 * 1024

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


def check_upload(stream: IO[bytes], size: int | None = None) -> Checked:
    """Validate an uploaded file by size and content; raise :class:`AttachmentRejected`."""
    limit = settings.XINFANG_MAX_UPLOAD_BYTES
    if size is not None and size > limit:
        raise AttachmentRejected(f"文件过大:单个附件不得超过 {limit // (1024 * 1024)} MB")
    stream.seek(0)
    digest = hashlib.sha256()
    total = 0
    head = b""
    while chunk := stream.read(1024 * 1024):
        if not head:
            head = chunk[:8192]
        total += len(chunk)
        if total > limit:
            raise AttachmentRejected(f"文件过大:单个附件不得超过 {limit // (1024 * 1024)} MB")
        digest.update(chunk)
    stream.seek(0)
    if total == 0:
        raise AttachmentRejected("文件为空")
    kind = filetype.guess(head)
    if kind is None or ALLOWED_TYPES.get(kind.extension) != kind.mime:
        raise AttachmentRejected("不支持的文件类型:仅接受 PDF、图片和 Office 文档(按文件内容识别)")
    return Checked(kind.extension, kind.mime, total, digest.hexdigest())


def attachment_response(attachment: Any) -> HttpResponseBase:
    """The download of a stored attachment: ``Content-Disposition: attachment`` always."""
    name = attachment.download_name()
    response: HttpResponseBase
    if attachment.size <= STREAM_ABOVE_BYTES:
        with attachment.file.open("rb") as handle:
            data = handle.read()
        response = HttpResponse(data, content_type=attachment.content_type)
        response["Content-Disposition"] = content_disposition_header(True, name)
    else:
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=name,
            content_type=attachment.content_type,
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
