"""Small-cell suppression for public outputs of the observatory.

Public tables show aggregates only. A count from 1 to ``threshold - 1`` is a small cell and is
hidden, together with whatever would let it be recomputed inside the same row (the rate it
feeds, the denominator and the complementary count). Zero counts are shown: they describe no
person. The default threshold is ``oclab.observatory.cli.PUBLIC_THRESHOLD`` (10).
Counts implied within a row are protected too: the alternative resolutions (concluded minus
convictions, acquittals and dismissals; resolved minus convictions) are not a column, but a
small one would be revealed by subtraction, so the total is hidden. Across the hierarchy,
:func:`suppress_hierarchy` hides a coarser row's counts (state, nation) wherever a finer row
(court, state) adding up to it has a hidden count, so a total minus the shown parts recovers
nothing. Across time, :func:`suppress_pooled` hides a court's anomaly rows (pooled over the
years) when their totals minus the years shown in the court or state tables would give back a
small count (the feed checks its pooled numbers the same way, :mod:`oclab.observatory.feed`).
"""

from __future__ import annotations

import polars as pl

from oclab.errors import InputError
from oclab.observatory.indicators import STATS, rate_pairs

#: Counts that add up from a finer table to a coarser one, grouped by their links within a row
#: (hiding one count of a group hides the group: the others would give it back).
GROUPS: tuple[tuple[str, ...], ...] = (
    ("n_reported", "n_resolved", "n_accusatorial"),
    ("n_concluded", "n_convictions", "n_acquittals", "n_dismissals", "n_verdicts"),
    ("n_defendants", "n_pretrial"),
    ("backlog",),
)
#: The groups a court table shares with its state table (courts count charged cases by year of
#: charge; the report group is by year of report and not shared).
COURT_GROUPS: tuple[tuple[str, ...], ...] = GROUPS[1:]
#: Counts that are not columns but follow from columns by subtraction: (total, parts).
IMPLIED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("n_concluded", ("n_convictions", "n_acquittals", "n_dismissals")),
    ("n_resolved", ("n_convictions",)),
)
ANOMALY_NUMBERS = (
    "n",
    "observed",
    "expected",
    "variance",
    "z",
    "rate",
    "expected_rate",
    "z_adjusted",
    "lower_998",
    "upper_998",
)


def suppress(table: pl.DataFrame, threshold: int) -> pl.DataFrame:
    """Hide small cells for public release.

    A count from 1 to ``threshold - 1`` is a small cell and is nulled. For each rate, if its
    numerator, its denominator or their difference is a small cell, both counts are nulled (so
    a hidden count cannot be recovered by subtraction within the row), and every rate whose
    numerator or denominator is nulled is nulled too (a rate times its denominator gives the
    numerator). Case-level statistics (durations) over fewer than ``threshold`` cases are
    nulled. Zero counts are kept.
    Differencing across rows or tables (a state total minus its other courts) is not prevented.
    """
    if threshold < 1:
        raise InputError("--threshold", "threshold", "a whole number of at least 1", threshold)

    def small(e: pl.Expr) -> pl.Expr:
        return (e > 0) & (e < threshold)

    rates = rate_pairs(table.columns)
    counts = [c for c in table.columns if c.startswith("n_") or c == "backlog"]
    hidden: dict[str, pl.Expr] = {c: small(pl.col(c)) for c in counts}
    # A small numerator, denominator or complement hides the pair (and the denominator for
    # every rate using it); a rate is then hidden whenever its numerator or denominator is.
    for num, den in rates.values():
        flag = small(pl.col(num)) | small(pl.col(den)) | small(pl.col(den) - pl.col(num))
        hidden[num] = hidden[num] | flag
        hidden[den] = hidden[den] | flag
    for total, parts in IMPLIED:
        if total in hidden and all(p in table.columns for p in parts):
            rest = pl.col(total) - pl.sum_horizontal(pl.col(p) for p in parts)
            hidden[total] = hidden[total] | small(rest)
    for rate, (num, den) in rates.items():
        hidden[rate] = hidden[num] | hidden[den]
    for stat, count in STATS.items():
        if stat in table.columns:
            hidden[stat] = pl.col(count) < threshold
    return table.with_columns(
        pl.when(h).then(None).otherwise(pl.col(col)).alias(col)
        for col, h in hidden.items()
        if col in table.columns  # a rate whose counts are present but not itself
    )


def _suppress_rows(table: pl.DataFrame, hide: pl.Expr) -> pl.DataFrame:
    """Anomaly rows where ``hide`` holds lose their numbers and are flagged ``suppressed``."""
    return table.with_columns(
        *(
            pl.when(hide).then(None).otherwise(pl.col(c)).alias(c)
            for c in ANOMALY_NUMBERS
            if c in table.columns
        ),
        flag=pl.when(hide).then(pl.lit("suppressed")).otherwise(pl.col("flag")),
    )


def suppress_anomalies(table: pl.DataFrame, threshold: int) -> pl.DataFrame:
    """Hide the numbers of courts with a small count of cases, of events or of non-events.

    The flag of such a court becomes ``suppressed``; other courts are shown unchanged.
    """
    if threshold < 1:
        raise InputError("--threshold", "threshold", "a whole number of at least 1", threshold)
    n, o = pl.col("n"), pl.col("observed")
    hide = (n < threshold) | ((o > 0) & (o < threshold)) | ((n - o > 0) & (n - o < threshold))
    return _suppress_rows(table, hide)


#: What the two anomaly tables give away of a court, pooled over the years: the dismissal rows
#: hold concluded cases (``n``) and dismissals (``observed``), the conviction rows verdicts and
#: convictions, so acquittals and alternative resolutions follow. Each is a sum of yearly counts
#: (coefficients), protected like the counts of the yearly tables.
POOLED: dict[str, dict[str, int]] = {
    "concluded": {"n_concluded": 1},
    "dismissals": {"n_dismissals": 1},
    "not_dismissed": {"n_concluded": 1, "n_dismissals": -1},
    "verdicts": {"n_verdicts": 1},
    "convictions": {"n_convictions": 1},
    "acquittals": {"n_acquittals": 1},
    "alternatives": {"n_concluded": 1, "n_convictions": -1, "n_acquittals": -1, "n_dismissals": -1},
}


def pooled_totals(dismissal: pl.DataFrame, conviction: pl.DataFrame) -> pl.DataFrame:
    """Per court, the :data:`POOLED` totals that its two (unsuppressed) anomaly rows give."""
    court = ["state", "court_id"]
    counts = pl.col("n", "observed").cast(pl.Int64)
    totals = (
        dismissal.select(*court, counts)
        .rename({"n": "concluded", "observed": "dismissals"})
        .join(
            conviction.select(*court, counts).rename({"n": "verdicts", "observed": "convictions"}),
            on=court,
            how="full",
            coalesce=True,
        )
        .fill_null(0)
    )
    return totals.with_columns(
        not_dismissed=pl.col("concluded") - pl.col("dismissals"),
        acquittals=pl.col("verdicts") - pl.col("convictions"),
    ).with_columns(
        alternatives=pl.col("concluded")
        - pl.col("convictions")
        - pl.col("acquittals")
        - pl.col("dismissals")
    )


def pooled_leaks(
    pooled: pl.DataFrame, public: pl.DataFrame, keys: list[str], threshold: int
) -> pl.DataFrame:
    """The ``keys`` (courts, or states) whose pooled totals would give back a small count.

    ``pooled`` comes from :func:`pooled_totals` (summed over a state's courts when ``keys`` is
    the state), ``public`` is the yearly table at that level after suppression. A pooled total
    minus the years where it can be read from ``public`` (every count it sums shown) is what the
    hidden years (and cases without a year) hold: a leak when that is from 1 to
    ``threshold - 1``.
    """
    names = [n for n, terms in POOLED.items() if set(terms) <= set(public.columns)]
    totals = pooled.group_by(keys).agg(pl.col(names).sum())
    readable = public.group_by(keys).agg(
        pl.when(pl.all_horizontal(pl.col(c).is_not_null() for c in terms))
        .then(pl.sum_horizontal(pl.col(c) * k for c, k in terms.items()))
        .otherwise(0)
        .sum()
        .alias(f"_shown_{name}")
        for name, terms in POOLED.items()
        if name in names
    )
    joined = totals.join(readable, on=keys, how="left").fill_null(0)
    rest = [pl.col(n) - pl.col(f"_shown_{n}") for n in names]
    small = pl.any_horizontal((r > 0) & (r < threshold) for r in rest) if rest else pl.lit(False)
    return joined.filter(small).select(keys)


def suppress_pooled(
    tables: dict[str, pl.DataFrame], public: dict[str, pl.DataFrame], threshold: int
) -> dict[str, pl.DataFrame]:
    """The public anomaly tables with the rows suppressed whose pooled totals would give back a
    small count against the yearly tables.

    First each court's rows against its years; then, where every row of a state is still shown
    (so their sum, the state's total, can be read), all its courts' rows against the state's
    years; then, if every row is still shown, all rows against the nation's years.
    ``tables`` are the aggregates before suppression, ``public`` after :func:`suppress`,
    :func:`suppress_anomalies` and :func:`suppress_hierarchy` (the names of
    :func:`oclab.observatory.publish.aggregates`; ``indicators_national`` is optional).
    """
    names = ("anomalies_dismissal", "anomalies_conviction")
    out = {name: public[name] for name in names}
    if any(tables[name].height == 0 for name in names):
        return out
    pooled = pooled_totals(*(tables[name] for name in names))
    court = ["state", "court_id"]

    def hide(keys: list[str], leaking: pl.DataFrame) -> None:
        marks = leaking.select(keys).unique().with_columns(_leak=pl.lit(True))
        for name in names:
            marked = out[name].join(marks, on=keys, how="left") if keys else out[name]
            leak = pl.col("_leak").fill_null(False) if keys else pl.lit(leaking.height > 0)
            out[name] = _suppress_rows(marked, leak).drop("_leak", strict=False)

    def fully_shown() -> pl.DataFrame:
        hidden = pl.concat(
            [out[n].filter(pl.col("flag") == "suppressed").select("state") for n in names]
        )
        return pooled.join(hidden.unique(), on="state", how="anti")

    hide(court, pooled_leaks(pooled, public["indicators_court"], court, threshold))
    hide(["state"], pooled_leaks(fully_shown(), public["indicators_state"], ["state"], threshold))
    shown = fully_shown()
    if "indicators_national" in public and shown.height == pooled.height:
        nation = public["indicators_national"].with_columns(_all=pl.lit(0))
        leaks = pooled_leaks(shown.with_columns(_all=pl.lit(0)), nation, ["_all"], threshold)
        hide([], leaks)
    return out


def suppress_hierarchy(
    finer: pl.DataFrame,
    coarser: pl.DataFrame,
    keys: list[str],
    groups: tuple[tuple[str, ...], ...] = GROUPS,
) -> pl.DataFrame:
    """``coarser`` (already suppressed) with every group hidden where a ``finer`` row adding up
    to it (same ``keys`` and year) has a hidden count of that group.

    Both tables come from :func:`suppress` (counts are never empty before suppression, so an
    empty count is a hidden one). Rates whose numerator or denominator becomes hidden are
    hidden too. Apply from the finest level up (courts to states, then states to the nation).
    """
    by = [*keys, "year"]
    shared = [(g, [c for c in g if c in finer.columns]) for g in groups]
    shared = [(g, cols) for g, cols in shared if cols]
    if finer.height == 0 or not shared:
        return coarser
    flags = finer.group_by(by).agg(
        pl.any_horizontal(pl.col(cols).is_null()).any().alias(f"_hide{i}")
        for i, (_, cols) in enumerate(shared)
    )
    joined = coarser.join(flags, on=by, how="left")
    hide: dict[str, pl.Expr] = {}
    for i, (group, _) in enumerate(shared):
        for column in group:
            if column in coarser.columns:
                hide[column] = pl.col(f"_hide{i}").fill_null(False)
    out = joined.with_columns(
        pl.when(h).then(None).otherwise(pl.col(c)).alias(c) for c, h in hide.items()
    )
    rates = rate_pairs(out.columns)
    out = out.with_columns(
        pl.when(pl.col(num).is_null() | pl.col(den).is_null())
        .then(None)
        .otherwise(pl.col(rate))
        .alias(rate)
        for rate, (num, den) in rates.items()
        if rate in out.columns
    )
    return out.drop([f"_hide{i}" for i in range(len(shared))])
