"""Network files: the bundled networks, GeoJSON, and bad input naming file and field."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from oclab.errors import InputError
from oclab.models.routes_network import CIRCUITY, great_circle_km, load_network

NODES = [
    {"id": "O", "kind": "origin", "lon": "0", "lat": "0", "supply": "10"},
    {"id": "A", "kind": "transit", "lon": "1", "lat": "1"},
    {"id": "M", "kind": "market", "lon": "2", "lat": "0", "demand": "10", "price": "20"},
]
EDGES = [
    {"source": "O", "target": "A", "length_km": "100"},
    {"source": "A", "target": "M", "length_km": ""},
]


def write(folder: Path, nodes=NODES, edges=EDGES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in (("nodes.csv", nodes), ("edges.csv", edges)):
        columns = list(dict.fromkeys(k for row in rows for k in row))
        with (folder / name).open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return folder


def test_mexico_has_states_entry_points_and_ports_of_entry():
    net = load_network("mexico")
    groups = np.array(net.groups)
    kinds = np.array(net.kinds)
    states = (kinds == "transit") & ~np.isin(groups, ["Border crossing"])
    assert states.sum() == 32
    crossings = set(np.array(net.ids)[groups == "Border crossing"])
    for poe in ("P_TIJ", "P_MXL", "P_NOG", "P_CJS", "P_OJI", "P_PN", "P_NLD", "P_REY", "P_MAT"):
        assert poe in crossings
    assert {"E_GTM", "E_MZO", "E_LZC", "E_QROO"} <= {net.ids[i] for i in net.origins}
    # coordinates are Mexico's (the US market is a virtual node placed in Texas/Oklahoma)
    inside = np.array(net.kinds) != "market"
    assert (net.lon[inside] > -118).all() and (net.lon[inside] < -86).all()
    assert (net.lat[inside] > 14).all() and (net.lat[inside] < 33).all()
    # each crossing is within 60 km of the US border's latitude band (25.8-32.7 N)
    assert (net.lat[groups == "Border crossing"] > 25.8).all()


def test_stored_lengths_follow_the_documented_formula():
    net = load_network("mexico")
    land = (np.array(net.mode) == "land") & np.isin(np.array(net.kinds)[net.tail], ["transit"])
    u, v = net.tail[land], net.head[land]
    expected = great_circle_km(net.lon[u], net.lat[u], net.lon[v], net.lat[v]) * CIRCUITY
    np.testing.assert_allclose(net.length_km[land], expected, atol=0.06)
    # Mexico City to Toluca: about 50 km in a straight line
    assert 40 < great_circle_km(-99.13, 19.43, -99.66, 19.29) < 65


def test_world_network_has_the_corridors():
    net = load_network("world")
    assert {"West Africa", "Caribbean", "Central America", "Mexico"} <= set(net.groups)
    assert {net.ids[m] for m in net.markets} == {"USA", "EUR"}


def test_csv_and_geojson_give_the_same_network(tmp_path):
    from_csv = load_network(write(tmp_path / "net"))
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(n["lon"]), float(n["lat"])]},
            "properties": {k: v for k, v in n.items() if k not in ("lon", "lat")},
        }
        for n in NODES
    ] + [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": []}, "properties": e}
        for e in EDGES
    ]
    path = tmp_path / "net.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    from_geojson = load_network(path)
    assert from_csv.ids == from_geojson.ids
    np.testing.assert_allclose(from_csv.length_km, from_geojson.length_km)
    # blank length: great-circle x circuity, in both directions of an undirected edge
    assert from_csv.n_edges == 4
    assert from_csv.length_km[2] == pytest.approx(great_circle_km(1, 1, 2, 0) * CIRCUITY)


@pytest.mark.parametrize(
    ("nodes", "edges", "field"),
    [
        (NODES, [*EDGES, {"source": "A", "target": "X"}], "row 3: target"),
        (NODES, [{"source": "O", "target": "A", "length_km": "-5"}, EDGES[1]], "length_km"),
        (NODES, [{"source": "O", "target": "A", "length_km": "0"}, EDGES[1]], "length_km"),
        (
            NODES,
            [EDGES[0], {**EDGES[1], "directed": "true", "source": "M", "target": "A"}],
            "edges",
        ),  # origin cannot reach the market
        ([*NODES, {"id": "O", "kind": "transit", "lon": "0", "lat": "0"}], EDGES, "row 4: id"),
        ([{**NODES[0], "kind": "farm"}, *NODES[1:]], EDGES, "kind"),
        ([{**NODES[0], "supply": "0"}, *NODES[1:]], EDGES, "supply"),
        ([NODES[0], NODES[2]], EDGES, "row 1: target"),  # a missing node
        ([NODES[0], NODES[1]], EDGES, "market"),
        ([{**NODES[0], "lat": "abc"}, *NODES[1:]], EDGES, "lat"),
        ([{**NODES[0], "lon": "200"}, *NODES[1:]], EDGES, "lon/lat"),
        (NODES, [{**EDGES[0], "capacity": "-1"}, EDGES[1]], "capacity"),
        (NODES, [*EDGES, dict(EDGES[0])], "one edge per pair"),
    ],
)
def test_bad_networks_raise_input_error_naming_the_field(tmp_path, nodes, edges, field):
    folder = write(tmp_path / "bad", nodes, edges)
    with pytest.raises(InputError) as error:
        load_network(folder)
    assert field in str(error.value)
    assert str(folder) in str(error.value)


def test_missing_column_and_missing_file(tmp_path):
    folder = write(tmp_path / "bad", [{k: v for k, v in n.items() if k != "lat"} for n in NODES])
    with pytest.raises(InputError, match="column lat"):
        load_network(folder)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"nodes\.csv: file"):
        load_network(tmp_path / "empty")
    with pytest.raises(InputError, match="FeatureCollection"):
        bad = tmp_path / "x.geojson"
        bad.write_text('{"type": "Feature"}')
        load_network(bad)
