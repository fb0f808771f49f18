"""``oclab routes`` verbs: outputs on success, one line and exit status 2 on bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from oclab.cli import main
from oclab.models.routes_scenario import load_scenario

SCENARIOS = Path(__file__).parents[2] / "scenarios"


def small_network(folder: Path) -> Path:
    folder.mkdir()
    (folder / "nodes.csv").write_text(
        "id,kind,lon,lat,supply,demand,price,group\n"
        "O,origin,-100,20,10,,,\nA,transit,-101,22,,,,west\nB,transit,-99,22,,,,east\n"
        "M,market,-100,25,,10,20,\n"
    )
    (folder / "edges.csv").write_text(
        "source,target,length_km,capacity,directed\n"
        "O,A,100,6,true\nA,M,100,6,true\nO,B,150,6,true\nB,M,150,6,true\n"
    )
    return folder


def test_check_prints_summary(capsys):
    assert main(["routes", "check", "world"]) == 0
    assert "22 nodes" in capsys.readouterr().out


def test_run_writes_tables_and_figures(tmp_path, capsys):
    network = small_network(tmp_path / "net")
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        'name = "t"\nnetwork = "net"\nruns = 3\n'
        '[priors]\nrisk_cost = { kind = "uniform" }\n'
        '[[crackdowns]]\nname = "west"\ngroups = { west = 2.0 }\n'
        "[curve]\nnodes = { A = 1.0 }\nintensities = [0, 1, 3]\n"
    )
    assert network.exists()
    out = tmp_path / "out"
    assert main(["routes", "run", str(scenario), "--out", str(out)]) == 0
    for name in ("summary.csv", "edges.csv", "nodes.csv", "map.png", "curve.csv", "curve.png"):
        assert (out / name).stat().st_size > 0
    assert "diverted_share" in capsys.readouterr().out


def test_solve_with_curve(tmp_path):
    network = small_network(tmp_path / "net")
    out = tmp_path / "solve"
    argv = [
        "routes",
        "solve",
        str(network),
        "--node",
        "A=2",
        "--curve",
        "1",
        "2",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    assert (out / "curve.png").is_file()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["routes", "check", "nowhere"], "nodes.csv"),
        (["routes", "solve", "world", "--group", "Atlantis=1"], "groups.Atlantis"),
        (["routes", "solve", "world", "--node", "XX=1"], "nodes.XX"),
        (["routes", "solve", "world", "--curve", "1"], "--curve"),
        (["routes", "run", "missing.toml"], "missing.toml"),
    ],
)
def test_bad_input_is_one_line_and_status_2(tmp_path, capsys, argv, needle):
    out = ["--out", str(tmp_path / "o")] if argv[1] != "check" else []
    assert main(argv + out) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_bad_scenario_fields(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    for text, needle in [
        ('network = "world"\nruns = 0\n', "runs"),
        ('network = "world"\n[priors]\nnope = { kind = "uniform" }\n', "priors.nope"),
        ('network = "world"\n[params]\nrisk_cost = -1\n', "risk_cost"),
        ('network = "world"\n[curve]\nintensities = [-1]\n', "curve.intensities"),
        ('network = "world"\nrunz = 3\n', "runz"),
    ]:
        bad.write_text(text)
        assert main(["routes", "run", str(bad), "--out", str(tmp_path / "o")]) == 2
        assert needle in capsys.readouterr().err


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("routes-*.toml")), ids=lambda p: p.name)
def test_shipped_scenarios_parse(path):
    scenario = load_scenario(path)
    assert scenario.crackdowns and scenario.curve_intensities
