"""The little JSON Schema validator catches what the Open311 tests rely on it for."""

from __future__ import annotations

from xinfang.portal.tests.schema import errors, load

GOOD = {
    "service_request_id": "XF20260000001",
    "status": "open",
    "service_code": "0205",
    "requested_datetime": "2026-03-02T10:00:00+08:00",
    "description": None,
}


def test_a_valid_request_list_passes() -> None:
    assert errors([GOOD], load("requests.json")) == []


def test_numeric_ids_missing_fields_bad_enums_and_naive_dates_fail() -> None:
    bad = {**GOOD, "service_request_id": 1, "status": "pending"}
    bad.pop("service_code")
    bad["requested_datetime"] = "2026-03-02T10:00:00"
    found = " ".join(errors([bad], load("requests.json")))
    assert "expected string" in found and "not in" in found
    assert "missing service_code" in found and "without a time zone" in found


def test_any_of_and_max_length() -> None:
    schema = load("request.json")
    assert errors({**GOOD, "description": "x" * 4001}, schema)
    assert errors({**GOOD, "lat": "31.2"}, schema)
    assert errors({**GOOD, "lat": 31.2}, schema) == []


def test_service_definition_attribute_shape() -> None:
    schema = load("service-definition.json")
    good = {
        "service_code": "0205",
        "attributes": [
            {"variable": True, "code": "kind", "datatype": "singlevaluelist", "required": False}
        ],
    }
    assert errors(good, schema) == []
    bad = {"service_code": "0205", "attributes": [{"variable": "yes", "code": "kind"}]}
    assert len(errors(bad, schema)) >= 3
