"""Small-cell suppression for public outputs of the observatory.

Public tables show aggregates only. A count from 1 to ``threshold - 1`` is a small cell and is
hidden, together with whatever would let it be recomputed inside the same row (the rate it
feeds, the denominator and the complementary count). Zero counts are shown: they describe no
person. The default threshold is ``oclab.observatory.cli.PUBLIC_THRESHOLD`` (10).
Not handled: differencing across rows or tables (a state total minus its other courts), which
needs complementary suppression across the hierarchy.
"""

from __future__ import annotations

import polars as pl

from oclab.errors import InputError
from oclab.observatory.indicators import STATS, rate_pairs

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
    for rate, (num, den) in rates.items():
        hidden[rate] = hidden[num] | hidden[den]
    for stat, count in STATS.items():
        if stat in table.columns:
            hidden[stat] = pl.col(count) < threshold
    return table.with_columns(
        pl.when(h).then(None).otherwise(pl.col(col)).alias(col) for col, h in hidden.items()
    )


def suppress_anomalies(table: pl.DataFrame, threshold: int) -> pl.DataFrame:
    """Hide the numbers of courts with a small count of cases, of events or of non-events.

    The flag of such a court becomes ``suppressed``; other courts are shown unchanged.
    """
    if threshold < 1:
        raise InputError("--threshold", "threshold", "a whole number of at least 1", threshold)
    n, o = pl.col("n"), pl.col("observed")
    hide = (n < threshold) | ((o > 0) & (o < threshold)) | ((n - o > 0) & (n - o < threshold))
    return table.with_columns(
        *(
            pl.when(hide).then(None).otherwise(pl.col(c)).alias(c)
            for c in ANOMALY_NUMBERS
            if c in table.columns
        ),
        flag=pl.when(hide).then(pl.lit("suppressed")).otherwise(pl.col("flag")),
    )
