"""Duijn, Kashirin & Sloot (2014) Sci. Rep. 4:4238: disruption followed by recovery.

Published qualitative results (TARGETS.md §5; research/models.md §5; the police network is not
public, so curves cannot be matched, only their ordering):

1. attacks on the most central members followed by recovery (orphans rewire to a replacement in
   the same role) can leave the network *more* efficient than before (abstract: networks "might
   even become stronger");
2. targeting the scarce value-chain role lowers efficiency most (main text, ⚠ figure not
   re-checked): reproduced only as an ordering among the targeted strategies under
   highest-degree recovery; the full claim is a strict expected failure with the measured
   numbers, and the test below it shows why (docs/odd/networks.md §8).

Setting: an ensemble of 6 generated networks with the SI role statistics (838 members, Tables
S-3/S-4) and 15 removals for every strategy: the size of the scarce role (Diverting
electricity), so that targeting it removes the whole role. Recovery with probability 1. Measure:
global efficiency after / before, per network. Tolerance: result 1 must hold for the ensemble
mean and in at least 5 of 6 networks; without recovery the same attacks must lower it below 0.9
(so recovery, not removal, causes the rise).
"""

from __future__ import annotations

import numpy as np
import pytest

from oclab.models import networks as nw
from oclab.models import networks_disruption as nd


@pytest.fixture(scope="module")
def ensemble() -> nw.Ensemble:
    return nw.generate(nw.REFERENCE_MEMBERS, 6, np.random.default_rng(2014))


def steps(ensemble: nw.Ensemble) -> int:
    """Removals per run: every member of the scarce role (15 at 838 members)."""
    return int((ensemble.role == nw.SCARCE_ROLE).sum())


_RATIOS: dict[tuple[int, str, str], np.ndarray] = {}


def ratio(ensemble: nw.Ensemble, strategy: str, recovery: str) -> np.ndarray:
    key = (id(ensemble), strategy, recovery)
    if key not in _RATIOS:  # each disruption runs once per session
        n = steps(ensemble)
        out = nd.disrupt(ensemble, strategy, recovery, n, np.random.default_rng(1), record_every=n)
        _RATIOS[key] = out.efficiency[-1] / out.efficiency[0]
    return _RATIOS[key]


def test_the_runs_remove_the_whole_scarce_role(ensemble: nw.Ensemble) -> None:
    assert steps(ensemble) == nw.ROLE_SIZES[nw.SCARCE_ROLE] == 15


@pytest.mark.parametrize("strategy", ["degree", "betweenness"])
def test_centrality_attacks_with_recovery_raise_efficiency(ensemble, strategy: str) -> None:
    recovered = ratio(ensemble, strategy, "highest_degree")
    assert recovered.mean() > 1.0
    assert (recovered > 1.0).sum() >= 5
    assert ratio(ensemble, strategy, "none").mean() < 0.9


def test_scarce_role_is_the_least_strengthening_target(ensemble) -> None:
    # with the recovery under which centrality attacks strengthen the network, targeting the
    # scarce role leaves it least efficient of the targeted strategies (ensemble mean)
    scarce = ratio(ensemble, "scarce_role", "highest_degree").mean()
    for strategy in ("degree", "betweenness", "value_chain"):
        assert scarce < ratio(ensemble, strategy, "highest_degree").mean()


@pytest.mark.xfail(
    strict=True,
    reason=(
        "not reproduced: removing the whole scarce role (Diverting electricity, 15 members) "
        "leaves efficiency slightly above its start under every recovery (1.012, seed 2014), "
        "while degree attacks give 1.096 with highest-degree recovery and 0.761 with "
        "nearest-in-macro recovery (random: 0.915); the role's members are leaves in networks "
        "generated from Table S-3 (mean degree 1.0), and removing leaves raises the mean 1/d "
        "of the members left; here a member holds one role, a real actor may hold several "
        "(docs/odd/networks.md §8)"
    ),
)
@pytest.mark.parametrize("recovery", ["highest_degree", "nearest"])
def test_targeting_the_scarce_role_lowers_efficiency_most(ensemble, recovery: str) -> None:
    scarce = ratio(ensemble, "scarce_role", recovery).mean()
    assert scarce < 1.0
    assert scarce < ratio(ensemble, "degree", recovery).mean()


def test_why_recovery_cannot_help_once_the_whole_role_is_gone(ensemble) -> None:
    # every replacement of a scarce member is another scarce member, removed in its turn: the
    # end state is the network without the role, whatever the recovery (so the scarce-role
    # result rests on what that role's members connect, not on recovery)
    n = steps(ensemble)
    ends = []
    for recovery in ("highest_degree", "random", "none"):
        ens = ensemble.copy()
        rng = np.random.default_rng(3)
        for _ in range(n):
            nd.step(ens, "scarce_role", recovery, 1.0, rng)
        ends.append(ens.key)
    np.testing.assert_array_equal(ends[0], ends[2])
    np.testing.assert_array_equal(ends[1], ends[2])
    degree = ensemble.degree[:, ensemble.role == nw.SCARCE_ROLE]
    assert degree.mean() == pytest.approx(1.0, abs=0.05)  # 15 edge ends in Table S-3
