"""Transparent typology rules: each hit carries a reason an analyst can read and check.

Windowed rules (structuring, pass-through velocity, fan-out, fan-in) use the leakage-free
features of :mod:`oclab.finint.features`. Graph rules look at the whole period: short cycles
(bounded-length search by joins on the edge table, :mod:`oclab.finint.cycles`),
scatter-gather through low-degree intermediaries (Polars joins), and cash consolidation points
ranked by how many distinct depositors pay cash into them, with the wires that leave them (the
border consolidation and peso-exchange signature, Wilson Center 2009, I.A.3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from oclab.finint.cycles import short_cycle_edges
from oclab.finint.features import NEAR_LOW


@dataclass(frozen=True)
class RuleSettings:
    """Rule thresholds (assumptions, chosen to be readable; tune them to a unit's own data)."""

    threshold: float = 10_000.0
    structuring_min: int = 2  # near-threshold cash deposits by one account in 72 h
    fan_min: int = 8  # payments in 24 h, excluding card purchases
    pass_through_min_usd: float = 3_000.0
    cycle_max_len: int = 6
    cycle_min_usd: float = 1_000.0  # smaller transfers are not followed around cycles
    cycle_max_partners: int = 20  # hubs (employers, big suppliers) are left out of the search
    cycle_budget: int = 2_000_000_000  # nonzeros the cycle search may produce, then it says so
    scatter_min: int = 3  # distinct intermediaries between one source and one sink
    consolidation_min: int = 5  # distinct cash depositors into one account


RULE_NAMES: tuple[str, ...] = (
    "structuring",
    "pass_through",
    "fan_out",
    "fan_in",
    "cycle",
    "scatter_gather",
    "consolidation",
)


@dataclass(frozen=True)
class RuleResult:
    """Per-transaction hit flags and reasons, and the ranked consolidation points."""

    hits: pl.DataFrame  # one row per transaction: a bool column per rule, n_rules, reasons
    consolidation_points: pl.DataFrame
    notes: tuple[str, ...]


def _edges(base: pl.DataFrame, tx: pl.DataFrame) -> pl.DataFrame:
    """Transfers between distinct accounts that are not card purchases, with their row index."""
    return (
        base.select("src", "dst", "minute", "usd")
        .with_row_index("row")
        .filter(
            (pl.col("src") != pl.col("dst"))
            & (tx["payment_format"].cast(pl.String) != "Credit Card")
        )
    )


def _cycle_rows(edges: pl.DataFrame, settings: RuleSettings) -> tuple[np.ndarray, list[str]]:
    """Rows on a directed cycle of at most ``cycle_max_len`` hops (whole period).

    Transfers of at least ``cycle_min_usd`` between accounts with at most
    ``cycle_max_partners`` partners form the graph; :func:`oclab.finint.cycles.short_cycle_edges`
    finds every edge on a cycle of bounded length, whatever the size of the graph or of its
    strongly connected groups. The notes say how many hub accounts the settings leave out and,
    if the search budget runs out, how many candidate account pairs were left unchecked.
    """
    big = edges.filter(pl.col("usd") >= settings.cycle_min_usd)
    partners = (
        pl.concat([big.select(acct="src", other="dst"), big.select(acct="dst", other="src")])
        .group_by("acct")
        .agg(pl.col("other").n_unique())
    )
    hubs = partners.filter(pl.col("other") > settings.cycle_max_partners)["acct"].implode()
    notes = []
    if hubs.list.len().item():
        notes.append(
            f"cycle rule: {hubs.list.len().item():,} hub account(s) with more than "
            f"{settings.cycle_max_partners} partners in transfers of at least "
            f"${settings.cycle_min_usd:,.0f} (employers, large suppliers) left out of the "
            "search (RuleSettings.cycle_max_partners)"
        )
    pairs = (
        big.filter(~pl.col("src").is_in(hubs) & ~pl.col("dst").is_in(hubs))
        .group_by("src", "dst")
        .agg(pl.col("row"))
    )
    if pairs.height == 0:
        return np.zeros(0, dtype=np.int64), notes
    _, index = np.unique(
        np.concatenate([pairs["src"].to_numpy(), pairs["dst"].to_numpy()]), return_inverse=True
    )
    found = short_cycle_edges(
        index[: pairs.height],
        index[pairs.height :],
        settings.cycle_max_len,
        budget=settings.cycle_budget,
    )
    if found.unchecked:
        notes.append(
            f"cycle rule: search budget of {settings.cycle_budget:,} nonzeros reached; "
            f"{found.unchecked:,} of {found.candidates:,} candidate account pairs left unchecked"
        )
    rows = pairs.filter(pl.Series(found.on_cycle)).explode("row")["row"]
    return rows.to_numpy().astype(np.int64), notes


def _scatter_gather_rows(edges: pl.DataFrame, settings: RuleSettings) -> np.ndarray:
    """Rows of paths source -> middle -> sink where >= ``scatter_min`` middles link one pair."""
    deg_in = edges.group_by(pl.col("dst").alias("acct")).agg(deg_in=pl.col("src").n_unique())
    deg_out = edges.group_by(pl.col("src").alias("acct")).agg(deg_out=pl.col("dst").n_unique())
    middles = deg_in.join(deg_out, on="acct").filter(
        (pl.col("deg_in") <= 2) & (pl.col("deg_out") <= 2)
    )["acct"]
    first = edges.filter(pl.col("dst").is_in(middles.implode())).rename(
        {"src": "a", "dst": "m", "minute": "t1", "row": "row1"}
    )
    second = edges.filter(pl.col("src").is_in(middles.implode())).rename(
        {"src": "m", "dst": "b", "minute": "t2", "row": "row2"}
    )
    paths = first.join(second, on="m").filter(
        (pl.col("t2") >= pl.col("t1")) & (pl.col("a") != pl.col("b"))
    )
    strong = (
        paths.group_by("a", "b")
        .agg(n=pl.col("m").n_unique())
        .filter(pl.col("n") >= settings.scatter_min)
    )
    hit = paths.join(strong, on=["a", "b"])
    return np.unique(np.concatenate([hit["row1"].to_numpy(), hit["row2"].to_numpy()]))


def consolidation_points(
    tx: pl.DataFrame, base: pl.DataFrame, branches: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Accounts ranked by distinct cash depositors (then cash inflow), with region if known."""
    cash_in = (
        tx.select("to_bank", "to_account")
        .with_columns(base.select("src", "dst", "usd", "cash"))
        .filter(pl.col("cash") & (pl.col("src") != pl.col("dst")))
    )
    points = (
        cash_in.group_by("to_bank", "to_account", "dst")
        .agg(depositors=pl.col("src").n_unique(), cash_usd=pl.col("usd").sum(), deposits=pl.len())
        .sort(["depositors", "cash_usd"], descending=True)
        .with_row_index("rank", offset=1)
    )
    if branches is not None and {"Bank ID", "Region"} <= set(branches.columns):
        points = points.join(
            branches.select(pl.col("Bank ID").alias("to_bank"), "Region"), on="to_bank", how="left"
        )
    return points


_REASON_FEATURES = (
    "src_near_cash_72h",
    "dst_near_cash_72h",
    "src_usd_in_24h",
    "src_usd_out_24h",
    "src_n_out_24h",
    "dst_n_in_24h",
)


def _reasons(s: RuleSettings) -> list[pl.Expr]:
    """The readable reason of each rule, over the rule flags and :data:`_REASON_FEATURES`."""
    lo, hi = NEAR_LOW * s.threshold, s.threshold
    return [
        pl.when("structuring").then(
            pl.format(
                "structuring: {} cash deposits of ${}-${} within 72 h",
                pl.max_horizontal("src_near_cash_72h", "dst_near_cash_72h").cast(pl.Int32),
                pl.lit(f"{lo:,.0f}"),
                pl.lit(f"{hi - 1:,.0f}"),
            )
        ),
        pl.when("pass_through").then(
            pl.format(
                "pass-through: sender took in ${} and paid out ${} within 24 h",
                pl.col("src_usd_in_24h").round(0).cast(pl.Int64),
                pl.col("src_usd_out_24h").round(0).cast(pl.Int64),
            )
        ),
        pl.when("fan_out").then(
            pl.format(
                "fan-out: {} payments by the sender in 24 h",
                pl.col("src_n_out_24h").cast(pl.Int32),
            )
        ),
        pl.when("fan_in").then(
            pl.format(
                "fan-in: {} payments to the receiver in 24 h",
                pl.col("dst_n_in_24h").cast(pl.Int32),
            )
        ),
        pl.when("cycle").then(
            pl.lit(f"cycle: funds return to the sender in <= {s.cycle_max_len} hops")
        ),
        pl.when("scatter_gather").then(
            pl.lit(f"scatter-gather: >= {s.scatter_min} intermediaries between one source and sink")
        ),
        pl.when("_into").then(
            pl.lit(f"consolidation: cash into an account with >= {s.consolidation_min} depositors")
        ),
        pl.when("_out_of").then(pl.lit("consolidation: payment out of a cash consolidation point")),
    ]


def run_rules(
    tx: pl.DataFrame,
    base: pl.DataFrame,
    features: pl.DataFrame,
    settings: RuleSettings | None = None,
    branches: pl.DataFrame | None = None,
) -> RuleResult:
    """Every rule on every transaction; ``reasons`` joins the readable reason of each hit."""
    s = settings or RuleSettings()
    n = tx.height
    f = features
    card = tx["payment_format"] == "Credit Card"
    structuring = base["near"] & (
        (f["src_near_cash_72h"] >= s.structuring_min)
        | (f["dst_near_cash_72h"] >= s.structuring_min)
    )
    ratio = f["src_usd_out_24h"] / f["src_usd_in_24h"].clip(lower_bound=1e-9)
    pass_through = (
        (f["src_usd_in_24h"] >= s.pass_through_min_usd) & ratio.is_between(0.8, 1.25) & ~card
    )
    fan_out = (f["src_n_out_24h"] >= s.fan_min) & ~card
    fan_in = (f["dst_n_in_24h"] >= s.fan_min) & ~card
    edges = _edges(base, tx)
    cycle_rows, notes = _cycle_rows(edges, s)
    cycle = np.zeros(n, dtype=bool)
    cycle[cycle_rows] = True
    scatter = np.zeros(n, dtype=bool)
    scatter[_scatter_gather_rows(edges, s)] = True
    points = consolidation_points(tx, base, branches)
    strong = points.filter(pl.col("depositors") >= s.consolidation_min)["dst"]
    into = base["dst"].is_in(strong.implode()) & base["cash"]
    out_of = base["src"].is_in(strong.implode()) & ~base["cash"] & ~base["self_tx"]
    consolidation = into | out_of
    flags = pl.DataFrame(
        {
            "structuring": structuring,
            "pass_through": pass_through,
            "fan_out": fan_out,
            "fan_in": fan_in,
            "cycle": cycle,
            "scatter_gather": scatter,
            "consolidation": consolidation,
            "_into": into,
            "_out_of": out_of,
        }
    )
    n_rules = flags.select(pl.sum_horizontal(pl.col(RULE_NAMES).cast(pl.Int8))).to_series()
    # Reasons are written for the rows that hit a rule only (formatting text for all rows was
    # most of the rules' time); the others get an empty text.
    hit = np.flatnonzero(n_rules.to_numpy() > 0)
    detail = flags.hstack([f[c] for c in _REASON_FEATURES])[hit]
    text = detail.select(pl.concat_str(_reasons(s), separator="; ", ignore_nulls=True))
    reasons = pl.repeat("", n, dtype=pl.String, eager=True).scatter(hit, text.to_series())
    hits = flags.drop("_into", "_out_of").with_columns(
        n_rules=n_rules.alias("n_rules"), reasons=reasons
    )
    return RuleResult(hits, points, tuple(notes))
