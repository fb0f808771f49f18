"""Duijn, Kashirin & Sloot (2014) Sci. Rep. 4:4238: disruption followed by recovery.

Published qualitative results (TARGETS.md §5; research/models.md §5; the police network is not
public, so curves cannot be matched, only their ordering):

1. attacks on the most central members followed by recovery (orphans rewire to a replacement in
   the same role) can leave the network *more* efficient than before (abstract: networks "might
   even become stronger");
2. targeting the scarce value-chain role lowers efficiency most (main text, ⚠ not re-checked):
   reproduced only as an ordering among targeted strategies under highest-degree recovery; the
   full claim is marked xfail with the measured numbers.

Setting: an ensemble of 6 generated networks with the SI role statistics (838 members, Tables
S-3/S-4), 20 removals (more than the 15 members of the scarce role), recovery to the
highest-degree member of the role with probability 1. Measure: efficiency after / before, per
network. Tolerance: result 1 must hold for the ensemble mean and in at least 5 of 6 networks;
without recovery the same attacks must lower efficiency (so recovery, not removal, causes it).
"""

from __future__ import annotations

import numpy as np
import pytest

from oclab.models import networks as nw
from oclab.models import networks_disruption as nd

STEPS = 20


@pytest.fixture(scope="module")
def ensemble() -> nw.Ensemble:
    return nw.generate(nw.REFERENCE_MEMBERS, 6, np.random.default_rng(2014))


_RATIOS: dict[tuple[int, str, str], np.ndarray] = {}


def ratio(ensemble: nw.Ensemble, strategy: str, recovery: str) -> np.ndarray:
    key = (id(ensemble), strategy, recovery)
    if key not in _RATIOS:  # each disruption runs once per session
        _RATIOS[key] = _ratio(ensemble, strategy, recovery)
    return _RATIOS[key]


def _ratio(ensemble: nw.Ensemble, strategy: str, recovery: str) -> np.ndarray:
    out = nd.disrupt(
        ensemble, strategy, recovery, STEPS, np.random.default_rng(1), record_every=STEPS
    )
    return out.efficiency[-1] / out.efficiency[0]


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
        "not reproduced in full: targeting the scarce role (Diverting electricity, 15 low-degree "
        "members, then highest degree) does not lower efficiency below its start with "
        "highest-degree recovery (1.07x, seed 2014), and with nearest-in-macro recovery degree "
        "attacks lower it more (0.74x vs 0.84x; random recovery: 0.91x vs 0.92x); plain global "
        "efficiency does not see a missing role"
    ),
)
@pytest.mark.parametrize("recovery", ["highest_degree", "nearest"])
def test_targeting_the_scarce_role_lowers_efficiency_most(ensemble, recovery: str) -> None:
    scarce = ratio(ensemble, "scarce_role", recovery).mean()
    assert scarce < 1.0
    assert scarce < ratio(ensemble, "degree", recovery).mean()
