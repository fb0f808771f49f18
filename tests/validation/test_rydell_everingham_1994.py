"""Cost-effectiveness of cocaine control: Rydell & Everingham (1994), RAND MR-331.

Published: extra spending ($M/yr) for a 1% cut in US cocaine users (MR-331 p. 36): source-country
control 2,062, interdiction 964, domestic enforcement 675, treatment 155; for a 1% cut in
consumption (research note models.md §6c, marked "check"): 783 / 366 / 246 / 34, i.e. treatment
"seven times as cost-effective as domestic enforcement" (RAND RB-6002).

What is calibrated and what is predicted (see oclab.models.demand_costs): the three supply
programs' price elasticities are fitted to the three consumption costs; the users costs of the
supply programs and both treatment costs (from the Behrens et al. 2000 treatment function) are
out-of-sample predictions of the LHY model.
"""

from __future__ import annotations

import pytest

from oclab.models import demand, demand_costs

SUPPLY = ("source", "interdiction", "domestic")


@pytest.fixture(scope="module")
def table() -> demand_costs.CostTable:
    return demand_costs.cost_table()


def test_default_elasticities_are_the_calibration() -> None:
    # The defaults in demand.PARAMS must be what calibrate() finds (to the 3 digits stored).
    found = demand_costs.calibrate()
    for name, value in found.items():
        assert demand.PARAMS[name].default == pytest.approx(value, rel=0.01)


def test_calibrated_consumption_costs(table) -> None:
    # Calibration targets; 1% tolerance covers the 3-digit rounding of the stored elasticities.
    for program in SUPPLY:
        published = demand_costs.PUBLISHED_CONSUMPTION_MUSD[program]
        assert table.consumption[program] == pytest.approx(published, rel=0.01)


def test_predicted_users_costs_of_supply_programs(table) -> None:
    # Prediction. Tolerance 15%: the users/consumption ratio comes from the assumed split of the
    # price response between participation and intensity (participation_share = 0.5, range
    # 0.3-0.7); found +8%, +8%, +4%.
    for program in SUPPLY:
        published = demand_costs.PUBLISHED_USERS_MUSD[program]
        assert table.users[program] == pytest.approx(published, rel=0.15)


def test_ranking_of_programs(table) -> None:
    # Both published tables rank source > interdiction > domestic > treatment (cost per 1%).
    for costs in (table.users, table.consumption):
        assert costs["source"] > costs["interdiction"] > costs["domestic"] > costs["treatment"]


@pytest.mark.xfail(
    strict=True,
    reason="Behrens et al. (2000) treatment function at the 1992 budget costs $149M per 1% "
    "consumption cut vs $34M published (4.4x); RAND also counts in-treatment consumption cuts",
)
def test_treatment_cost_per_1pct_consumption(table) -> None:
    # Tolerance 25%: a generous band for one model's prediction of another's result.
    assert table.consumption["treatment"] == pytest.approx(34.0, rel=0.25)


@pytest.mark.xfail(strict=True, reason="model $335M per 1% cut in users vs $155M published (2.2x)")
def test_treatment_cost_per_1pct_users(table) -> None:
    assert table.users["treatment"] == pytest.approx(155.0, rel=0.25)


@pytest.mark.xfail(
    strict=True,
    reason="treatment is 1.65x as cost-effective as domestic enforcement in the model, 7.2x "
    "published; follows from the treatment miss above",
)
def test_treatment_seven_times_domestic_enforcement(table) -> None:
    # RAND RB-6002: "seven times as cost-effective"; tolerance 6-8.5x.
    assert 6.0 <= table.ratios()["domestic"] <= 8.5
