"""US cocaine demand: light and heavy users with a memory of heavy use (LHY), and the budget.

Behrens D.A., Caulkins J.P., Tragler G., Haunschmied J., Feichtinger G. (1999) "A dynamic model
of drug initiation: implications for treatment and drug control", Math. Biosci. 159:1–20, with
the controls of Behrens, Caulkins, Tragler & Feichtinger (2000) "Optimal control of drug
epidemics: prevent and treat — but not at the same time?", Management Science 46(3):333–347.
In years (the engine's clock is weeks; :func:`step` converts)::

    dL/dt = psi(w)/psi(w_ref) * (p/p_ref)^(-e*theta) * I(L, Y) - (a + b) L
    dH/dt = b L - max(0, g H + c H^(1-z) (u^z - u_ref^z))
    dY/dt = H - delta Y
    I(L, Y) = tau + L max(sbar, s exp(-q Y / L))
    psi(w) = h + (1 - h) exp(-m w)

``w`` is prevention and ``u`` treatment spending ($/yr). Supply-side spending acts through the
retail price: ``p = p_ref * prod_k ((S_k + f S_ref,k) / ((1 + f) S_ref,k))^eta_k`` over domestic
enforcement, interdiction and source-country control (``f`` = 0.1, so that no enforcement does
not mean a free drug), and price lowers initiation by ``(p/p_ref)^(-e*theta)`` and consumption per
user by ``(p/p_ref)^(-e*(1-theta))`` (``e`` = price elasticity of demand, ``theta`` = share of it
that comes from participation). The ``eta_k`` are calibrated to Rydell & Everingham (1994) in
:mod:`oclab.models.demand_costs`.

Why relative to a reference budget: the LHY parameters were fitted to US data that already
reflect the control effort of their time, so the published trajectory is reproduced at the
reference budget (the parameter defaults) and the levers act as departures from it (assumption).

Levers (the issue's names → parameters a study's ``[[scenarios]]`` can ``set``/``multiply``):
``demand.budget_share`` → ``budget_share`` (demand-reduction share of ``budget_total``);
``demand.prevention`` → ``prevention_share`` (of the demand budget; the rest is treatment);
``demand.treatment`` → ``1 - prevention_share``; the supply split → ``supply_domestic_share`` and
``supply_interdiction_share`` (the rest of supply spending is source-country control).
Changing ``budget_share`` keeps the total spending equal, so splits are compared at equal cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from oclab.core.integrate import integrate
from oclab.core.params import Parameter, ParamSet
from oclab.errors import InputError

NAME = "demand"
SUMMARY = "US cocaine users (LHY, Behrens et al. 1999/2000) with prevention, treatment and price"
WEEKS_PER_YEAR = 52.0
OPTIONS: dict[str, tuple[str, ...]] = {}
#: Supply programs acting on the price, in the order of their parameters.
SUPPLY_PROGRAMS: tuple[str, ...] = ("domestic", "interdiction", "source")
#: Spending that no enforcement buys away, as a share of reference spending (assumption).
PRICE_FLOOR_SHARE = 0.1

_LHY = "Behrens et al. (1999) Math. Biosci. 159:1-20, LHY fit to US cocaine (TARGETS.md §2)"
_LH = "Behrens et al. (2000) Mgmt Sci 46(3):333, OCMat model file lh.ocm"
_RE = "Rydell & Everingham (1994) RAND MR-331"
_CAL = (
    "calibrated to the consumption table of Rydell & Everingham (1994) by "
    "demand_costs.calibrate; range: x0.5 to x2 (assumption)"
)
_RANGE = "range: assumption, about ±30%"

PARAMS = ParamSet(
    [
        Parameter(
            "tau",
            "people/yr",
            50_000.0,
            35_000.0,
            65_000.0,
            source=f"{_LHY}; {_RANGE}",
            description="innovators: initiation without contact",
        ),
        Parameter(
            "s",
            "1/yr",
            0.61,
            0.45,
            0.75,
            source=f"{_LHY}; {_RANGE}",
            description="initiates recruited per light user a year, before deterrence",
        ),
        Parameter(
            "q",
            "1",
            3.443,
            2.5,
            4.5,
            source=f"{_LHY}; {_RANGE}",
            description="deterrence of initiation by the memory of heavy use",
        ),
        Parameter(
            "sbar",
            "1/yr",
            0.1,
            0.05,
            0.15,
            source=f"{_LHY}; {_RANGE}",
            description="lowest recruitment rate per light user",
        ),
        Parameter(
            "a",
            "1/yr",
            0.163,
            0.12,
            0.2,
            source=f"{_LHY}; {_RANGE}",
            description="light users who quit, per year",
        ),
        Parameter(
            "b",
            "1/yr",
            0.024,
            0.018,
            0.03,
            source=f"{_LHY}; {_RANGE}",
            description="light users who escalate to heavy use, per year",
        ),
        Parameter(
            "g",
            "1/yr",
            0.062,
            0.045,
            0.08,
            source=f"{_LHY}; {_RANGE}",
            description="heavy users who quit, per year (at the reference treatment)",
        ),
        Parameter(
            "delta",
            "1/yr",
            0.291,
            0.2,
            0.38,
            source=f"{_LHY}; {_RANGE}",
            description="rate at which the memory of heavy use fades",
        ),
        Parameter(
            "initial_light",
            "people",
            1.4e6,
            1.2e6,
            1.6e6,
            source=f"{_LHY}, 1970 (check against the paper)",
            description="light users at the start (1970 for the defaults)",
        ),
        Parameter(
            "initial_heavy",
            "people",
            0.13e6,
            0.1e6,
            0.16e6,
            source=f"{_LHY}, 1970 (check against the paper)",
            description="heavy users at the start",
        ),
        Parameter(
            "initial_memory",
            "people",
            0.11e6,
            0.08e6,
            0.14e6,
            source=f"{_LHY}, 1970 (check against the paper)",
            description="memory of heavy use Y at the start",
        ),
        Parameter(
            "grams_light",
            "g/yr",
            16.42,
            12.0,
            20.0,
            source=f"{_LH} (k_L); {_RE}",
            description="consumption per light user",
        ),
        Parameter(
            "grams_heavy",
            "g/yr",
            118.93,
            90.0,
            150.0,
            source=f"{_LH} (k_H); {_RE}",
            description="consumption per heavy user",
        ),
        Parameter(
            "social_cost_per_gram",
            "$/g",
            113.0,
            60.0,
            180.0,
            source=f"{_LH} (kappa); {_RE}",
            description="social cost of a gram consumed",
        ),
        Parameter(
            "prevention_floor",
            "1",
            0.84,
            0.75,
            0.92,
            source=f"{_LH} (h)",
            description="initiation left under unlimited prevention (psi at w=inf)",
        ),
        Parameter(
            "prevention_efficiency",
            "1/$",
            2.37e-9,
            1.2e-9,
            4.7e-9,
            source=f"{_LH} (m)",
            description="decay of initiation with prevention spending",
        ),
        Parameter(
            "treatment_efficiency",
            "1",
            5.0e-4,
            2.5e-4,
            1.0e-3,
            source=f"{_LH} (c)",
            description="scale of the treatment outflow c (u/H)^z H",
        ),
        Parameter(
            "treatment_exponent",
            "1",
            0.6,
            0.4,
            0.8,
            source=f"{_LH} (z, 'd')",
            description="diminishing returns of treatment spending per heavy user",
            maximum=1.0,
        ),
        Parameter(
            "budget_total",
            "$/yr",
            13.0e9,
            8.0e9,
            20.0e9,
            source=f"{_RE}: US cocaine-control spending 1992, all levels of government",
            description="drug-control spending acting on cocaine (demand + supply)",
        ),
        Parameter(
            "budget_share",
            "share",
            0.35,
            0.2,
            0.65,
            source="FY2010 US budget request: ~35% demand, ~65% supply (report I.A.2)",
            description="lever demand.budget_share: demand-reduction share of the budget",
            maximum=1.0,
        ),
        Parameter(
            "prevention_share",
            "share",
            0.35,
            0.2,
            0.5,
            source="assumption: prevention ~1/3 of US demand reduction (ONDCP, check)",
            description="lever demand.prevention: prevention share of the demand budget "
            "(treatment gets the rest)",
            maximum=1.0,
        ),
        Parameter(
            "supply_domestic_share",
            "share",
            0.79,
            0.6,
            0.9,
            source=f"{_RE}: 1992 split 69/12/6% of all spending (press summary)",
            description="domestic-enforcement share of supply spending",
            maximum=1.0,
        ),
        Parameter(
            "supply_interdiction_share",
            "share",
            0.14,
            0.05,
            0.25,
            source=f"{_RE}: 1992 split (press summary)",
            description="interdiction share of supply spending (the rest: source country)",
            maximum=1.0,
        ),
        Parameter(
            "price_reference",
            "$/pure g",
            120.0,
            80.0,
            200.0,
            source="ONDCP/IDA price series, retail powder cocaine ~2007-2010 (check)",
            description="retail price per pure gram at the reference budget",
        ),
        Parameter(
            "price_elasticity",
            "1",
            0.5,
            0.2,
            1.0,
            source=f"{_RE} (demand elasticity -0.5, as reviewed by NRC 1999); range: "
            "Gallet (2014) meta-analysis spread (check)",
            description="minus the price elasticity of demand for cocaine",
        ),
        Parameter(
            "participation_share",
            "share",
            0.5,
            0.3,
            0.7,
            source="assumption: about half of the price response is participation "
            "(Grossman & Chaloupka 1998, check)",
            description="share of the price response acting on initiation",
            maximum=1.0,
        ),
        Parameter(
            "price_elasticity_domestic",
            "1",
            1.328,
            0.66,
            2.66,
            source=_CAL,
            description="% price rise per % more domestic-enforcement spending",
        ),
        Parameter(
            "price_elasticity_interdiction",
            "1",
            0.156,
            0.078,
            0.312,
            source=_CAL,
            description="% price rise per % more interdiction spending",
        ),
        Parameter(
            "price_elasticity_source",
            "1",
            0.0367,
            0.018,
            0.073,
            source=_CAL,
            description="% price rise per % more source-country spending",
        ),
        Parameter(
            "mexico_revenue_share",
            "share",
            0.1,
            0.05,
            0.2,
            source="Kilmer et al. (2010) RAND OP-325: Mexican DTO export revenue from "
            "cocaine vs US retail spending (check)",
            description="share of US retail cocaine spending reaching Mexican DTOs",
            maximum=1.0,
        ),
    ]
)

SHARES: tuple[str, ...] = (
    "budget_share",
    "prevention_share",
    "supply_domestic_share",
    "supply_interdiction_share",
    "participation_share",
    "mexico_revenue_share",
)


class LeverError(InputError):
    """An :class:`InputError` about lever values that survives a trip to a worker process."""

    def __reduce__(self) -> tuple[type, tuple[str, str, str, object]]:
        return (type(self), (self.source, self.field, self.expected, self.got))


def check_levers(
    params: Mapping[str, object], source: str = "scenario parameters (after set/multiply)"
) -> None:
    """Raise :class:`LeverError` when a share leaves [0, 1], the supply split exceeds 1 or the
    budget is negative (scenario ``multiply`` can push a valid default out of its domain)."""
    for name in SHARES:
        if name in params:
            values = np.asarray(params[name], dtype=float).ravel()
            bad = values[~((values >= 0.0) & (values <= 1.0))]
            if bad.size:
                raise LeverError(source, name, "a share in [0, 1]", round(float(bad[0]), 6))
    split = np.asarray(params["supply_domestic_share"], dtype=float) + np.asarray(
        params["supply_interdiction_share"], dtype=float
    )
    if np.any(split > 1.0 + 1e-12):
        raise LeverError(
            source,
            "supply_domestic_share + supply_interdiction_share",
            "at most 1 (the rest is source-country control)",
            float(split.max()),
        )
    total = np.asarray(params["budget_total"], dtype=float).ravel()
    bad = total[~(np.isfinite(total) & (total >= 0.0))]
    if bad.size:
        raise LeverError(source, "budget_total", "a budget >= 0 ($/yr)", float(bad[0]))


def spending(params: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Yearly spending by program ($/yr): prevention, treatment, domestic, interdiction, source."""
    total = np.asarray(params["budget_total"], dtype=float)
    demand = total * np.asarray(params["budget_share"], dtype=float)
    prevention = demand * np.asarray(params["prevention_share"], dtype=float)
    supply = total - demand
    domestic = supply * np.asarray(params["supply_domestic_share"], dtype=float)
    interdiction = supply * np.asarray(params["supply_interdiction_share"], dtype=float)
    return {
        "prevention": prevention,
        "treatment": demand - prevention,
        "domestic": domestic,
        "interdiction": interdiction,
        "source": np.maximum(supply - domestic - interdiction, 0.0),
    }


#: Spending at the parameter defaults: the budget the published trajectory stands for.
REFERENCE_SPENDING: dict[str, float] = {k: float(v) for k, v in spending(PARAMS.defaults()).items()}


def _arr(params: Mapping[str, object], name: str) -> np.ndarray:
    return np.asarray(params[name], dtype=float)


def price(
    params: Mapping[str, object],
    spend: Mapping[str, np.ndarray],
    reference: Mapping[str, float] = REFERENCE_SPENDING,
) -> np.ndarray:
    """Retail price per pure gram ($) under supply spending ``spend`` (constant elasticities)."""
    p = _arr(params, "price_reference").copy()
    for program in SUPPLY_PROGRAMS:
        ref = float(reference[program])
        if ref <= 0:
            continue
        floor = PRICE_FLOOR_SHARE * ref
        ratio = (np.asarray(spend[program], dtype=float) + floor) / (ref + floor)
        p = p * ratio ** _arr(params, f"price_elasticity_{program}")
    return p


def prevention_factor(params: Mapping[str, object], w: np.ndarray) -> np.ndarray:
    """psi(w) = h + (1 - h) exp(-m w) (Behrens et al. 2000)."""
    h = _arr(params, "prevention_floor")
    return h + (1.0 - h) * np.exp(-_arr(params, "prevention_efficiency") * w)


@dataclass(frozen=True)
class Drivers:
    """What the budget does, per run: initiation multiplier, treatment exit terms and price."""

    initiation: np.ndarray
    price: np.ndarray
    consumption: np.ndarray  # multiplier of grams per user from price
    treat: np.ndarray  # c * u^z
    treat_ref: np.ndarray  # c * u_ref^z

    @classmethod
    def build(
        cls,
        params: Mapping[str, object],
        spend: Mapping[str, np.ndarray] | None = None,
        reference: Mapping[str, float] = REFERENCE_SPENDING,
    ) -> Drivers:
        """Drivers of ``spend`` (default: the spending the parameters imply) vs ``reference``."""
        spend = spending(params) if spend is None else spend
        p = price(params, spend, reference)
        relative = p / _arr(params, "price_reference")
        e = _arr(params, "price_elasticity")
        theta = _arr(params, "participation_share")
        prevention = prevention_factor(params, np.asarray(spend["prevention"], dtype=float))
        prevention_ref = prevention_factor(params, np.full_like(p, reference["prevention"]))
        c = _arr(params, "treatment_efficiency")
        z = _arr(params, "treatment_exponent")
        return cls(
            initiation=prevention / prevention_ref * relative ** (-e * theta),
            price=p,
            consumption=relative ** (-e * (1.0 - theta)),
            treat=c * np.asarray(spend["treatment"], dtype=float) ** z,
            treat_ref=c * float(reference["treatment"]) ** z,
        )


def initiation(params: Mapping[str, object], light: np.ndarray, memory: np.ndarray) -> np.ndarray:
    """I(L, Y) = tau + L max(sbar, s exp(-q Y / L)), without controls (people/yr)."""
    safe = np.where(light > 0, light, 1.0)
    rate = np.maximum(
        _arr(params, "sbar"), _arr(params, "s") * np.exp(-_arr(params, "q") * memory / safe)
    )
    return _arr(params, "tau") + np.where(light > 0, light * rate, 0.0)


def heavy_exits(params: Mapping[str, object], heavy: np.ndarray, d: Drivers) -> np.ndarray:
    """Heavy users leaving a year: natural quitting plus treatment beyond the reference."""
    z = _arr(params, "treatment_exponent")
    extra = (d.treat - d.treat_ref) * np.maximum(heavy, 0.0) ** (1.0 - z)
    return np.maximum(_arr(params, "g") * heavy + extra, 0.0)


def rhs(y: np.ndarray, params: Mapping[str, object], d: Drivers) -> np.ndarray:
    """d(L, H, Y)/dt in people per year for a batch ``y`` of shape (3, runs)."""
    light, heavy, memory = y
    a, b = _arr(params, "a"), _arr(params, "b")
    out = np.empty_like(y)
    out[0] = d.initiation * initiation(params, light, memory) - (a + b) * light
    out[1] = b * light - heavy_exits(params, heavy, d)
    out[2] = heavy - _arr(params, "delta") * memory
    return out


@dataclass(frozen=True)
class State:
    """A batch of runs: ``y`` = (light users, heavy users, memory Y), shape (3, runs)."""

    y: np.ndarray
    h: float | None = None

    @property
    def runs(self) -> int:
        return self.y.shape[1]


def load_data(path: str | None) -> None:
    """The demand model uses no data folder; a given path is an input error."""
    if path is not None:
        raise InputError(path, "data", "no data folder: the demand model takes none")
    return None


def group_labels(data: object) -> tuple[str, ...]:
    """The demand model has no groups."""
    return ()


def init(data: object, params: dict[str, np.ndarray], n: int, rng: np.random.Generator) -> State:
    """``n`` runs at the start (1970 with the defaults); deterministic, ``rng`` is unused."""
    check_levers(params)
    y = np.stack(
        [
            np.broadcast_to(_arr(params, name), (n,))
            for name in ("initial_light", "initial_heavy", "initial_memory")
        ]
    ).astype(float)
    return State(y=y)


def advance_years(
    y: np.ndarray, params: Mapping[str, object], years: float, d: Drivers, h: float | None = None
) -> tuple[np.ndarray, float]:
    """Integrate ``years`` ahead (shared-step Dormand–Prince over the batch, core.integrate)."""
    solution = integrate(lambda _t, x: rhs(x, params, d), y, 0.0, years, rtol=1e-8, atol=1.0, h0=h)
    return np.maximum(solution.y, 0.0), solution.h


def step(
    state: State, params: dict[str, np.ndarray], weeks: float, rng: np.random.Generator
) -> State:
    """Advance every run by ``weeks`` (converted to years) under the spending of ``params``."""
    check_levers(params)
    y, h = advance_years(state.y, params, weeks / WEEKS_PER_YEAR, Drivers.build(params), state.h)
    return replace(state, y=y, h=h)


def observe(state: State, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Yearly national outcomes per run (see :data:`OUTCOMES`)."""
    light, heavy, memory = state.y
    d = Drivers.build(params)
    grams = (_arr(params, "grams_light") * light + _arr(params, "grams_heavy") * heavy) * (
        d.consumption
    )
    expenditure = grams * d.price
    spend = spending(params)
    n = light.shape
    return {
        "light_users": light,
        "heavy_users": heavy,
        "users": light + heavy,
        "consumption_tonnes": grams / 1e6,
        "retail_expenditure": expenditure,
        "revenue_mexican_dtos": expenditure * _arr(params, "mexico_revenue_share"),
        "social_cost": grams * _arr(params, "social_cost_per_gram"),
        "initiation": d.initiation * initiation(params, light, memory),
        "price_per_gram": np.broadcast_to(d.price, n).copy(),
        "prevention_spending": np.broadcast_to(spend["prevention"], n).copy(),
        "treatment_spending": np.broadcast_to(spend["treatment"], n).copy(),
        "supply_spending": np.broadcast_to(
            spend["domestic"] + spend["interdiction"] + spend["source"], n
        ).copy(),
    }


HEADLINE: tuple[str, ...] = ("users", "revenue_mexican_dtos")
OUTCOMES: dict[str, str] = {
    "light_users": "US light cocaine users (people)",
    "heavy_users": "US heavy cocaine users (people)",
    "users": "US cocaine users, light + heavy (people)",
    "consumption_tonnes": "US cocaine consumption (pure tonnes a year)",
    "retail_expenditure": "US retail spending on cocaine ($ a year)",
    "revenue_mexican_dtos": "retail spending reaching Mexican trafficking organizations ($/yr)",
    "social_cost": "social cost of consumption ($ a year, kappa per gram)",
    "initiation": "new users a year",
    "price_per_gram": "retail price per pure gram ($)",
    "prevention_spending": "prevention spending ($ a year)",
    "treatment_spending": "treatment spending ($ a year)",
    "supply_spending": "supply-control spending ($ a year)",
}
