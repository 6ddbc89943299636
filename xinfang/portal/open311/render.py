"""Writing GeoReport v2 responses as XML (required by the spec) and JSON.

Values: strings as they are, booleans as ``true``/``false``, ``None`` as an empty XML
element or JSON ``null``, datetimes as ISO 8601 with the offset (``2026-03-02T10:00:00+08:00``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

__all__ = ["errors_response", "iso", "respond"]

XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"


def iso(value: datetime) -> str:
    """ISO 8601 with the local offset, to the second."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso(value)
    return str(value)


def _element(tag: str, value: Any, list_items: dict[str, str]) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_element(key, child, list_items))
    elif isinstance(value, list | tuple):
        item_tag = list_items.get(tag, "item")
        for child in value:
            element.append(_element(item_tag, child, list_items))
    else:
        element.text = _text(value)
    return element


# How the items of a list are named in XML (GeoReport v2's element names).
LIST_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}


def to_xml(root: str, payload: Any) -> bytes:
    element = _element(root, payload, LIST_ITEMS)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, root: str, payload: Any, *, status: int = 200) -> HttpResponse:
    """``payload`` as ``fmt`` ("xml" or "json"); ``root`` names the XML root element."""
    if fmt == "xml":
        return HttpResponse(to_xml(root, payload), content_type=XML_TYPE, status=status)
    body = json.dumps(_plain(payload), ensure_ascii=False, separators=(",", ":"))
    return HttpResponse(body.encode(), content_type=JSON_TYPE, status=status)


def errors_response(fmt: str, status: int, descriptions: Sequence[str]) -> HttpResponse:
    """GeoReport errors: an array of ``{code, description}`` (``<errors><error>…``)."""
    payload = [{"code": status, "description": d} for d in descriptions]
    return respond(fmt, "errors", payload, status=status)
