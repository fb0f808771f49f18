"""The bundled default cartel network: reproducible, well-formed, and ranked as published."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from oclab.data import build_default_network as builder

FOLDER = Path(builder.__file__).resolve().parent / "cartels_default"
FILES = ("OCLAB2020_Nodes.csv", "OCLAB2020_Rivals.csv", "OCLAB2020_Alliances.csv")
NODE_HEADER = ["Node", "Group", "State", "ShortName"]
EDGE_HEADER = ["Edge", "Node", "Group", "RNode", "RGroup", "weight"]
# The five largest groups in 2022 as published by Prieto-Curiel et al. (2023), in order.
TOP_FIVE = (
    "Cártel Jalisco Nueva Generación",
    "Cártel de Sinaloa",
    "La Nueva Familia Michoacana",
    "Cártel del Noreste",
    "Unión Tepito",
)


def _read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (FOLDER / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


@pytest.fixture(scope="module")
def nodes() -> list[dict[str, str]]:
    header, rows = _read(FILES[0])
    assert header == NODE_HEADER
    return rows


@pytest.fixture(scope="module", params=FILES[1:], ids=["rivals", "alliances"])
def edges(request: pytest.FixtureRequest) -> list[dict[str, str]]:
    header, rows = _read(request.param)
    assert header == EDGE_HEADER
    return rows


def _symmetric(rows: list[dict[str, str]], index: dict[str, int]) -> np.ndarray:
    matrix = np.zeros((len(index), len(index)))
    for row in rows:
        i, j = index[row["Node"]], index[row["RNode"]]
        matrix[i, j] = max(matrix[i, j], float(row["weight"]))
    return np.maximum(matrix, matrix.T)


def test_regenerating_gives_identical_bytes(tmp_path: Path) -> None:
    paths = builder.build(tmp_path)
    assert sorted(p.name for p in paths) == sorted(FILES)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (FOLDER / name).read_bytes(), name


def test_files_are_utf8_without_bom() -> None:
    for name in FILES:
        data = (FOLDER / name).read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf"), name
        assert b"\r" not in data, name
        data.decode("utf-8")


def test_150_unique_node_ids_with_known_states(nodes: list[dict[str, str]]) -> None:
    ids = [row["Node"] for row in nodes]
    assert len(ids) == 150
    assert len(set(ids)) == 150
    assert all(re.fullmatch(r"G\d{3}", node) for node in ids)
    assert len(builder.STATE_WEIGHTS) == 32
    assert {row["State"] for row in nodes} <= set(builder.STATE_WEIGHTS)
    assert all(row["Group"] and row["ShortName"] for row in nodes)


def test_edge_endpoints_are_known_nodes(
    nodes: list[dict[str, str]], edges: list[dict[str, str]]
) -> None:
    group = {row["Node"]: row["Group"] for row in nodes}
    for row in edges:
        assert row["Node"] in group and row["RNode"] in group, row["Edge"]
        assert row["Node"] != row["RNode"], row["Edge"]
        assert (row["Group"], row["RGroup"]) == (group[row["Node"]], group[row["RNode"]])


def test_edge_ids_are_unique(edges: list[dict[str, str]]) -> None:
    ids = [row["Edge"] for row in edges]
    assert len(set(ids)) == len(ids)
    assert len({edge[0] for edge in ids}) == 1
    assert all(re.fullmatch(r"[RA]\d{4}", edge) for edge in ids)


def test_both_directions_present_with_equal_weights(edges: list[dict[str, str]]) -> None:
    directed = Counter((row["Node"], row["RNode"]) for row in edges)
    assert max(directed.values()) == 1
    weight = {(row["Node"], row["RNode"]): row["weight"] for row in edges}
    for (a, b), w in weight.items():
        assert weight.get((b, a)) == w, (a, b)


def test_weights_are_positive_integers(edges: list[dict[str, str]]) -> None:
    assert all(re.fullmatch(r"[1-9]\d*", row["weight"]) for row in edges)


def test_sizes_comparable_to_the_2020_network(nodes: list[dict[str, str]]) -> None:
    index = {row["Node"]: i for i, row in enumerate(nodes)}
    rivals = _symmetric(_read(FILES[1])[1], index)
    allies = _symmetric(_read(FILES[2])[1], index)
    assert 90 <= np.count_nonzero(rivals) // 2 <= 100
    assert 85 <= np.count_nonzero(allies) // 2 <= 95
    assert not np.any((rivals > 0) & (allies > 0)), "a pair is both rivals and allies"
    degree = np.count_nonzero(rivals + allies, axis=1)
    assert np.count_nonzero(degree <= 1) >= 50, "many groups should have degree 0 or 1"


def test_named_groups_are_present(nodes: list[dict[str, str]]) -> None:
    home = {row["Group"]: row["State"] for row in nodes}
    expected = {
        "Cártel Jalisco Nueva Generación": "Jalisco",
        "Cártel de Sinaloa": "Sinaloa",
        "La Nueva Familia Michoacana": "Guerrero",
        "Cártel del Noreste": "Tamaulipas",
        "Unión Tepito": "Ciudad de México",
        "Cártel del Golfo": "Tamaulipas",
        "Cártel de Santa Rosa de Lima": "Guanajuato",
        "Los Viagras": "Michoacán",
        "Cárteles Unidos": "Michoacán",
        "Los Caballeros Templarios": "Michoacán",
        "Cártel de Juárez / La Línea": "Chihuahua",
        "Gente Nueva": "Chihuahua",
        "Los Chapitos": "Sinaloa",
        "Guerreros Unidos": "Guerrero",
        "Los Rojos": "Guerrero",
        "Los Ardillos": "Guerrero",
        "Fuerza Anti-Unión Tepito": "Ciudad de México",
        "Cártel del Pacífico Sur": "Morelos",
        "Los Salazar": "Sonora",
        "Cártel de Caborca": "Sonora",
    }
    for name, state in expected.items():
        assert home.get(name) == state, name
    named = [g for g in home if not g.startswith("Célula local")]
    assert 25 <= len(named) <= 35


def test_strength_ranking_starts_with_the_published_top_five(
    nodes: list[dict[str, str]],
) -> None:
    index = {row["Node"]: i for i, row in enumerate(nodes)}
    names = [row["Group"] for row in nodes]
    strength = _symmetric(_read(FILES[1])[1], index).sum(axis=1)
    strength += _symmetric(_read(FILES[2])[1], index).sum(axis=1)
    order = np.argsort(-strength, kind="stable")
    assert tuple(names[i] for i in order[:5]) == TOP_FIVE
    top = strength[order]
    assert np.all(np.diff(top[:6]) < 0), "no ties among the top five"
    assert top[0] >= 1.5 * top[1], "CJNG should be clearly the largest hub"
    rival_degree = np.count_nonzero(_symmetric(_read(FILES[1])[1], index), axis=1)
    assert int(np.argmax(rival_degree)) == names.index(TOP_FIVE[0])


def test_named_rivalries_are_the_heaviest_edges(nodes: list[dict[str, str]]) -> None:
    named = {row["Node"] for row in nodes[: len(builder.NAMED_GROUPS)]}
    rows = _read(FILES[1])[1] + _read(FILES[2])[1]
    generated = max(int(r["weight"]) for r in rows if not {r["Node"], r["RNode"]} <= named)
    curated = sorted(
        (int(r["weight"]) for r in _read(FILES[1])[1] if {r["Node"], r["RNode"]} <= named),
        reverse=True,
    )
    assert all(w > generated for w in curated[:5]), (curated[:5], generated)


def test_the_package_loader_reads_it() -> None:
    network = pytest.importorskip("oclab.data.network")
    loaded = network.load_network(FOLDER)
    assert loaded.size == 150
