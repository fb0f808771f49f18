"""Displacement on the world cocaine network against UNODC figures.

Sources (see ``src/oclab/data/routes_world/PROVENANCE.md``):

* UNODC (2013) *Transnational Organized Crime in West Africa: A Threat Assessment*: cocaine
  through West Africa to Europe about 47 t in 2007 and about 18 t in 2010.
* UNODC *World Drug Report 2011*, ch. 3.1: share of European cocaine seizures that had transited
  West and Central Africa 25% (2007) and 13% (2009); cocaine use in West and Central Europe
  stable.
* US State Department INCSR 2010: about 90% of US-bound cocaine through Mexico / Central America.
* UNODC *World Drug Report 2010*: US about 44%, Europe about 25% of global consumption (2008).

The baseline was *calibrated* to the first four targets, so test 1 checks the calibration holds
(and guards the data files); tests 2-4 are the checks that can fail on the model's own terms.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from oclab.models import routes
from oclab.models.routes_network import load_network

WORLD = load_network("world")
PARAMS = routes.draw_params(1, np.random.default_rng(0))
TOL = 1e-4  # Frank–Wolfe relative gap; flows move by well under 1 t at this gap
WA_2007, WA_2010 = 47.0, 18.0


def solve(crackdown: routes.Crackdown | None = None) -> routes.RouteResult:
    return routes.solve(WORLD, PARAMS, crackdown, tolerance=TOL)


@pytest.fixture(scope="module")
def baseline() -> routes.RouteResult:
    return solve()


def shares(result: routes.RouteResult) -> dict[str, float]:
    us, eu = result.delivered[0]
    return {
        "us": us / (us + eu),
        "mexico_of_us": result.group_flow("Mexico")[0] / us,
        "west_africa": result.group_flow("West Africa")[0],
        "west_africa_of_eu": result.group_flow("West Africa")[0] / eu,
        "eu": eu,
        "caribbean": result.group_flow("Caribbean")[0],
        "mexico": result.group_flow("Mexico")[0],
    }


def test_baseline_splits_match_unodc(baseline):
    s = shares(baseline)
    # tolerances: the sources give round numbers ("about 90%", "25-35%"), so +-5 points on shares
    assert s["us"] == pytest.approx(0.64, abs=0.05)  # 44 / (44 + 25)
    assert s["mexico_of_us"] == pytest.approx(0.90, abs=0.05)  # INCSR 2010
    assert s["west_africa"] == pytest.approx(WA_2007, rel=0.10)  # UNODC 2013, 2007 estimate
    assert 0.20 <= s["west_africa_of_eu"] <= 0.35  # seizures 25% (2007); US officials 25-35%


def test_mexican_crackdown_pushes_volume_to_other_corridors_and_to_europe(baseline):
    """Report I.A.1/I.B: pressure on Mexico's northbound routes moves traffic elsewhere."""
    before = shares(baseline)
    previous = before
    for k in (2.0, 4.0, 8.0):
        after = solve(routes.Crackdown("Mexico", groups={"Mexico": k}))
        now = shares(after)
        assert now["mexico"] < previous["mexico"]
        assert now["caribbean"] > previous["caribbean"]
        assert now["eu"] > previous["eu"]
        assert now["west_africa"] > previous["west_africa"]
        moved = routes.displacement(baseline, after)
        assert 0 < moved["diverted_share"][0] < 1
        # demand-limited: the volume reaching the two markets is conserved
        assert after.delivered.sum() == pytest.approx(baseline.delivered.sum(), rel=1e-9)
        previous = now


@pytest.mark.xfail(
    strict=True,
    reason="A Mexican crackdown alone moves the West Africa flow the wrong way: the model "
    "raises it from 47 t to about 73 t at k=4 (and it rises with k), whereas UNODC reports "
    "a fall to 18 t by 2010. UNODC attributes the fall to interdiction in West Africa and "
    "Europe, which the Mexican scenario leaves out (see the next test).",
)
def test_mexican_crackdown_alone_reproduces_the_west_africa_decline():
    after = shares(solve(routes.Crackdown("Mexico", groups={"Mexico": 4.0})))
    assert after["west_africa"] == pytest.approx(WA_2010, abs=9.0)  # within +-50% of 18 t


def test_west_africa_crackdown_that_gives_18_t_keeps_europe_supplied(baseline):
    """Fit only the intensity k that brings West Africa from 47 t to 18 t; then check two
    things not fitted: Europe's supply (UNODC: stable use 2007-2010) and West Africa's share of
    Europe-bound cocaine against the seizure-based 13% for 2009."""

    def excess(k: float) -> float:
        return (
            shares(solve(routes.Crackdown("WA", groups={"West Africa": k})))["west_africa"]
            - WA_2010
        )

    k = brentq(excess, 0.0, 15.0, xtol=0.05)
    after = shares(solve(routes.Crackdown("WA", groups={"West Africa": k})))
    assert after["west_africa"] == pytest.approx(WA_2010, abs=2.0)
    # tolerance +-10%: "stable" in UNODC's wording; the model keeps Europe within about 5%
    assert after["eu"] == pytest.approx(shares(baseline)["eu"], rel=0.10)
    # tolerance +-5 points: seizure shares proxy flow shares, and 2009 is not 2010
    assert after["west_africa_of_eu"] == pytest.approx(0.13, abs=0.05)
