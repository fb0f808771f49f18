"""Inspector deployment: which dealers to inspect, and where to station inspectors, so that the
most trafficked guns are intercepted -- a mixed-integer program solved by HiGHS
(``scipy.optimize.milp``, SciPy's interface to the HiGHS MILP solver).

Variables: ``x_i`` in {0, 1} (inspect dealer i), ``z_r`` integer >= 0 (inspectors stationed in
region r, the dealer's state). Maximise ``sum_i v_i x_i`` subject to

- region capacity: ``sum_{i in r} c_i x_i <= days_per_inspector * z_r`` for every region;
- ``sum_r z_r <= inspectors``;
- budget: ``sum_r cost_r z_r <= budget`` (cost per inspector, may differ by region).

``v_i`` is the expected number of trafficked guns a year an inspection intercepts at dealer i:
the dealer's flagged traces (at least one trafficking indicator) per year of data times an
effectiveness (assumption), and ``c_i`` the inspector-days an inspection takes (a base plus a
part per traced gun, assumption). The plan's ``intercept_share`` (intercepted / all flagged
guns a year) is the number that can feed the integrated model's ``guns.dealer_inspection``
lever.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from scipy import optimize, sparse

from oclab.core.params import Parameter, ParamSet
from oclab.traces.analytics import indicators

PARAMS = ParamSet(
    [
        Parameter(
            "effectiveness",
            "fraction",
            0.5,
            0.2,
            0.8,
            source="assumption: share of a dealer's trafficked sales an inspection stops",
            maximum=1.0,
        ),
        Parameter(
            "days_base",
            "inspector-days",
            5.0,
            2.0,
            15.0,
            source="assumption: inspector-days for one compliance inspection",
            minimum=0.1,
        ),
        Parameter(
            "days_per_gun",
            "inspector-days per traced gun",
            0.05,
            0.0,
            0.2,
            source="assumption: extra record review per traced gun sold by the dealer",
        ),
        Parameter(
            "days_per_inspector",
            "days/year",
            200.0,
            180.0,
            230.0,
            source="assumption: field days a year per inspector",
            minimum=1.0,
        ),
    ]
)


@dataclass(frozen=True)
class Plan:
    """A deployment plan and its value."""

    dealers: pl.DataFrame  # chosen dealers: license, region, value, days
    regions: pl.DataFrame  # region, inspectors, days used, days available
    intercepted: float  # trafficked guns a year intercepted
    flagged_per_year: float  # all flagged guns a year (the denominator)
    status: str

    @property
    def intercept_share(self) -> float:
        """Intercepted share of flagged guns a year (input to ``guns.dealer_inspection``)."""
        return self.intercepted / self.flagged_per_year if self.flagged_per_year else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "dealers_inspected": self.dealers.height,
            "inspectors_used": int(self.regions["inspectors"].sum()) if self.regions.height else 0,
            "intercepted_per_year": self.intercepted,
            "flagged_per_year": self.flagged_per_year,
            "intercept_share": self.intercept_share,
        }


def dealer_values(frame: pl.DataFrame, params: dict[str, float] | None = None) -> pl.DataFrame:
    """Per dealer: region, flagged traces a year, value ``v`` and cost ``days`` of inspection."""
    p = PARAMS.defaults() | (params or {})
    dated = frame.filter(pl.col("dealer_license").fill_null("") != "")
    if dated.height == 0:
        return pl.DataFrame(
            schema={
                "dealer_license": pl.String,
                "region": pl.String,
                "flagged_per_year": pl.Float64,
                "value": pl.Float64,
                "days": pl.Float64,
            }
        )
    span = dated["recovery_date"].max() - dated["recovery_date"].min()
    years = max(span.days / 365.25, 1.0)
    return (
        indicators(dated)
        .group_by("dealer_license")
        .agg(
            pl.col("dealer_state").first().alias("region"),
            pl.len().alias("traces"),
            (pl.col("n_indicators") > 0).sum().alias("flagged"),
        )
        .with_columns((pl.col("flagged") / years).alias("flagged_per_year"))
        .with_columns(
            (pl.col("flagged_per_year") * p["effectiveness"]).alias("value"),
            (p["days_base"] + p["days_per_gun"] * pl.col("traces")).alias("days"),
        )
        .sort("dealer_license")
        .select("dealer_license", "region", "flagged_per_year", "value", "days")
    )


def plan(
    values: pl.DataFrame,
    inspectors: int,
    cost_per_inspector: float | dict[str, float] = 1.0,
    budget: float | None = None,
    params: dict[str, float] | None = None,
    time_limit: float = 30.0,
) -> Plan:
    """The HiGHS-optimal plan for ``inspectors`` inspectors (and an optional ``budget``)."""
    p = PARAMS.defaults() | (params or {})
    if inspectors < 0:
        raise ValueError("inspectors must be >= 0")
    d = values.height
    regions = sorted(set(values["region"].to_list()))
    r = len(regions)
    index = {name: k for k, name in enumerate(regions)}
    region_of = np.array([index[v] for v in values["region"].to_list()], dtype=int)
    v = values["value"].to_numpy().astype(float)
    c = values["days"].to_numpy().astype(float)
    cost = np.array(
        [
            cost_per_inspector.get(name, 1.0)
            if isinstance(cost_per_inspector, dict)
            else cost_per_inspector
            for name in regions
        ]
    )
    # Objective: maximise value; a tiny cost per inspector avoids stationing idle ones.
    objective = np.concatenate([-v, np.full(r, 1e-6)])
    capacity = sparse.hstack(
        [
            sparse.csr_matrix((c, (region_of, np.arange(d))), shape=(r, d)),
            sparse.diags(np.full(r, -p["days_per_inspector"])),
        ]
    )
    rows = [optimize.LinearConstraint(capacity, -np.inf, 0.0)]
    rows.append(
        optimize.LinearConstraint(
            np.concatenate([np.zeros(d), np.ones(r)])[None, :], -np.inf, inspectors
        )
    )
    if budget is not None:
        rows.append(
            optimize.LinearConstraint(np.concatenate([np.zeros(d), cost])[None, :], -np.inf, budget)
        )
    result = optimize.milp(
        objective,
        integrality=np.ones(d + r),
        bounds=optimize.Bounds(
            np.zeros(d + r), np.concatenate([np.ones(d), np.full(r, inspectors)])
        ),
        constraints=rows,
        options={"time_limit": time_limit},
    )
    if result.x is None:
        raise RuntimeError(f"HiGHS found no plan: {result.message}")
    x = np.round(result.x[:d]).astype(bool)
    z = np.round(result.x[d:]).astype(int)
    chosen = values.filter(pl.Series(x))
    used = np.bincount(region_of[x], weights=c[x], minlength=r)
    region_table = pl.DataFrame(
        {
            "region": regions,
            "inspectors": z,
            "days_used": used,
            "days_available": z * p["days_per_inspector"],
        }
    ).filter(pl.col("inspectors") > 0)
    return Plan(
        dealers=chosen,
        regions=region_table,
        intercepted=float(v[x].sum()),
        flagged_per_year=float(values["flagged_per_year"].sum() if d else 0.0),
        status="optimal" if result.status == 0 else result.message,
    )
