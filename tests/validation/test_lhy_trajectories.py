"""Reproduce the US cocaine epidemic of the LHY model (Behrens et al. 1999, Math. Biosci. 159:1-20).

Published parameters (TARGETS.md §2; the same set is in the public Scilab LHY example and the
research note models.md §6a): tau = 50,000/yr, s = 0.61, q = 3.443, sbar = 0.1, a = 0.163,
b = 0.024, g = 0.062, delta = 0.291, from L = 1.4M, H = 0.13M, Y = 0.11M in 1970 (marked
"check" in TARGETS.md: the initial values were not confirmed against the paper PDF).

Context numbers (RAND): US cocaine users "peaked in the early 1980's at about 9 million and
gradually decreased to about 7 million in 1994" (Rydell & Everingham 1994, MR-331, NCJRS
abstract 149600); about 1.7 million heavy users (TARGETS.md §2); heavy users consume about eight
times as much as light users, and the share of consumption by heavy users rose (RAND RB-6002,
Figure 1). The simulation goes through the engine's model contract (weekly clock).
"""

from __future__ import annotations

import numpy as np
import pytest

from oclab.models import demand

WEEKS = 52


@pytest.fixture(scope="module")
def trajectory() -> dict[str, np.ndarray]:
    """Yearly observations 1970-2020 (monthly resolution of 4 weeks for the peaks)."""
    p = {k: np.array([v]) for k, v in demand.PARAMS.defaults().items()}
    state = demand.init(None, p, 1, np.random.default_rng(0))
    rows: dict[str, list[float]] = {"time": []}
    for week in range(0, 50 * WEEKS + 1, 4):
        if week:
            state = demand.step(state, p, 4.0, np.random.default_rng(0))
        rows["time"].append(1970 + week / WEEKS)
        for name, value in demand.observe(state, p).items():
            rows.setdefault(name, []).append(float(value[0]))
    return {k: np.array(v) for k, v in rows.items()}


def _at(trajectory: dict[str, np.ndarray], name: str, year: float) -> float:
    return float(np.interp(year, trajectory["time"], trajectory[name]))


def test_all_users_peak_in_the_early_1980s_at_about_9_million(trajectory) -> None:
    # RAND: peak "in the early 1980's at about 9 million". Tolerance: peak year 1980-1985
    # ("early 1980s"), size within 10% of 9M (the published figure is rounded to the million).
    k = int(np.argmax(trajectory["users"]))
    assert 1980.0 <= trajectory["time"][k] <= 1985.0
    assert trajectory["users"][k] == pytest.approx(9.0e6, rel=0.10)


def test_light_users_peak_before_heavy_users(trajectory) -> None:
    # The LHY pattern: light use peaks first (model: 1982.6, 8.07M), heavy use about a decade
    # later (model: 1991.6, 1.70M). Tolerance: heavy-user peak within 10% of RAND's 1.7 million,
    # and 5-15 years after the light-user peak.
    light_peak = trajectory["time"][int(np.argmax(trajectory["light_users"]))]
    heavy_peak = trajectory["time"][int(np.argmax(trajectory["heavy_users"]))]
    assert 5.0 <= heavy_peak - light_peak <= 15.0
    assert trajectory["heavy_users"].max() == pytest.approx(1.7e6, rel=0.10)


def test_consumption_shifts_to_heavy_users(trajectory) -> None:
    # RAND RB-6002 Fig. 1: the share consumed by heavy users rose through the 1980s and a
    # decline in light users "masked an increase" in heavy users. Checked qualitatively: the
    # share rises from 1980 to 1992 and heavy users are the majority of consumption by 1992.
    def share(year: float) -> float:
        heavy = 118.93 * _at(trajectory, "heavy_users", year)
        return heavy / (1e6 * _at(trajectory, "consumption_tonnes", year))

    assert share(1992) > share(1980)
    assert share(1992) > 0.5
    assert _at(trajectory, "light_users", 1990) < _at(trajectory, "light_users", 1984)
    assert _at(trajectory, "heavy_users", 1990) > _at(trajectory, "heavy_users", 1984)


@pytest.mark.xfail(
    strict=True,
    reason="model gives 5.4M users in 1994 vs RAND's 'about 7 million' (-23%); RAND Review "
    "(1995) instead reports 5 million in 1992 (model 6.0M): the sources disagree",
)
def test_users_in_1994_about_7_million(trajectory) -> None:
    # Tolerance 10%, as for the peak.
    assert _at(trajectory, "users", 1994) == pytest.approx(7.0e6, rel=0.10)
