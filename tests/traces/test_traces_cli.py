"""``oclab traces ...`` end to end on SQLite: init-db, add-agency, add-user, generate, import,
export and plan; bad input is one line naming the file and field, exit status 2."""

from __future__ import annotations

import json

import polars as pl
import pytest

from oclab.cli import main


def test_the_commands_end_to_end(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    monkeypatch.setenv("OCLAB_TRACES_PASSWORD", "correct horse battery")
    assert main(["traces", "init-db", "--db", url]) == 0
    assert main(["traces", "add-agency", "MXPGR0000", "FGR", "--country", "MX", "--db", url]) == 0
    assert (
        main(
            ["traces", "add-user", "fgr", "--role", "foreign", "--agency", "MXPGR0000", "--db", url]
        )
        == 0
    )
    synthetic = tmp_path / "syn.csv"
    assert main(["traces", "generate", str(synthetic), "--n", "400", "--seed", "1"]) == 0
    assert pl.read_csv(synthetic).height == 400
    assert main(["traces", "import", str(synthetic), "--agency", "MXPGR0000", "--db", url]) == 0
    out = tmp_path / "export.csv"
    assert main(["traces", "export", str(out), "--user", "fgr", "--db", url]) == 0
    assert pl.read_csv(out).height == 400
    plan_dir = tmp_path / "plan"
    assert main(["traces", "plan", "--inspectors", "3", "--db", url, "--out", str(plan_dir)]) == 0
    summary = json.loads((plan_dir / "plan.json").read_text())
    assert summary["status"] == "optimal" and 0 < summary["intercept_share"] < 1
    assert pl.read_csv(plan_dir / "plan_regions.csv")["inspectors"].sum() <= 3
    assert "imported 400 traces" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["traces", "import", "{missing}", "--agency", "X"], "file: expected an existing CSV file"),
        (["traces", "import", "{bad}", "--agency", "MXPGR0000"], "request_date: expected a column"),
        (["traces", "import", "{bad}", "--agency", "NOPE"], "agency: expected the ORI"),
        (["traces", "export", "{out}", "--user", "nobody"], "user: expected an existing user name"),
    ],
)
def test_bad_input_is_one_line_and_exit_status_2(tmp_path, capsys, argv, message) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'reg.sqlite'}"
    assert main(["traces", "init-db", "--db", url]) == 0
    assert main(["traces", "add-agency", "MXPGR0000", "FGR", "--country", "MX", "--db", url]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("request_uid,serial_number\nx,y\n")
    paths = {"missing": tmp_path / "nope.csv", "bad": bad, "out": tmp_path / "o.csv"}
    capsys.readouterr()
    argv = [a.format(**paths) for a in argv] + ["--db", url]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def test_commands_refuse_an_uninitialised_database(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    assert (
        main(["traces", "plan", "--inspectors", "1", "--db", url, "--out", str(tmp_path / "p")])
        == 2
    )
    assert "run oclab traces init-db" in capsys.readouterr().err
    assert not (tmp_path / "p").exists()
