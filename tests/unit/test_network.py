"""Network loading: both formats read, and every kind of bad file named precisely."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from oclab.data.network import default_network_dir, load_network
from oclab.errors import InputError

NODES = "Node,Group,State,ShortName\nA,Alpha,Jalisco,Al\nB,Beta,Sinaloa,Be\nC,Gamma,Colima,Ga\n"
RIVALS = "Edge,Node,Group,RNode,RGroup,weight\nE1,A,Alpha,B,Beta,3\nE2,B,Beta,A,Alpha,5\n"
ALLIES = "Edge,Node,Group,RNode,RGroup,weight\nR1,A,Alpha,C,Gamma,2\n"


def write_network(
    folder: Path, nodes: str = NODES, rivals: str = RIVALS, allies: str = ALLIES
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "T_Nodes.csv").write_text(nodes, encoding="utf-8")
    (folder / "T_Rivals.csv").write_text(rivals, encoding="utf-8")
    (folder / "T_Alliances.csv").write_text(allies, encoding="utf-8")
    return folder


def test_small_network_is_symmetrised_with_the_maximum(tmp_path: Path) -> None:
    net = load_network(write_network(tmp_path))
    assert net.ids == ("A", "B", "C")
    np.testing.assert_array_equal(net.rivals.toarray(), [[0, 5, 0], [5, 0, 0], [0, 0, 0]])
    np.testing.assert_array_equal(net.allies.toarray(), [[0, 0, 2], [0, 0, 0], [2, 0, 0]])
    np.testing.assert_array_equal(net.strength(), [7, 5, 2])


def test_ranking_is_by_strength_and_stable_for_ties(tmp_path: Path) -> None:
    allies = "Edge,Node,Group,RNode,RGroup,weight\nR1,C,Gamma,A,Alpha,9\n"
    ranked = load_network(write_network(tmp_path, allies=allies)).ranked()
    assert ranked.ids == ("A", "C", "B")  # 14, 9, 5


def test_bundled_network_loads() -> None:
    net = load_network(None)
    assert net.size == 150
    assert Path(net.source) == default_network_dir()


@pytest.mark.parametrize(
    ("nodes", "rivals", "allies", "field"),
    [
        ("Node,Group,State\nA,Alpha,Jalisco\n", RIVALS, ALLIES, "ShortName"),
        (NODES + "A,Again,Jalisco,Ag\n", RIVALS, ALLIES, "Node (line 5)"),
        (NODES, RIVALS + "E3,A,Alpha,Z,Zeta,1\n", ALLIES, "RNode (line 4)"),
        (NODES, RIVALS + "E3,A,Alpha,C,Gamma,-2\n", ALLIES, "weight (line 4)"),
        (NODES, RIVALS + "E3,A,Alpha,C,Gamma,many\n", ALLIES, "weight (line 4)"),
        (NODES, RIVALS + "E3,A,Alpha,A,Alpha,1\n", ALLIES, "RNode (line 4)"),
        (NODES, "Edge,From,To,weight\n", ALLIES, "Node"),
        ("Node,Group,State,ShortName\n", RIVALS, ALLIES, "Node"),
    ],
)
def test_bad_files_name_file_and_field(
    tmp_path: Path, nodes: str, rivals: str, allies: str, field: str
) -> None:
    with pytest.raises(InputError) as info:
        load_network(write_network(tmp_path, nodes, rivals, allies))
    assert info.value.field == field
    assert info.value.source.endswith(".csv")


def test_missing_folder_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--data"):
        load_network(tmp_path / "nowhere")
    folder = write_network(tmp_path / "net")
    (folder / "T_Rivals.csv").unlink()
    with pytest.raises(InputError, match=r"\*Rivals.csv: expected exactly one file"):
        load_network(folder)


def test_real_data_format_reads_with_its_byte_order_mark(
    real_network_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "real"
    shutil.copytree(real_network_dir, copy)
    net = load_network(copy)
    assert net.size == 150
    assert (net.rivals != net.rivals.T).nnz == 0
