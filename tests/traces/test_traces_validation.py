"""Validation: invalid serials, calibers and dates get a message naming the field and what was
expected; injection strings are refused in every field."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from tracehelp import INJECTIONS, result, trace

from oclab.traces.validate import (
    REQUEST_RULES,
    RESULT_RULES,
    FieldErrors,
    check_frame,
    check_record,
)


def _errors(record: dict[str, object], rules=REQUEST_RULES) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(FieldErrors) as caught:
        check_record(record, rules)
    out: dict[str, dict[str, str]] = {}
    for e in caught.value.errors:  # a field may break a rule of its own and a cross-field rule
        seen = out.setdefault(e["field"], {"expected": "", "got": e["got"]})
        seen["expected"] = " | ".join(filter(None, [seen["expected"], e["expected"]]))
    return out


def test_a_valid_request_is_normalised_and_typed() -> None:
    clean = check_record(trace("u1", serial_number=" ab-123 ", caliber="7.62x39mm"), REQUEST_RULES)
    assert clean["serial_number"] == "AB-123"
    assert clean["caliber"] == "7.62X39MM"
    assert clean["recovery_date"] == dt.date(2014, 2, 1)
    assert clean["serial_obliterated"] is False
    assert clean["possessor_name"] == "Pérez, Juan"


@pytest.mark.parametrize("serial", ["X", "#123", "AB 123", "-AB12", "0000000", "A" * 31, ""])
def test_invalid_serials_are_refused_with_a_clear_message(serial: str) -> None:
    error = _errors(trace("u1", serial_number=serial))["serial_number"]
    assert "serial number of 2-30 letters, digits or hyphens" in error["expected"]


def test_an_obliterated_serial_may_be_empty_or_partial() -> None:
    for partial in ("", "AB**5", "*"):
        record = trace("u1", serial_number=partial, serial_obliterated="yes")
        assert check_record(record, REQUEST_RULES)["serial_obliterated"] is True


@pytest.mark.parametrize("caliber", ["9 mm", "banana", ".999", "", "12GA"])
def test_invalid_calibers_name_the_accepted_list(caliber: str) -> None:
    error = _errors(trace("u1", caliber=caliber))["caliber"]
    assert error["expected"].startswith("a caliber from the NTC list, e.g. 9MM")
    assert error["got"] == caliber.upper()


@pytest.mark.parametrize(
    "field, value",
    [
        ("recovery_date", "2014-02-30"),
        ("recovery_date", "01/02/2014"),
        ("recovery_date", "1899-12-31"),
        ("recovery_date", (dt.date.today() + dt.timedelta(days=1)).isoformat()),
        ("request_date", "tomorrow"),
        ("possessor_dob", "1990-13-01"),
    ],
)
def test_invalid_dates_are_refused(field: str, value: str) -> None:
    error = _errors(trace("u1", **{field: value}))[field]
    assert "a calendar date YYYY-MM-DD between 1900-01-01 and today" in error["expected"]
    assert error["got"] == value


def test_cross_field_rules() -> None:
    errors = _errors(trace("u1", recovery_date="2014-04-01", country_of_origin="RO"))
    assert set(errors) == {"recovery_date", "importer"}
    assert "on or before the request date" in errors["recovery_date"]["expected"]
    late = _errors(
        result(purchase_date="2015-01-01") | {"recovery_date": "2014-01-01"},
        (*RESULT_RULES, *[r for r in REQUEST_RULES if r.field == "recovery_date"]),
    )
    assert "purchase_date" in late


def test_unknown_fields_such_as_a_role_or_agency_are_refused() -> None:
    errors = _errors(trace("u1", role="national", agency_id=1))
    assert set(errors) == {"role", "agency_id"}


@pytest.mark.parametrize("field", [r.field for r in REQUEST_RULES])
def test_injection_strings_are_refused_in_every_request_field(field: str) -> None:
    for payload in INJECTIONS:
        errors = _errors(trace("u1", **{field: payload}))
        assert field in errors, (field, payload)


@pytest.mark.parametrize("field", [r.field for r in RESULT_RULES])
def test_injection_strings_are_refused_in_every_result_field(field: str) -> None:
    for payload in INJECTIONS:
        assert field in _errors(result(**{field: payload}), RESULT_RULES), (field, payload)


def test_frames_report_one_problem_per_bad_cell_with_its_line() -> None:
    rows = [trace("a"), trace("b", caliber="x", serial_number="!"), trace("c", model="")]
    table = pl.DataFrame(rows).cast(pl.String)
    normal, problems = check_frame(table, REQUEST_RULES)
    assert normal.height == 3
    assert problems.select("_line", "field").rows() == [
        (2, "caliber"),
        (2, "serial_number"),
        (3, "model"),
    ]
