"""``oclab disrupt``: writes its tables, and bad input is one line with exit status 2."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from oclab.cli import main


def test_disrupt_writes_paired_results(tmp_path: Path, capsys) -> None:
    out = tmp_path / "dis"
    args = ["disrupt", "--members", "120", "--networks", "3", "--steps", "6", "--out", str(out)]
    rc = main([*args, "--strategy", "degree,random", "--recovery", "highest_degree,none"])
    assert rc == 0
    table = pl.read_csv(out / "disruption.csv")
    summary = pl.read_csv(out / "summary.csv")
    assert summary.height == 4
    assert set(table["step"].unique().to_list()) == {0, 5, 6}
    start = table.filter(pl.col("step") == 0)
    # every pair starts from the same networks
    assert start.group_by("network").agg(pl.col("efficiency").n_unique())["efficiency"].max() == 1
    assert (out / "run.json").is_file()
    assert "efficiency after/before" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (["--strategy", "kingpin"], "--strategy"),
        (["--recovery", "magic"], "--recovery"),
        (["--members", "5"], "--members"),
        (["--p-recover", "2"], "--p-recover"),
        (["--steps", "-1"], "--steps"),
    ],
)
def test_bad_input_is_one_line_and_status_2(tmp_path: Path, capsys, extra, field) -> None:
    rc = main(["disrupt", "--out", str(tmp_path / "x"), *extra])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2
    assert len(err) == 1 and field in err[0]
    assert not (tmp_path / "x").exists()
