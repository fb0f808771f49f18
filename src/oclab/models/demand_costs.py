"""Cost-effectiveness of cocaine control programs, calibrated to Rydell & Everingham (1994).

Rydell C.P., Everingham S.S. (1994) *Controlling Cocaine: Supply Versus Demand Programs*, RAND
MR-331-ONDCP/A/DPRC: the extra yearly spending that cuts US cocaine users or consumption by 1%,
for source-country control, interdiction, domestic enforcement and treatment of heavy users
(15-year projection from 1992, 1992 dollars).

Here the same question is asked of :mod:`oclab.models.demand`: from the 1992 state of the LHY
trajectory and the 1992 budget, each program gets a small extra yearly sum for 15 years; the
cost of a 1% cut is that sum divided by the percentage cut in the discounted (4%/yr) 15-year
average of consumption (or users), linearised around the 1992 budget. All programs and the
baseline run as one batch (columns of one ODE system, :func:`oclab.core.integrate.integrate`).

Calibration: the three supply programs act only through price, each with its own elasticity of
price with respect to spending (``price_elasticity_<program>``); :func:`calibrate` finds them
with :func:`scipy.optimize.brentq` so that the consumption costs equal the published ones. The
users costs of the supply programs and both costs of treatment (whose effect comes from the
Behrens et al. 2000 treatment function, not from this calibration) are then predictions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from oclab.models import demand

PROGRAMS: tuple[str, ...] = ("source", "interdiction", "domestic", "treatment")
LABELS: dict[str, str] = {
    "source": "source-country control",
    "interdiction": "interdiction",
    "domestic": "domestic enforcement",
    "treatment": "treatment",
}
#: Extra yearly spending ($M) for a 1% cut in US cocaine users: MR-331 p. 36 (as reproduced by
#: drugwarfacts.org from the report).
PUBLISHED_USERS_MUSD: dict[str, float] = {
    "source": 2062.0,
    "interdiction": 964.0,
    "domestic": 675.0,
    "treatment": 155.0,
}
#: Extra yearly spending ($M) for a 1% cut in consumption (research note models.md §6c, marked
#: "check"; consistent with the summary's "treatment 7x as cost-effective as domestic enforcement").
PUBLISHED_CONSUMPTION_MUSD: dict[str, float] = {
    "source": 783.0,
    "interdiction": 366.0,
    "domestic": 246.0,
    "treatment": 34.0,
}
START_YEAR = 1992.0
HORIZON_YEARS = 15.0
DISCOUNT = 0.04  # assumption: RAND's usual 4% real rate
#: US cocaine-control spending in 1992 ($13B; RAND RB-6002) split 69/12/6% domestic/
#: interdiction/source and 6/7% treatment/prevention (press summary of MR-331, 1994).
BUDGET_1992: dict[str, float] = {
    "domestic": 0.69 * 13e9,
    "interdiction": 0.12 * 13e9,
    "source": 0.06 * 13e9,
    "treatment": 0.06 * 13e9,
    "prevention": 0.07 * 13e9,
}
PERTURBATION = 20e6  # $/yr added to one program: small enough to be marginal
_STEPS_PER_YEAR = 12


@dataclass(frozen=True)
class CostTable:
    """Cost ($M/yr) of a 1% cut in users and in consumption, by program."""

    users: dict[str, float]
    consumption: dict[str, float]

    def ratios(self, which: str = "consumption") -> dict[str, float]:
        """Each program's cost over treatment's."""
        table = getattr(self, which)
        return {k: v / table["treatment"] for k, v in table.items()}


def _params(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    return demand.PARAMS.defaults() | dict(overrides or {})


def state_in(year: float, params: Mapping[str, float]) -> np.ndarray:
    """(L, H, Y) in ``year`` on the uncontrolled published trajectory from 1970."""
    y0 = np.array(
        [[params["initial_light"]], [params["initial_heavy"]], [params["initial_memory"]]]
    )
    drivers = demand.Drivers.build(params)
    y, _ = demand.advance_years(y0, params, year - 1970.0, drivers)
    return y


def _batch_spending(extra: float) -> dict[str, np.ndarray]:
    """Columns: the 1992 budget, then the budget with ``extra`` added to each program."""
    spend = {k: np.full(1 + len(PROGRAMS), v) for k, v in BUDGET_1992.items()}
    for column, program in enumerate(PROGRAMS, start=1):
        spend[program][column] += extra
    return spend


def discounted_outcomes(
    params: Mapping[str, float], spend: Mapping[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Discounted 15-year means of (users, consumption in grams), one per spending column."""
    n = len(next(iter(spend.values())))
    y = np.repeat(state_in(START_YEAR, params), n, axis=1)
    batch = {k: np.full(n, v) for k, v in params.items()}
    drivers = demand.Drivers.build(batch, spend, BUDGET_1992)
    dt = 1.0 / _STEPS_PER_YEAR
    times = np.arange(0.0, HORIZON_YEARS + dt / 2, dt)
    users, grams = [], []
    h = None
    for k, _t in enumerate(times):
        if k:
            y, h = demand.advance_years(y, batch, dt, drivers, h)
        users.append(y[0] + y[1])
        grams.append(
            (params["grams_light"] * y[0] + params["grams_heavy"] * y[1]) * drivers.consumption
        )
    weights = np.exp(-DISCOUNT * times)
    weights[[0, -1]] *= 0.5  # trapezoid rule
    weights /= weights.sum()
    return weights @ np.array(users), weights @ np.array(grams)


def cost_table(overrides: Mapping[str, float] | None = None) -> CostTable:
    """$M a year for a 1% cut in users and in consumption, by program, under ``overrides``."""
    params = _params(overrides)
    users, grams = discounted_outcomes(params, _batch_spending(PERTURBATION))
    out: dict[str, dict[str, float]] = {"users": {}, "consumption": {}}
    for column, program in enumerate(PROGRAMS, start=1):
        for name, series in (("users", users), ("consumption", grams)):
            cut_pct = 100.0 * (1.0 - series[column] / series[0])
            out[name][program] = PERTURBATION / 1e6 / cut_pct if cut_pct > 0 else float("inf")
    return CostTable(out["users"], out["consumption"])


def calibrate(overrides: Mapping[str, float] | None = None) -> dict[str, float]:
    """Price elasticities of the supply programs that reproduce the published consumption costs.

    Each program's cost depends only on its own elasticity (the others sit at their reference
    spending), so each is a one-dimensional root (Brent's method, :func:`scipy.optimize.brentq`).
    """
    base = _params(overrides)
    found: dict[str, float] = {}
    for program in ("source", "interdiction", "domestic"):
        name = f"price_elasticity_{program}"

        def gap(
            log_eta: float,
            name: str = name,
            program: str = program,
            target: float = PUBLISHED_CONSUMPTION_MUSD[program],
        ) -> float:
            table = cost_table(base | {name: float(np.exp(log_eta))})
            return float(np.log(table.consumption[program] / target))

        found[name] = float(np.exp(brentq(gap, np.log(1e-4), np.log(5.0), xtol=1e-6)))
    return found
