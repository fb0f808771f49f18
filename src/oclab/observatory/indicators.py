"""The observatories' indicators by state or court and year, and court anomaly flags.

Definitions (each year is a calendar year; counts are of cases unless stated):

* **Impunity** (state level): ``1 - resolved / reported``, where *reported* are the cases whose
  crime was reported in the year and *resolved* the cases concluded in the year with an
  effective response, a conviction or an alternative resolution (reparation agreement,
  conditional suspension). This is the flow form of México Evalúa's *índice de impunidad*
  (México Evalúa, *Hallazgos 2022: seguimiento y evaluación del sistema de justicia penal en
  México*, 2023, methodology annex; check the exact list of outcomes counted as an effective
  response). ``impunity_convictions`` is the stricter variant counting convictions only, the form
  Impunidad Cero uses for homicide (Impunidad Cero, *Impunidad en homicidio doloso y feminicidio
  en México*, annual; check edition).
* **Conviction and acquittal rates**: convictions (acquittals) / verdicts (convictions +
  acquittals) dated in the year, as court statistics report sentencias condenatorias and
  absolutorias (INEGI, *Censo Nacional de Impartición de Justicia Estatal*; check table).
* **Dismissal rate**: dismissals / charged cases concluded in the year.
* **Duration**: median and mean days from report to conclusion of charged cases concluded in the
  year (Hallazgos reports durations of the proceedings; check its start event).
* **Pretrial detention share**: defendants held in pretrial detention / defendants processed,
  by year of charge (Hallazgos 2022 reports about 57%; check).
* **Backlog**: charged cases still open on 31 December (charged on or before, concluded after or
  not at all), the *rezago* of the courts.
* **Accusatorial share**: cases under the accusatorial system / cases, by year of report (state)
  or charge (court), tracing the 2008-2016 transition (DOF 18 June 2008 constitutional reform,
  eight-year *vacatio legis*).

Anomaly flags (:func:`court_anomalies`) compare each court with what its case mix predicts:
indirect standardisation by offence and procedural system, then a z-score and funnel-plot
limits (Spiegelhalter D.J., "Funnel plots for comparing institutional performance", Stat. Med.
24:1185-1202, 2005) with a multiplicative over-dispersion factor estimated from winsorised
z-scores (Spiegelhalter D.J., "Handling over-dispersion of performance indicators", Qual. Saf.
Health Care 14:347-351, 2005). Everything is vectorised with Polars group-bys and joins.
"""

from __future__ import annotations

from typing import Literal

import polars as pl
from scipy.stats import norm

from oclab.errors import InputError
from oclab.observatory.io import Dataset
from oclab.observatory.schema import DATE_ORDER

Level = Literal["state", "court"]
RESOLVED = ("conviction", "alternative")
#: rate column -> (numerator, denominator): used by the public suppression rules.
RATES: dict[str, tuple[str, str]] = {
    "impunity": ("n_resolved", "n_reported"),
    "impunity_convictions": ("n_convictions", "n_reported"),
    "conviction_rate": ("n_convictions", "n_verdicts"),
    "acquittal_rate": ("n_acquittals", "n_verdicts"),
    "dismissal_rate": ("n_dismissals", "n_concluded"),
    "pretrial_share": ("n_pretrial", "n_defendants"),
    "accusatorial_share": ("n_accusatorial", "n_cases"),  # n_reported at state level
}
#: statistics over individual cases, hidden with their count in public outputs.
STATS: dict[str, str] = {"median_duration_days": "n_concluded", "mean_duration_days": "n_concluded"}
ALERT_Z = float(norm.ppf(0.975))  # 95% funnel limit
ALARM_Z = float(norm.ppf(0.999))  # 99.8% funnel limit


def rate_pairs(columns: list[str]) -> dict[str, tuple[str, str]]:
    """The (numerator, denominator) of each rate present among ``columns``."""
    pairs = {}
    for rate, (num, den) in RATES.items():
        if rate == "accusatorial_share" and "n_cases" not in columns:
            den = "n_reported"
        if rate in columns or (num in columns and den in columns):
            pairs[rate] = (num, den)
    return pairs


def _year(col: str) -> pl.Expr:
    return pl.col(col).dt.year().alias("year")


def _keys(level: Level) -> list[str]:
    if level not in ("state", "court"):
        raise InputError("indicators", "level", "state or court", level)
    return ["state"] if level == "state" else ["state", "court_id"]


def _counts(frame: pl.DataFrame, keys: list[str], year: pl.Expr, **aggs: pl.Expr) -> pl.DataFrame:
    return (
        frame.with_columns(year)
        .filter(pl.col("year").is_not_null())
        .group_by([*keys, "year"])
        .agg(**aggs)
    )


def _backlog(charged: pl.DataFrame, keys: list[str], last_year: int) -> pl.DataFrame:
    if charged.height == 0:
        return pl.DataFrame(
            schema={**{k: pl.String() for k in keys}, "year": pl.Int32(), "backlog": pl.UInt32()}
        )
    # Years from the first charge to the latest date in the data: the observation window.
    first = charged["charge_date"].dt.year().min()
    last = max(charged["charge_date"].dt.year().max(), last_year)
    years = pl.DataFrame({"year": pl.int_range(first, last + 1, eager=True).cast(pl.Int32)})
    end = pl.date(pl.col("year"), 12, 31)
    return (
        charged.select([*keys, "charge_date", "verdict_date"])
        .join(years, how="cross")
        .filter(
            (pl.col("charge_date") <= end)
            & (pl.col("verdict_date").is_null() | (pl.col("verdict_date") > end))
        )
        .group_by([*keys, "year"])
        .agg(backlog=pl.len())
    )


def indicators(data: Dataset, level: Level = "state") -> pl.DataFrame:
    """One row per state (or court) and year with every indicator and its counts."""
    keys = _keys(level)
    cases = data.cases
    charged = cases.filter(pl.col("charge_date").is_not_null())
    concluded = charged.filter(pl.col("outcome") != "pending")
    outcome = pl.col("outcome")
    parts = []
    if level == "state":
        parts.append(
            _counts(
                cases,
                keys,
                _year("report_date"),
                n_reported=pl.len(),
                n_accusatorial=(pl.col("system") == "accusatorial").sum(),
            )
        )
        parts.append(
            _counts(
                cases.filter(outcome.is_in(RESOLVED)),
                keys,
                _year("verdict_date"),
                n_resolved=pl.len(),
            )
        )
    else:
        parts.append(
            _counts(
                charged,
                keys,
                _year("charge_date"),
                n_cases=pl.len(),
                n_accusatorial=(pl.col("system") == "accusatorial").sum(),
            )
        )
    parts.append(
        _counts(
            concluded,
            keys,
            _year("verdict_date"),
            n_concluded=pl.len(),
            n_convictions=(outcome == "conviction").sum(),
            n_acquittals=(outcome == "acquittal").sum(),
            n_dismissals=(outcome == "dismissal").sum(),
            median_duration_days=(pl.col("verdict_date") - pl.col("report_date"))
            .dt.total_days()
            .median(),
            mean_duration_days=(pl.col("verdict_date") - pl.col("report_date"))
            .dt.total_days()
            .mean(),
        )
    )
    defendants = data.defendants.join(
        charged.select("case_id", *keys, "charge_date"), on="case_id", how="inner"
    )
    parts.append(
        _counts(
            defendants,
            keys,
            _year("charge_date"),
            n_defendants=pl.len(),
            n_pretrial=pl.col("pretrial_detention").sum(),
        )
    )
    last = cases.select(pl.max_horizontal(pl.col(DATE_ORDER).max()).dt.year()).item()
    parts.append(_backlog(charged, keys, last or 0))
    table = parts[0].with_columns(pl.col("year").cast(pl.Int32))
    for part in parts[1:]:
        table = table.join(
            part.with_columns(pl.col("year").cast(pl.Int32)),
            on=[*keys, "year"],
            how="full",
            coalesce=True,
        )
    counts = [c for c in table.columns if c.startswith("n_") or c == "backlog"]
    table = table.with_columns(pl.col(counts).cast(pl.Int64).fill_null(0))
    table = table.with_columns(
        n_verdicts=pl.col("n_convictions") + pl.col("n_acquittals"),
    )
    rates = rate_pairs(table.columns)
    table = table.with_columns(
        pl.when(pl.col(den) > 0).then(pl.col(num) / pl.col(den)).alias(rate)
        for rate, (num, den) in rates.items()
    )
    if "impunity" in table.columns:
        table = table.with_columns(
            (1 - pl.col("impunity")).alias("impunity"),
            (1 - pl.col("impunity_convictions")).alias("impunity_convictions"),
        )
    return table.sort([*keys, "year"])


def court_anomalies(
    data: Dataset, outcome: Literal["dismissal", "conviction"] = "dismissal"
) -> pl.DataFrame:
    """Courts whose dismissal (or conviction) rate is far from what their case mix predicts.

    Cases: charged and concluded (dismissal) or with a verdict (conviction: convictions over
    convictions + acquittals), pooled over years. Case mix: the primary offence (charge 1) and
    the procedural system; each stratum's pooled rate over all courts is the expected rate of
    its cases. Per court: observed O, expected E = sum p, variance V = sum p(1 - p),
    z = (O - E) / sqrt(V). Over-dispersion phi = mean of the squared z-scores winsorised at
    their 10th and 90th percentiles, used when above 1 (Spiegelhalter 2005, QSHC); the adjusted
    z = z / sqrt(phi). Flags: ``alarm`` beyond the 99.8% funnel limit (|z| > 3.09), ``alert``
    beyond 95% (|z| > 1.96), else ``ok``. ``lower_998``/``upper_998`` are the funnel limits on
    the rate, ``E/n -/+ 3.09 sqrt(phi V) / n``.
    """
    if outcome not in ("dismissal", "conviction"):
        raise InputError("anomalies", "outcome", "dismissal or conviction", outcome)
    cases = data.cases.filter(
        pl.col("charge_date").is_not_null() & (pl.col("outcome") != "pending")
    )
    if outcome == "conviction":
        cases = cases.filter(pl.col("outcome").is_in(["conviction", "acquittal"]))
    primary = data.charges.filter(pl.col("charge_no") == 1).select("case_id", "offence")
    frame = cases.join(primary, on="case_id", how="left").with_columns(
        pl.col("offence").fill_null("unknown"),
        y=(pl.col("outcome") == outcome).cast(pl.Float64),
    )
    frame = frame.with_columns(p=pl.col("y").mean().over("offence", "system"))
    courts = (
        frame.group_by("state", "court_id")
        .agg(
            n=pl.len(),
            observed=pl.col("y").sum(),
            expected=pl.col("p").sum(),
            variance=(pl.col("p") * (1 - pl.col("p"))).sum(),
        )
        .with_columns(
            z=pl.when(pl.col("variance") > 0)
            .then((pl.col("observed") - pl.col("expected")) / pl.col("variance").sqrt())
            .otherwise(0.0)
        )
    )
    if courts.height == 0:
        return courts
    lo, hi = courts["z"].quantile(0.1), courts["z"].quantile(0.9)
    phi = max(1.0, float((courts["z"].clip(lo, hi) ** 2).mean()))
    half = ALARM_Z * (phi * pl.col("variance")).sqrt() / pl.col("n")
    z_adj = pl.col("z") / phi**0.5
    return (
        courts.with_columns(
            rate=pl.col("observed") / pl.col("n"),
            expected_rate=pl.col("expected") / pl.col("n"),
            phi=pl.lit(phi),
            z_adjusted=z_adj,
        )
        .with_columns(
            lower_998=pl.col("expected_rate") - half,
            upper_998=pl.col("expected_rate") + half,
            flag=pl.when(z_adj.abs() > ALARM_Z)
            .then(pl.lit("alarm"))
            .when(z_adj.abs() > ALERT_Z)
            .then(pl.lit("alert"))
            .otherwise(pl.lit("ok")),
            outcome=pl.lit(outcome),
        )
        .sort("z_adjusted", descending=True)
    )
