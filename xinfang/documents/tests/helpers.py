"""Reading printed documents back: poppler's ``pdftotext`` (Debian poppler-utils) shows the
tests what a printer would print, in the embedded fonts."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from typing import Any

from django.test import Client

__all__ = ["client_for", "pdf_pages", "pdf_text"]


def pdf_pages(data: bytes, *, squeeze: bool = True) -> list[str]:
    """The text of each page (``squeeze``: all whitespace removed, since the layout may
    break lines anywhere)."""
    assert data.startswith(b"%PDF")
    exe = shutil.which("pdftotext")
    assert exe, "poppler-utils (pdftotext) is required: apt-get install -y poppler-utils"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        out = subprocess.run(  # noqa: S603 - fixed argv, our own temp file
            [exe, "-enc", "UTF-8", fh.name, "-"], capture_output=True, check=True
        )
    pages = out.stdout.decode("utf-8").split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return ["".join(p.split()) for p in pages] if squeeze else pages


def pdf_text(data: bytes) -> str:
    return "".join(pdf_pages(data))


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
