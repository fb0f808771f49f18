"""Load and validate a cartel network in the CSV format of Prieto-Curiel et al. (2023).

A network folder holds three files: ``*Nodes.csv`` (``Node, Group, State, ShortName``) and
``*Rivals.csv`` / ``*Alliances.csv`` (``Edge, Node, Group, RNode, RGroup, weight``; directed rows,
weight = number of reported events). As in the authors' code, each relation is made symmetric
with the element-wise maximum of the two directions. Any problem is an :class:`InputError`
naming the file, the field and what was expected; nothing is dropped silently.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from scipy import sparse

from oclab.errors import InputError

NODE_COLUMNS = ("Node", "Group", "State", "ShortName")
EDGE_COLUMNS = ("Edge", "Node", "Group", "RNode", "RGroup", "weight")
DEFAULT_NETWORK = "cartels_default"


@dataclass(frozen=True)
class CartelNetwork:
    """Groups with their home states, and symmetric rivalry and alliance weights."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    short_names: tuple[str, ...]
    states: tuple[str, ...]
    rivals: sparse.csr_array
    allies: sparse.csr_array
    source: str

    @property
    def size(self) -> int:
        """Number of groups."""
        return len(self.ids)

    def strength(self) -> np.ndarray:
        """Total rivalry plus alliance weight of each group."""
        return np.asarray(self.rivals.sum(axis=1) + self.allies.sum(axis=1)).ravel()

    def ranked(self) -> CartelNetwork:
        """The same network with groups ordered by strength, descending (stable for ties)."""
        order = np.argsort(-self.strength(), kind="stable")
        pick = [int(i) for i in order]
        return CartelNetwork(
            ids=tuple(self.ids[i] for i in pick),
            names=tuple(self.names[i] for i in pick),
            short_names=tuple(self.short_names[i] for i in pick),
            states=tuple(self.states[i] for i in pick),
            rivals=sparse.csr_array(self.rivals[order][:, order]),
            allies=sparse.csr_array(self.allies[order][:, order]),
            source=self.source,
        )


def default_network_dir() -> Path:
    """The folder of the network shipped with oclab (see its PROVENANCE.md)."""
    return Path(str(resources.files("oclab.data") / DEFAULT_NETWORK))


def _find(directory: Path, suffix: str) -> Path:
    matches = sorted(directory.glob(f"*{suffix}"))
    if len(matches) != 1:
        found = ", ".join(m.name for m in matches) or "none"
        raise InputError(directory, f"*{suffix}", f"exactly one file (found {found})")
    return matches[0]


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in columns if c not in header]
            if missing:
                raise InputError(
                    path, missing[0], f"columns {', '.join(columns)}", ",".join(header)
                )
            rows = list(reader)
    except UnicodeDecodeError as exc:
        raise InputError(path, "encoding", "UTF-8 text") from exc
    except csv.Error as exc:
        raise InputError(path, "format", f"comma-separated values ({exc})") from exc
    return rows


def _edges(path: Path, index: dict[str, int]) -> sparse.csr_array:
    rows = _read_rows(path, EDGE_COLUMNS)
    n = len(index)
    dense = np.zeros((n, n))
    for line, row in enumerate(rows, start=2):
        ends = []
        for column in ("Node", "RNode"):
            node = (row[column] or "").strip()
            if node not in index:
                raise InputError(
                    path, f"{column} (line {line})", "a Node id listed in the nodes file", node
                )
            ends.append(index[node])
        i, j = ends
        if i == j:
            raise InputError(
                path, f"RNode (line {line})", "an edge between two different groups", row["RNode"]
            )
        try:
            weight = float(row["weight"])
        except (TypeError, ValueError):
            raise InputError(
                path, f"weight (line {line})", "a non-negative number", row["weight"]
            ) from None
        if not math.isfinite(weight) or weight < 0:
            raise InputError(path, f"weight (line {line})", "a non-negative number", row["weight"])
        dense[i, j] = max(dense[i, j], weight)
    return sparse.csr_array(np.maximum(dense, dense.T))


def load_network(directory: str | Path | None = None) -> CartelNetwork:
    """Read a network folder (default: the bundled one) and validate every row."""
    folder = Path(directory) if directory is not None else default_network_dir()
    if not folder.is_dir():
        raise InputError(
            folder, "--data", "a folder with *Nodes.csv, *Rivals.csv and *Alliances.csv"
        )
    nodes_path = _find(folder, "Nodes.csv")
    nodes = _read_rows(nodes_path, NODE_COLUMNS)
    if not nodes:
        raise InputError(nodes_path, "Node", "at least one group")
    index: dict[str, int] = {}
    for line, row in enumerate(nodes, start=2):
        node = (row["Node"] or "").strip()
        if not node:
            raise InputError(nodes_path, f"Node (line {line})", "a non-empty id")
        if node in index:
            raise InputError(nodes_path, f"Node (line {line})", "unique ids", node)
        index[node] = len(index)
    return CartelNetwork(
        ids=tuple(index),
        names=tuple((r["Group"] or "").strip() for r in nodes),
        short_names=tuple((r["ShortName"] or r["Group"] or "").strip() for r in nodes),
        states=tuple((r["State"] or "").strip() for r in nodes),
        rivals=_edges(_find(folder, "Rivals.csv"), index),
        allies=_edges(_find(folder, "Alliances.csv"), index),
        source=str(folder),
    )
