"""The routes model: costs, crackdowns, diversion and the places that newly carry traffic."""

from __future__ import annotations

import numpy as np
import pytest

from oclab.errors import InputError
from oclab.models import routes
from oclab.models.routes_network import build_network, load_network


def diamond():
    """O ships 10 t to market M through A (200 km) or B (300 km); hand-checkable."""
    nodes = [
        {"id": "O", "kind": "origin", "lon": 0, "lat": 0, "supply": 10},
        {"id": "A", "kind": "transit", "lon": 1, "lat": 1, "group": "north"},
        {"id": "B", "kind": "transit", "lon": 1, "lat": -1, "group": "south"},
        {"id": "M", "kind": "market", "lon": 2, "lat": 0, "demand": 10, "price": 20},
    ]
    edges = [
        {"source": "O", "target": "A", "length_km": 100, "directed": "true"},
        {"source": "A", "target": "M", "length_km": 100, "directed": "true"},
        {"source": "O", "target": "B", "length_km": 150, "directed": "true"},
        {"source": "B", "target": "M", "length_km": 150, "directed": "true"},
    ]
    return build_network(nodes, edges, "diamond", "nodes", "edges")


def defaults(n=1):
    return routes.draw_params(n, np.random.default_rng(0))


def test_least_cost_route_and_cost_by_hand():
    net = diamond()
    p = defaults()
    result = routes.solve(net, p, equilibrium=False)
    np.testing.assert_allclose(result.edge_flow[0], [10, 10, 0, 0])
    # cost per kg: 200 km x 0.00446 + risk 1.0 x capacity 0.5 at A and at M (0.5 default)
    per_kg = 200 * 0.00446 + 2 * 0.5 * 1.0
    np.testing.assert_allclose(result.total_cost[0], 10 * per_kg, rtol=1e-9)


def test_crackdown_diverts_everything_and_names_the_new_place():
    net = diamond()
    p = defaults()
    base = routes.solve(net, p, equilibrium=False)
    # k = 1 adds risk_cost (1.0) on entering A; B costs 100 km x 0.00446 = 0.446 more.
    after = routes.solve(net, p, routes.Crackdown("A", nodes={"A": 1.0}), equilibrium=False)
    np.testing.assert_allclose(after.edge_flow[0], [0, 0, 10, 10])
    moved = routes.displacement(base, after)
    assert moved["diverted"][0] == pytest.approx(10)
    assert moved["diverted_share"][0] == pytest.approx(1)
    assert moved["new_places"][0] == 1
    assert after.active()[0, net.index("B")] and not base.active()[0, net.index("B")]
    assert moved["total_cost_change"][0] == pytest.approx(10 * 100 * 0.00446)


def test_weak_crackdown_below_the_cost_gap_diverts_nothing_when_uncongested():
    net = diamond()
    p = defaults()
    base = routes.solve(net, p, equilibrium=False)
    after = routes.solve(net, p, routes.Crackdown("A", nodes={"A": 0.4}), equilibrium=False)
    assert routes.displacement(base, after)["diverted"][0] == 0


def test_congestion_splits_flow_and_crackdown_shifts_it_gradually():
    net = diamond()
    p = defaults()
    net = build_network(
        [
            {"id": i, "kind": k, "lon": x, "lat": y, "supply": s, "demand": d, "price": 20}
            for i, k, x, y, s, d in [
                ("O", "origin", 0, 0, 10, 0),
                ("A", "transit", 1, 1, 0, 0),
                ("B", "transit", 1, -1, 0, 0),
                ("M", "market", 2, 0, 0, 10),
            ]
        ],
        [
            {"source": a, "target": b, "length_km": km, "capacity": 5, "directed": "true"}
            for a, b, km in [("O", "A", 100), ("A", "M", 100), ("O", "B", 150), ("B", "M", 150)]
        ],
        "diamond",
        "n",
        "e",
    )
    p["congestion_alpha"] = np.array([1.0])
    shares = []
    for k in (0.0, 0.2, 0.4, 0.8):
        result = routes.solve(net, p, routes.Crackdown("A", nodes={"A": k}), tolerance=1e-8)
        shares.append(result.node_flow[0, net.index("B")] / 10)
    assert 0 < shares[0] < 0.5  # both routes used, the shorter one more
    assert np.all(np.diff(shares) > 0)  # gradual, monotone diversion


def test_mexico_state_crackdown_moves_traffic_to_other_crossings():
    net = load_network("mexico")
    p = defaults(2)
    base = routes.solve(net, p, tolerance=1e-3)
    after = routes.solve(net, p, routes.Crackdown("TAMPS", nodes={"TAMPS": 5.0}), tolerance=1e-3)
    tamps = net.index("TAMPS")
    assert (after.node_flow[:, tamps] < 0.5 * base.node_flow[:, tamps]).all()
    # the US still receives everything: traffic moved, it did not vanish
    np.testing.assert_allclose(after.delivered.sum(axis=1), net.supply.sum(), rtol=1e-9)
    moved = routes.displacement(base, after)
    assert (moved["diverted_share"] > 0.5).all()
    assert (moved["total_cost_change"] > 0).all()


def test_parameter_draws_are_reproducible_and_within_priors():
    priors = {p.name: p.default_prior for p in routes.PARAMS}
    a = routes.draw_params(50, np.random.default_rng(9), priors=priors)
    b = routes.draw_params(50, np.random.default_rng(9), priors=priors)
    for p in routes.PARAMS:
        np.testing.assert_array_equal(a[p.name], b[p.name])
        assert (a[p.name] >= p.low).all() and (a[p.name] <= p.high).all()


@pytest.mark.parametrize(
    ("crackdown", "field"),
    [
        (routes.Crackdown(nodes={"NOPE": 1.0}), "nodes.NOPE"),
        (routes.Crackdown(groups={"nowhere": 1.0}), "groups.nowhere"),
        (routes.Crackdown(nodes={"A": -1.0}), "nodes.A"),
        (routes.Crackdown(edges={"A-M": 1.0}), "edges.A-M"),
    ],
)
def test_bad_crackdowns_name_the_field(crackdown, field):
    with pytest.raises(InputError, match=field.replace(".", r"\.")):
        routes.solve(diamond(), defaults(), crackdown)
