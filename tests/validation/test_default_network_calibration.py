"""The bundled stand-in network reproduces the published 2022 aggregates (by construction).

The knobs of ``oclab.data.build_default_network`` (``CURATED_WEIGHT_SCALE``, ``ALLY_EXTRA_MEAN``,
``P_NAMED_TARGET``, ``NATIONAL_REACH``) were calibrated so that the cartel model, run with the
published default parameters, gives at the start of 2022 the aggregates reported by
Prieto-Curiel, Campedelli & Hope (2023), "Reducing cartel recruitment is the only way to lower
violence in Mexico", Science 381(6664):1312-1316. Passing here is a regression check of that
calibration, not evidence for the paper: the stand-in was tuned to these very numbers. Only
the published aggregates are used; no file of the authors' network is read.
"""

from __future__ import annotations

import numpy as np
import pytest

from oclab.data.network import load_network
from oclab.models import cartels

#: Weeks from the start of 2012 (the model's initial state) to the start of 2022.
WEEKS_2012_TO_2022 = 520
#: The five largest groups in 2022, in order (Science 2023, main text).
PUBLISHED_TOP_FIVE = (
    "Cártel Jalisco Nueva Generación",
    "Cártel de Sinaloa",
    "La Nueva Familia Michoacana",
    "Cártel del Noreste",
    "Unión Tepito",
)
#: Outcomes of the run, group names and shares of all members, both in the ranked group order.
Run = tuple[dict[str, float], tuple[str, ...], np.ndarray]


@pytest.fixture(scope="module")
def run_2022() -> Run:
    """Deterministic run on the bundled network: outcomes, group names and shares (ranked)."""
    network = load_network(None)
    params = {k: np.full(1, v) for k, v in cartels.PARAMS.defaults().items()}
    state = cartels.init(network, params, 1, np.random.default_rng(1), allocation="expected")
    state = cartels.step(state, params, WEEKS_2012_TO_2022, None)
    outcomes = {k: float(v[0]) for k, v in cartels.observe(state, params).items()}
    members = cartels.group_members(state)[0]
    return outcomes, network.ranked().names, members / members.sum()


def test_total_members_in_2022(run_2022: Run) -> None:
    outcomes, _, _ = run_2022
    # Science 2023 abstract / main text: about 175,000 cartel members in 2022 (the paper's
    # interval 160,000-185,000); calibration target 175,000, accepted 165,000-185,000.
    assert 165_000 <= outcomes["members"] <= 185_000


def test_weekly_conflict_deaths_in_2022(run_2022: Run) -> None:
    outcomes, _, _ = run_2022
    # Science 2023 abstract / main text: about 125 conflict deaths a week (6,500 a year);
    # calibration target 125, accepted 110-140.
    assert 110.0 <= outcomes["deaths_weekly"] <= 140.0


def test_five_largest_groups_in_published_order(run_2022: Run) -> None:
    _, names, shares = run_2022
    order = np.argsort(-shares, kind="stable")
    # Science 2023 main text: CJNG, Sinaloa, La Nueva Familia Michoacana, Cártel del Noreste,
    # Unión Tepito are the five largest groups in 2022, in that order (exact order required).
    assert tuple(names[i] for i in order[:5]) == PUBLISHED_TOP_FIVE


def test_cjng_share_in_2022(run_2022: Run) -> None:
    _, names, shares = run_2022
    # Science 2023 main text: CJNG holds 17.9 % of all cartel members in 2022; accepted 12-24 %.
    cjng = shares[names.index(PUBLISHED_TOP_FIVE[0])]
    assert 0.12 <= cjng <= 0.24
