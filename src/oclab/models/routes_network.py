"""Load and validate a trafficking network from CSV or GeoJSON.

Two formats, same fields:

* a folder with ``nodes.csv`` and ``edges.csv``;
* one GeoJSON ``FeatureCollection``: ``Point`` features are nodes (coordinates give ``lon``,
  ``lat``), ``LineString`` features are edges; the other fields are feature properties.

Node fields: ``id`` (unique), ``name``, ``kind`` (``origin``, ``transit`` or ``market``),
``lon``, ``lat`` (degrees, WGS84), ``supply`` (tonnes/year shipped from an origin), ``demand``
(tonnes/year a market absorbs before its price starts to fall), ``price`` (wholesale, thousand
USD/kg, markets), ``state_capacity`` (0..1, how able the state is to interdict there) and
``group`` (a corridor label, e.g. ``West Africa``). Only ``id``, ``kind``, ``lon`` and ``lat``
are required; the rest default to 0 (``state_capacity`` 0.5, ``group`` empty).

Edge fields: ``source``, ``target`` (node ids), ``length_km`` (> 0; blank: great-circle distance
times :data:`CIRCUITY`), ``mode`` (``land``, ``sea``, ``air`` or ``crossing``), ``capacity``
(tonnes/year before costs rise; blank: uncongested) and ``directed`` (``true``/``false``;
undirected edges are used both ways).

Every problem is an :class:`~oclab.errors.InputError` naming the file and field: missing
columns, duplicate ids, unknown node ids, non-positive lengths, no origin or market, and any
origin that cannot reach a market.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order

from oclab.errors import InputError

KINDS: tuple[str, ...] = ("origin", "transit", "market")
MODES: tuple[str, ...] = ("land", "sea", "air", "crossing")
BUNDLED: tuple[str, ...] = ("mexico", "world")
#: Road distance over great-circle distance; 1.2–1.4 is typical of road networks (assumption).
CIRCUITY = 1.3
EARTH_RADIUS_KM = 6371.0
_NODE_REQUIRED = ("id", "kind", "lon", "lat")
_EDGE_REQUIRED = ("source", "target")


@dataclass(frozen=True)
class RouteNetwork:
    """Nodes and directed edges as arrays (edges given undirected appear in both directions)."""

    name: str
    source: str
    ids: tuple[str, ...]
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    groups: tuple[str, ...]
    lon: np.ndarray
    lat: np.ndarray
    supply: np.ndarray
    demand: np.ndarray
    price: np.ndarray
    state_capacity: np.ndarray
    tail: np.ndarray
    head: np.ndarray
    length_km: np.ndarray
    mode: tuple[str, ...]
    capacity: np.ndarray

    @property
    def n_nodes(self) -> int:
        return len(self.ids)

    @property
    def n_edges(self) -> int:
        return self.tail.size

    @property
    def origins(self) -> np.ndarray:
        return np.flatnonzero(np.array(self.kinds) == "origin")

    @property
    def markets(self) -> np.ndarray:
        return np.flatnonzero(np.array(self.kinds) == "market")

    def index(self, node_id: str, source: str = "network", field: str = "node") -> int:
        """Position of ``node_id``, or an :class:`InputError` naming ``source`` and ``field``."""
        try:
            return self.ids.index(node_id)
        except ValueError:
            raise InputError(source, field, f"a node id of network {self.name}", node_id) from None

    def edge_index(self, tail: str, head: str, source: str = "network") -> int:
        """Position of the edge ``tail -> head``."""
        u, v = self.index(tail, source, "edge"), self.index(head, source, "edge")
        hits = np.flatnonzero((self.tail == u) & (self.head == v))
        if hits.size == 0:
            raise InputError(source, "edge", f"an edge of network {self.name}", f"{tail}->{head}")
        return int(hits[0])


def great_circle_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Haversine distance in km between points given in degrees."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _number(value: object, source: str, field: str, default: float | None) -> float:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if default is None:
            raise InputError(source, field, "a number (required)", value)
        return default
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(source, field, "a number", value) from None
    if math.isnan(number):
        raise InputError(source, field, "a number", value)
    return number


def _text(row: dict, key: str, default: str = "") -> str:
    value = row.get(key)
    return default if value is None else str(value).strip()


def _read_csv(path: Path, required: tuple[str, ...]) -> list[dict]:
    if not path.is_file():
        raise InputError(path, "file", "a CSV file (not found)")
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            header = reader.fieldnames or []
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(path, "file", f"a readable UTF-8 CSV file ({exc})") from None
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(path, f"column {missing[0]}", f"columns {', '.join(required)}", header)
    if not rows:
        raise InputError(path, "rows", "at least one row")
    return rows


def _read_geojson(path: Path) -> tuple[list[dict], list[dict]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(path, "file", f"a readable GeoJSON file ({exc})") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise InputError(path, "type", "a GeoJSON FeatureCollection")
    nodes, edges = [], []
    for i, feature in enumerate(document.get("features") or []):
        geometry = (feature or {}).get("geometry") or {}
        props = dict((feature or {}).get("properties") or {})
        coords = geometry.get("coordinates")
        if geometry.get("type") == "Point" and isinstance(coords, list) and len(coords) >= 2:
            props.setdefault("lon", coords[0])
            props.setdefault("lat", coords[1])
            nodes.append(props)
        elif geometry.get("type") == "LineString":
            edges.append(props)
        else:
            raise InputError(path, f"features[{i}].geometry", "a Point (node) or LineString (edge)")
    for rows, required, what in ((nodes, _NODE_REQUIRED, "node"), (edges, _EDGE_REQUIRED, "edge")):
        if not rows:
            raise InputError(path, "features", f"at least one {what} feature")
        for i, row in enumerate(rows):
            missing = [c for c in required if c not in row]
            if missing:
                raise InputError(path, f"{what} {i}: property {missing[0]}", "present")
    return nodes, edges


def _truthy(value: str, source: str, field: str) -> bool:
    text = str(value).strip().lower()
    if text in ("", "false", "0", "no"):
        return False
    if text in ("true", "1", "yes"):
        return True
    raise InputError(source, field, "true or false", value)


def build_network(
    node_rows: list[dict], edge_rows: list[dict], name: str, node_src: str, edge_src: str
) -> RouteNetwork:
    """Validate raw rows and assemble a :class:`RouteNetwork`."""
    ids: list[str] = []
    names, kinds, groups = [], [], []
    cols: dict[str, list[float]] = {k: [] for k in ("lon", "lat", "supply", "demand", "price")}
    cols["state_capacity"] = []
    for i, row in enumerate(node_rows):
        where = f"row {i + 1}"
        node_id = _text(row, "id")
        if not node_id:
            raise InputError(node_src, f"{where}: id", "a non-empty id")
        if node_id in ids:
            raise InputError(node_src, f"{where}: id", "unique node ids", node_id)
        ids.append(node_id)
        kind = _text(row, "kind")
        if kind not in KINDS:
            raise InputError(node_src, f"{where}: kind", f"one of {', '.join(KINDS)}", kind)
        kinds.append(kind)
        names.append(_text(row, "name", node_id) or node_id)
        groups.append(_text(row, "group"))
        lon = _number(row.get("lon"), node_src, f"{where}: lon", None)
        lat = _number(row.get("lat"), node_src, f"{where}: lat", None)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InputError(node_src, f"{where}: lon/lat", "degrees within ±180/±90", (lon, lat))
        cols["lon"].append(lon)
        cols["lat"].append(lat)
        for key, default in (("supply", 0.0), ("demand", 0.0), ("price", 0.0)):
            value = _number(row.get(key), node_src, f"{where}: {key}", default)
            if value < 0:
                raise InputError(node_src, f"{where}: {key}", "a number >= 0", value)
            cols[key].append(value)
        cap = _number(row.get("state_capacity"), node_src, f"{where}: state_capacity", 0.5)
        if not 0 <= cap <= 1:
            raise InputError(node_src, f"{where}: state_capacity", "a number in [0, 1]", cap)
        cols["state_capacity"].append(cap)
        if kind == "origin" and cols["supply"][-1] <= 0:
            raise InputError(node_src, f"{where}: supply", "a positive supply at an origin")
        if kind == "market" and cols["demand"][-1] <= 0:
            raise InputError(node_src, f"{where}: demand", "a positive demand at a market")
    arrays = {k: np.array(v, dtype=float) for k, v in cols.items()}
    if "origin" not in kinds:
        raise InputError(node_src, "kind", "at least one origin node")
    if "market" not in kinds:
        raise InputError(node_src, "kind", "at least one market node")
    position = {node_id: i for i, node_id in enumerate(ids)}
    tail, head, length, mode, capacity = [], [], [], [], []
    seen: set[tuple[int, int]] = set()
    for i, row in enumerate(edge_rows):
        where = f"row {i + 1}"
        ends = []
        for key in ("source", "target"):
            node_id = _text(row, key)
            if node_id not in position:
                raise InputError(edge_src, f"{where}: {key}", "the id of a listed node", node_id)
            ends.append(position[node_id])
        u, v = ends
        if u == v:
            raise InputError(edge_src, f"{where}: target", "a node other than the source", ids[v])
        km = _number(row.get("length_km"), edge_src, f"{where}: length_km", math.nan)
        if math.isnan(km):
            lon, lat = arrays["lon"], arrays["lat"]
            km = float(great_circle_km(lon[u], lat[u], lon[v], lat[v])) * CIRCUITY
        if not (km > 0 and math.isfinite(km)):
            raise InputError(edge_src, f"{where}: length_km", "a positive length in km", km)
        edge_mode = _text(row, "mode", "land") or "land"
        if edge_mode not in MODES:
            raise InputError(edge_src, f"{where}: mode", f"one of {', '.join(MODES)}", edge_mode)
        cap = _number(row.get("capacity"), edge_src, f"{where}: capacity", math.inf)
        if not cap > 0:
            raise InputError(edge_src, f"{where}: capacity", "a positive capacity (t/year)", cap)
        directed = _truthy(_text(row, "directed"), edge_src, f"{where}: directed")
        for a, b in ((u, v),) if directed else ((u, v), (v, u)):
            if (a, b) in seen:
                raise InputError(
                    edge_src, f"{where}", "one edge per pair of nodes", f"{ids[a]}->{ids[b]}"
                )
            seen.add((a, b))
            tail.append(a)
            head.append(b)
            length.append(km)
            mode.append(edge_mode)
            capacity.append(cap)
    network = RouteNetwork(
        name=name,
        source=node_src,
        ids=tuple(ids),
        names=tuple(names),
        kinds=tuple(kinds),
        groups=tuple(groups),
        lon=arrays["lon"],
        lat=arrays["lat"],
        supply=arrays["supply"],
        demand=arrays["demand"],
        price=arrays["price"],
        state_capacity=arrays["state_capacity"],
        tail=np.array(tail, dtype=np.int64),
        head=np.array(head, dtype=np.int64),
        length_km=np.array(length),
        mode=tuple(mode),
        capacity=np.array(capacity),
    )
    _check_reachable(network, edge_src)
    return network


def _check_reachable(network: RouteNetwork, source: str) -> None:
    """Every origin must reach some market along directed edges."""
    n = network.n_nodes
    reverse = sparse.csr_array(
        (np.ones(network.n_edges), (network.head, network.tail)), shape=(n + 1, n + 1)
    ).tolil()
    for m in network.markets:
        reverse[n, m] = 1.0  # a virtual sink fed by every market
    reached = breadth_first_order(reverse.tocsr(), n, directed=True, return_predecessors=False)
    stranded = sorted(set(network.origins.tolist()) - set(reached.tolist()))
    if stranded:
        raise InputError(
            source, "edges", "a path from every origin to a market", network.ids[stranded[0]]
        )


def load_network(path: str | Path | None) -> RouteNetwork:
    """A network from a folder (``nodes.csv`` + ``edges.csv``), a ``.geojson`` file, or a bundled
    name (``mexico``, ``world``); ``None`` gives ``mexico``."""
    if path is None or str(path) in BUNDLED:
        name = "mexico" if path is None else str(path)
        folder = Path(str(resources.files("oclab") / "data" / f"routes_{name}"))
        return load_network(folder)
    target = Path(path)
    if target.suffix.lower() in (".geojson", ".json"):
        if not target.is_file():
            raise InputError(target, "file", "a GeoJSON file (not found)")
        nodes, edges = _read_geojson(target)
        return build_network(nodes, edges, target.stem, str(target), str(target))
    if not target.is_dir():
        raise InputError(
            target,
            "network",
            f"a folder with nodes.csv and edges.csv, a .geojson file, or one of "
            f"{', '.join(BUNDLED)}",
        )
    nodes = _read_csv(target / "nodes.csv", _NODE_REQUIRED)
    edges = _read_csv(target / "edges.csv", _EDGE_REQUIRED)
    name = target.name.removeprefix("routes_")
    return build_network(nodes, edges, name, str(target / "nodes.csv"), str(target / "edges.csv"))
