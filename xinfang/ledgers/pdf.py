"""Printable documents (duty rosters, the reception-room door notice) via WeasyPrint.

Templates set ``font-family: "Noto Sans CJK SC"`` (Debian's fonts-noto-cjk); WeasyPrint
embeds the subset of the font it used, so the PDF prints the Chinese text anywhere.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string


def render_pdf(template: str, context: dict[str, Any], *, base_url: str = "") -> bytes:
    from weasyprint import HTML  # imported lazily: heavy, and only needed for printing

    html = render_to_string(template, context)
    return bytes(HTML(string=html, base_url=base_url or None).write_pdf())


def pdf_response(template: str, context: dict[str, Any], filename: str) -> HttpResponse:
    response = HttpResponse(render_pdf(template, context), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
