"""Rendering official documents as PDF (A4, GB/T 9704-2012, WeasyPrint + Debian fonts).

Layout (``templates/documents/base.html``): the issuing organ's name in red above a red
separator line, the 发文字号 ``〔2026〕13号`` centred below it, the title in a bold song
face (思源宋体 / Noto Serif CJK SC Bold), the body in 3号 (16 pt) fangsong, the page number
``— 1 —`` on the outer side (right on odd pages, left on even pages), and the signature and
date kept on one page with the last paragraph.

Fonts: Debian's ``fonts-noto-cjk`` gives a song face (Noto Serif CJK SC) and a hei face
(Noto Sans CJK SC) but no fangsong. The body is set in FandolFang, an open fangsong with the
simplified set, which ``scripts/system-packages`` takes out of ``texlive-lang-chinese``
without installing TeX (docs/documents.md); Noto Serif CJK SC is the per-glyph fallback. The
cwTeX fangsong Debian packages (``fonts-cwtex-fs``) is not used: it lacks most simplified
characters, which would then print in a second face mid-line.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from xinfang.documents.drafts import cn_date
from xinfang.petitions.confidentiality import CONFIDENTIAL_LABEL

# ``cn_date`` lives with the drafts; it is also offered here, where other apps print dates.
__all__ = ["cn_date", "masked", "render_pdf"]


def render_pdf(template: str, data: dict[str, Any]) -> bytes:
    """A document's data → PDF bytes (fonts embedded as subsets)."""
    from weasyprint import HTML  # heavy import, only when printing

    html = render_to_string(template, data)
    return bytes(HTML(string=html).write_pdf())


def masked(data: dict[str, Any]) -> dict[str, Any]:
    """The data of a copy for a user not entitled to a confidential petitioner's identity:
    no names, no query code (条例 Art. 30)."""
    return data | {"petitioners": CONFIDENTIAL_LABEL, "recipient": "", "query_code": ""}
