"""CSV import and export on SQLite and PostgreSQL: bad rows are quarantined with line, field and
what was expected, never dropped; file-level problems are InputErrors; exports follow policy."""

from __future__ import annotations

import csv

import numpy as np
import polars as pl
import pytest
from tracehelp import trace

from oclab.errors import InputError
from oclab.traces.generate import generate
from oclab.traces.io import export_csv, import_csv


def _write(path, rows: list[dict[str, object]]) -> None:  # type: ignore[no-untyped-def]
    pl.DataFrame(rows).cast(pl.String).write_csv(path)


def test_good_rows_are_stored_and_bad_rows_quarantined_with_reasons(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "traces.csv"
    rows = [
        trace("a"),
        trace("b", caliber="9 mm"),
        trace("c"),
        trace("d", recovery_date="2014-02-30", serial_number="!"),
        trace("a"),  # repeated request_uid
    ]
    _write(source, rows)
    with source.open("a") as handle:
        handle.write("only,three,fields\n")
    report = import_csv(world.registry, "MXPGR0000", source)
    assert report.imported == 2 and report.quarantined == 4
    assert report.imported + report.quarantined == len(rows) + 1  # nothing dropped
    assert world.registry.count() == (2, 0)
    with report.quarantine.open() as handle:
        bad = {row["_line"]: row for row in csv.DictReader(handle)}
    assert set(bad) == {"3", "5", "6", "7"}
    assert "caliber: expected a caliber from the NTC list" in bad["3"]["_errors"]
    assert "recovery_date: expected a calendar date" in bad["5"]["_errors"]
    assert "serial_number: expected a serial number" in bad["5"]["_errors"]
    assert "request_uid: expected a request_uid used once" in bad["6"]["_errors"]
    assert "as many fields as the header" in bad["7"]["_errors"]
    assert bad["3"]["caliber"] == "9 mm"  # the row as it was written


def test_importing_again_quarantines_already_stored_requests(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "t.csv"
    _write(source, [trace("a"), trace("b")])
    assert import_csv(world.registry, "MXPGR0000", source).imported == 2
    again = import_csv(world.registry, "MXPGR0000", source)
    assert (again.imported, again.quarantined) == (0, 2)
    assert world.registry.count() == (2, 0)


@pytest.mark.parametrize(
    "header, field",
    [
        ("request_uid,serial_number", "request_date"),
        ("request_uid,colour", "colour"),
    ],
)
def test_file_level_problems_are_input_errors(world, tmp_path, header, field) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "broken.csv"
    source.write_text(header + "\nx,y\n")
    with pytest.raises(InputError) as caught:
        import_csv(world.registry, "MXPGR0000", source)
    assert caught.value.source == str(source) and caught.value.field == field
    assert world.registry.count() == (0, 0)


def test_synthetic_traces_round_trip_and_exports_follow_the_policy(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    table = generate(np.random.default_rng(7), n=300).drop("agency_ori")
    source = tmp_path / "syn.csv"
    table.write_csv(source)
    report = import_csv(world.registry, "MXPGR0000", source)
    assert (report.imported, report.quarantined) == (300, 0)
    assert world.registry.count() == (300, 300)
    out = tmp_path / "export.csv"
    assert export_csv(world.registry, world.mexico, out) == 300
    exported = pl.read_csv(out, infer_schema_length=0)
    original = table.sort("request_uid")
    back = exported.sort("request_uid")
    assert back["serial_number"].to_list() == original["serial_number"].to_list()
    ttc = back["time_to_crime_days"].cast(pl.Int64, strict=False)
    assert ttc.to_list() == original["time_to_crime_days"].to_list()
    # Houston police reads none of the federal Mexican traces under the restricted policy.
    assert export_csv(world.registry, world.houston, tmp_path / "hou.csv") == 0
    with pytest.raises(PermissionError):
        export_csv(world.registry, world.public, tmp_path / "pub.csv")
    assert not (tmp_path / "pub.csv").exists()
