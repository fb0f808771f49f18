"""The judicial-reform lever's calibration for the integrated model (issue 11, item 6).

:func:`judicial_calibration` turns imported case tables into the numbers the integrated model
reads: the probability that a case ends in a conviction and the time to a verdict, under each
procedural system and by state, with the impunity index, the pretrial-detention share and the
accusatorial share over the 2008-2016 transition. Definitions (all pooled over the years in the
data):

* ``conviction_probability``: convictions / cases with a final outcome (any outcome but
  ``pending``: conviction, acquittal, dismissal including archived investigations, alternative
  resolution);
* ``median_days_to_verdict``: median days from the crime report to the verdict, over cases
  ending in a verdict (conviction or acquittal);
* ``impunity``: 1 - resolved / reported, resolved = conviction or alternative resolution, as
  :mod:`oclab.observatory.indicators` defines it (its yearly counts summed over the years);
* ``pretrial_detention_share``: defendants of charged cases held in pretrial detention /
  defendants of charged cases (as the indicators);
* ``accusatorial_share_by_year``: accusatorial cases / cases reported in the year;
* by state, ``accusatorial_share_last_year`` is that share in the last year of the data.

Small cells (:mod:`oclab.observatory.privacy`'s rule, threshold ``threshold``): a state with
fewer than ``threshold`` cases keeps its row with every value null, ``cases`` included; a rate
whose numerator, denominator or their difference is a small cell is null, and so is a median
over fewer than ``threshold`` verdicts. ``threshold=1`` suppresses nothing. The pooled numbers
are also checked against the public yearly tables (:mod:`oclab.observatory.publish`): a state
whose ``cases`` minus its yearly reported cases shown there is a small count (the hidden years'
cases) keeps its row with every value null, and the national impunity is null when the reported
or resolved cases of the nation's hidden years would follow from it.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from oclab.errors import InputError
from oclab.observatory.indicators import RESOLVED
from oclab.observatory.io import Dataset, from_cases

DEFAULT_THRESHOLD = 10  # oclab.observatory.cli.PUBLIC_THRESHOLD (kept equal by a test)
SYSTEMS = ("inquisitorial", "accusatorial")


def _rate(num: pl.Expr, den: pl.Expr, threshold: int) -> pl.Expr:
    small = [((e > 0) & (e < threshold)) for e in (num, den, den - num)]
    return pl.when(small[0] | small[1] | small[2] | (den == 0)).then(None).otherwise(num / den)


def _median(values: pl.Expr, n: pl.Expr, threshold: int) -> pl.Expr:
    return pl.when(n < max(threshold, 1)).then(None).otherwise(values)


def _outcome_stats(cases: pl.DataFrame, keys: list[str], threshold: int) -> pl.DataFrame:
    final = pl.col("outcome") != "pending"
    verdict = pl.col("outcome").is_in(["conviction", "acquittal"])
    days = (pl.col("verdict_date") - pl.col("report_date")).dt.total_days()
    aggs = dict(
        cases=pl.len(),
        n_final=final.sum(),
        n_convictions=(pl.col("outcome") == "conviction").sum(),
        n_verdicts=verdict.sum(),
        median_days=days.filter(verdict).median(),
    )
    table = cases.group_by(keys).agg(**aggs) if keys else cases.select(**aggs)
    return table.with_columns(
        conviction_probability=_rate(pl.col("n_convictions"), pl.col("n_final"), threshold),
        median_days_to_verdict=_median(pl.col("median_days"), pl.col("n_verdicts"), threshold),
    )


def _hidden_years(
    pooled: pl.DataFrame, yearly: pl.DataFrame, keys: list[str], threshold: int
) -> pl.DataFrame:
    """The ``keys`` whose pooled ``cases`` (and ``resolved``, when given) minus the years of the
    public ``yearly`` table showing them (``n_reported``, ``n_resolved``) is a small count."""
    names = {"cases": "n_reported", "resolved": "n_resolved"}
    pairs = [(p, y) for p, y in names.items() if p in pooled.columns]
    shown = yearly.group_by(keys).agg(pl.col(y).drop_nulls().sum() for _, y in pairs)
    joined = pooled.join(shown, on=keys, how="left")
    rest = [pl.col(p) - pl.col(y).fill_null(0) for p, y in pairs]
    return joined.filter(pl.any_horizontal((r > 0) & (r < threshold) for r in rest))


def judicial_calibration(
    cases: Dataset | pl.DataFrame,
    *,
    defendants: pl.DataFrame | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    source: str = "oclab.observatory",
    public: dict[str, pl.DataFrame] | None = None,
) -> dict[str, Any]:
    """The calibration document (see the module docstring for every definition).

    ``cases`` is an imported :class:`~oclab.observatory.io.Dataset` (its defendants are used)
    or a cases table; with a bare cases table, pass ``defendants`` for the pretrial share
    (otherwise it is null). ``public`` are the public tables of the same data at the same
    threshold (:func:`oclab.observatory.publish.suppressed`), when the caller has them.
    """
    data = cases if isinstance(cases, Dataset) else from_cases(cases, defendants)
    if isinstance(cases, Dataset):
        defendants = cases.defendants if defendants is None else defendants
        cases = cases.cases
    if threshold < 1:
        raise InputError("feed", "threshold", "a whole number of at least 1", threshold)
    if cases.height == 0:
        raise InputError(source, "cases", "at least one case")
    cases = cases.with_columns(year=pl.col("report_date").dt.year())
    first, last = int(cases["year"].min()), int(cases["year"].max())

    by_system = _outcome_stats(cases, ["system"], threshold)
    n_reported = cases.height
    n_resolved = cases.filter(
        pl.col("outcome").is_in(RESOLVED) & pl.col("verdict_date").is_not_null()
    ).height
    impunity = pl.select(1 - _rate(pl.lit(n_resolved), pl.lit(n_reported), threshold)).item()
    pretrial = None
    if defendants is not None:
        charged = cases.filter(pl.col("charge_date").is_not_null()).select("case_id")
        people = defendants.join(charged, on="case_id", how="inner")
        pretrial = pl.select(
            _rate(pl.lit(int(people["pretrial_detention"].sum())), pl.lit(people.height), threshold)
        ).item()
    yearly = (
        cases.group_by("year")
        .agg(n=pl.len(), n_acc=(pl.col("system") == "accusatorial").sum())
        .sort("year")
        .with_columns(share=_rate(pl.col("n_acc"), pl.col("n"), threshold))
    )

    states = _outcome_stats(cases, ["state"], threshold)
    last_share = (
        cases.filter(pl.col("year") == last)
        .group_by("state")
        .agg(n=pl.len(), n_acc=(pl.col("system") == "accusatorial").sum())
        .with_columns(accusatorial_share_last_year=_rate(pl.col("n_acc"), pl.col("n"), threshold))
    )
    states = states.join(
        last_share.select("state", "accusatorial_share_last_year"), on="state", how="left"
    ).sort("state")
    values = ["cases", "conviction_probability", "median_days_to_verdict"]
    values.append("accusatorial_share_last_year")
    if threshold > 1 and public is None:
        from oclab.observatory.publish import aggregates, suppressed

        public = suppressed(aggregates(data), threshold)
    small_state = pl.col("cases") < threshold
    if threshold > 1 and public is not None:
        hidden = _hidden_years(states, public["indicators_state"], ["state"], threshold)
        small_state = small_state | pl.col("state").is_in(hidden["state"].implode())
        nation = pl.DataFrame({"_all": [0], "cases": [n_reported], "resolved": [n_resolved]})
        national = public["indicators_national"].with_columns(_all=pl.lit(0))
        if _hidden_years(nation, national, ["_all"], threshold).height:
            impunity = None
    states = states.with_columns(
        pl.when(small_state).then(None).otherwise(pl.col(c)).alias(c) for c in values
    )

    def per_system(column: str) -> dict[str, Any]:
        found = dict(zip(by_system["system"], by_system[column], strict=True))
        return {s: found.get(s) for s in SYSTEMS}

    return {
        "source": source,
        "years": [first, last],
        "national": {
            "conviction_probability": per_system("conviction_probability"),
            "median_days_to_verdict": per_system("median_days_to_verdict"),
            "impunity": impunity,
            "pretrial_detention_share": pretrial,
            "accusatorial_share_by_year": {
                str(y): s for y, s in zip(yearly["year"], yearly["share"], strict=True)
            },
        },
        "by_state": states.select("state", *values).to_dicts(),
    }
