"""The published structure of optimal prevention and treatment (Behrens et al. 2000).

Behrens, Caulkins, Tragler & Feichtinger (2000) "Optimal control of drug epidemics: prevent and
treat — but not at the same time?", Management Science 46(3):333-347, abstract: prevention is
used while heavy users are few, treatment later, and the period when both are used is brief.
Parameters from the OCMat model files lh.ocm/cocainebc.ocm (TARGETS.md §2), start 1967 from
L = 1.4M, H = 0.13M (marked "check"). Solved by direct collocation on a coarse grid (30 intervals
over 60 years) so the test takes about a second; a finer grid (120 intervals) moves the switch
by half a year (`oclab demand control --intervals 120`).
"""

from __future__ import annotations

import numpy as np
import pytest

from oclab.models import demand_control as dctl


@pytest.fixture(scope="module")
def solution() -> dctl.ControlSolution:
    return dctl.solve(years=60.0, intervals=30)


def test_solver_converges(solution) -> None:
    assert solution.success


def test_prevention_first_while_heavy_users_are_few(solution) -> None:
    # The first decade: heavy users below 0.6M and at least 90% of the budget on prevention.
    early = solution.years < 10.0
    assert np.all(solution.heavy[early] < 0.6e6)
    assert np.all(solution.prevention[early] >= 0.9 * solution.budget[early])
    assert np.all(solution.treatment[early] <= 0.05 * solution.budget[early])


def test_treatment_later(solution) -> None:
    # Years 20-40 after 1967: at least 90% of the budget on treatment.
    later = (solution.years >= 20.0) & (solution.years <= 40.0)
    assert np.all(solution.treatment[later] >= 0.9 * solution.budget[later])


def test_brief_overlap_and_switch_time(solution) -> None:
    # "Brief": both controls above 10% of the budget for at most 5 of the 60 years; the switch
    # (treatment > prevention) within the growth phase, 5-25 years after 1967 (found: ~1981).
    assert solution.overlap_years() <= 5.0
    assert 5.0 <= solution.switch_year() <= 25.0


def test_collocation_agrees_with_integration(solution) -> None:
    # The NLP's states must solve the ODE under its own controls: integrate with scipy under
    # the same piecewise-constant controls; agreement within 1% after 30 years.
    end = dctl.simulate(dctl.LHParams(), solution, 30.0)
    k = int(np.searchsorted(solution.years, 30.0))
    assert end[0] == pytest.approx(solution.light[k], rel=0.01)
    assert end[1] == pytest.approx(solution.heavy[k], rel=0.01)
