"""The demand model: the engine's contract, the levers, vectorisation and bad input."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from oclab.errors import InputError
from oclab.models import demand
from oclab.models.registry import get_model
from oclab.study import study_from_dict


def _params(n: int = 1, **changes: float) -> dict[str, np.ndarray]:
    return {k: np.full(n, float(v)) for k, v in (demand.PARAMS.defaults() | changes).items()}


def _run(params: dict[str, np.ndarray], weeks: float) -> dict[str, np.ndarray]:
    n = len(next(iter(params.values())))
    state = demand.init(None, params, n, np.random.default_rng(0))
    return demand.observe(demand.step(state, params, weeks, np.random.default_rng(0)), params)


def test_registered_with_the_engine() -> None:
    assert get_model("demand") is demand
    assert demand.group_labels(None) == ()
    assert set(_run(_params(), 52.0)) == set(demand.OUTCOMES)


def test_reference_budget_leaves_the_published_lhy_unchanged() -> None:
    # At the default budget every control multiplier is 1: the right-hand side is the LHY's.
    p = _params()
    d = demand.Drivers.build(p)
    assert d.initiation == pytest.approx(1.0)
    assert d.consumption == pytest.approx(1.0)
    assert d.price == pytest.approx(p["price_reference"])
    y = np.array([[3e6], [0.5e6], [1e6]])
    light, heavy, memory = y[:, 0]
    rate = max(0.1, 0.61 * np.exp(-3.443 * memory / light))
    expected = [
        50_000 + light * rate - (0.163 + 0.024) * light,
        0.024 * light - 0.062 * heavy,
        heavy - 0.291 * memory,
    ]
    assert demand.rhs(y, p, d)[:, 0] == pytest.approx(expected, rel=1e-12)


def test_budget_share_keeps_total_spending_equal() -> None:
    for share in (0.2, 0.35, 0.5, 0.65):
        spend = demand.spending(_params(budget_share=share))
        assert sum(float(v[0]) for v in spend.values()) == pytest.approx(13e9)
        assert float(spend["prevention"][0] + spend["treatment"][0]) == pytest.approx(13e9 * share)


def test_levers_move_outcomes_in_the_expected_direction() -> None:
    weeks = 5 * 52.0
    base = _run(_params(), weeks)
    more_prevention = _run(_params(prevention_share=0.9), weeks)
    assert more_prevention["initiation"][0] < base["initiation"][0]
    p = _params()
    spend = demand.spending(p)
    heavy = np.array([1e6])
    exits = demand.heavy_exits(p, heavy, demand.Drivers.build(p, spend))
    spend["treatment"] = 2 * spend["treatment"]
    assert demand.heavy_exits(p, heavy, demand.Drivers.build(p, spend))[0] > exits[0]
    more_supply = _run(_params(budget_share=0.1), weeks)
    assert more_supply["price_per_gram"][0] > base["price_per_gram"][0]
    # With inelastic demand (elasticity 0.5 < 1) a higher price raises retail spending.
    assert more_supply["retail_expenditure"][0] > base["retail_expenditure"][0]
    assert base["revenue_mexican_dtos"][0] == pytest.approx(0.1 * base["retail_expenditure"][0])


def test_batch_equals_runs_one_by_one() -> None:
    shares = np.array([0.2, 0.35, 0.65])
    batch = _params(3)
    batch["budget_share"] = shares
    together = _run(batch, 520.0)
    for k, share in enumerate(shares):
        alone = _run(_params(budget_share=share), 520.0)
        for name in ("users", "heavy_users", "consumption_tonnes"):
            # the shared step differs from a lone run's: agreement to the integrator's accuracy
            assert together[name][k] == pytest.approx(alone[name][0], rel=1e-5)


def test_step_in_pieces_equals_one_step() -> None:
    p = _params()
    state = demand.init(None, p, 1, np.random.default_rng(0))
    rng = np.random.default_rng(0)
    whole = demand.step(state, p, 104.0, rng)
    pieces = state
    for _ in range(8):
        pieces = demand.step(pieces, p, 13.0, rng)
    assert pieces.y[:, 0] == pytest.approx(whole.y[:, 0], rel=1e-6)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"budget_share": 1.2}, "budget_share"),
        ({"supply_domestic_share": 0.9, "supply_interdiction_share": 0.2}, "supply_domestic"),
        ({"budget_total": -1.0}, "budget_total"),
    ],
)
def test_lever_values_outside_their_domain_are_input_errors(changes, field) -> None:
    with pytest.raises(InputError, match=field):
        demand.check_levers(_params(**changes))


def test_lever_error_survives_a_worker_process() -> None:
    error = demand.LeverError("study.toml", "budget_share", "a share in [0, 1]", 1.5)
    again = pickle.loads(pickle.dumps(error))
    assert isinstance(again, InputError)
    assert str(again) == str(error)


def test_a_data_folder_is_refused() -> None:
    assert demand.load_data(None) is None
    with pytest.raises(InputError, match="data"):
        demand.load_data("some/folder")


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"params": {"budget_total": -5.0}}, "budget_total"),
        ({"params": {"budget_share": 1.5}}, "budget_share"),
        ({"scenarios": [{"name": "x", "set": {"prevention_share": -0.1}}]}, "prevention_share"),
        ({"scenarios": [{"name": "x", "multiply": {"demand.budget_share": 2}}]}, "demand"),
    ],
)
def test_study_files_with_bad_levers_are_refused(raw, field) -> None:
    with pytest.raises(InputError, match=field):
        study_from_dict({"model": "demand", "start_year": 1970.0} | raw, "bad.toml")
