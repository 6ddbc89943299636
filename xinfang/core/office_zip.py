"""An Office or OpenDocument file is a zip: what it may hold, judged from its directory.

Refused (nothing is extracted): a package that is not a readable zip, a comment with
markup, more than :data:`MAX_ZIP_ENTRIES` parts, a part that is not an office part
(``.html``, ``.js``, an executable, a macro project ``vbaProject.bin``), or parts that
unpack beyond ``max_unpacked`` bytes or :data:`MAX_RATIO` times the file's size (a zip
bomb). Used by the attachments' intake and by every workbook upload (the organisation
import, the general register's import), which each turn :class:`OfficeZipRejected` into
their own error.
"""

from __future__ import annotations

import re
import zipfile
from typing import IO

from xinfang.core.errors import OfficeZipRejected

__all__ = [
    "MARKUP",
    "MAX_RATIO",
    "MAX_UNPACKED_BYTES",
    "MAX_ZIP_ENTRIES",
    "check_office_zip",
]

# Markup that makes a browser (or a sniffing proxy) treat bytes as a page or an image with
# script.
MARKUP = re.compile(
    rb"<(?:html|script|svg|!doctype|body|iframe|object|embed|head|meta\s)|javascript:",
    re.IGNORECASE,
)
# An honest document unpacks to a few times its size.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
MAX_ZIP_ENTRIES = 5000
# What an OOXML or OpenDocument package holds: XML parts, relationships, media, fonts and
# embedded OLE objects. vbaProject.bin (macros) is refused by name below.
_OFFICE_PART = re.compile(
    r"(?:^mimetype$|/$|\.(?:xml|rels|vml|rdf|png|jpe?g|jfif|gif|bmp|tiff?|emf|wmf|svg|wdp|"
    r"bin|odttf|fntdata|sigs)$)",
    re.IGNORECASE,
)


def check_office_zip(
    stream: IO[bytes], total: int, *, max_unpacked: int = MAX_UNPACKED_BYTES
) -> None:
    """Raise :class:`OfficeZipRejected` (a Chinese message) unless the package at
    ``stream`` (``total`` bytes) is an honest office document (see the module text)."""
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as package:
            entries = package.infolist()
            comment = package.comment
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise OfficeZipRejected("Office 文档已损坏，无法识别") from exc
    finally:
        stream.seek(0)
    if MARKUP.search(comment):
        raise OfficeZipRejected("文件中含有网页或脚本内容（疑似伪装文件），已拒收")
    if len(entries) > MAX_ZIP_ENTRIES:
        raise OfficeZipRejected("Office 文档包含的部件过多，已拒收")
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > max_unpacked or unpacked > MAX_RATIO * max(total, 1):
        raise OfficeZipRejected("Office 文档解压后过大（疑似压缩炸弹），已拒收")
    for entry in entries:
        name = entry.filename
        if not _OFFICE_PART.search(name) or name.lower().endswith("vbaproject.bin"):
            raise OfficeZipRejected(
                f"Office 文档中含有非文档内容（{name[-60:]}），如网页、脚本、程序或宏，已拒收"
            )
