"""Leakage-free, time-windowed graph features for each transaction.

Each transaction becomes two account events (an outflow of the sender, an inflow of the
receiver). Events are grouped by a composite key (account hash bits above the minute), and a
compiled pass over them (:mod:`oclab.finint.windows`) keeps the windowed counts and sums,
closed on the right: a transaction's features use only events of the same account up to and
including its minute (never later ones, never labels) — the streaming discipline of the Graph
Feature Preprocessor (Blanuša et al. 2024), with windows of 24 h (fan, velocity) and 72 h
(structuring). Degree features count distinct counterparties seen so far. The rest is
Polars/numpy array work; no Python loop per row.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl

from oclab.finint.io import CURRENCIES, PAYMENT_FORMATS, USD_PER_UNIT
from oclab.finint.pairs import MIX_1, pair_flags
from oclab.finint.windows import CASH_BIT, FIRST_BIT, NEAR_BIT, account_windows

WINDOW_MIN = 24 * 60
STRUCTURING_WINDOW_MIN = 72 * 60
#: Cash just under a threshold: the band [NEAR_LOW·T, T) counts as "near" (assumption; FinCEN
#: structuring guidance gives no fixed band, 80 % catches the usual $8,000-$9,999 deposits).
NEAR_LOW = 0.8
CASH = PAYMENT_FORMATS.index("Cash")
_USD = pl.Series(np.array([USD_PER_UNIT[c] for c in CURRENCIES]))

#: Per-account window features computed for both ends of a transaction.
ACCOUNT_FEATURES: tuple[str, ...] = (
    "n_out_24h",
    "n_in_24h",
    "usd_out_24h",
    "usd_in_24h",
    "near_cash_72h",
    "cash_in_72h",
    "events_so_far",
    "partners_so_far",
    "minutes_since_last",
)


def _account_key(bank: str, account: str) -> pl.Expr:
    """A 64-bit key per (bank, account): the account string's hash mixed with the bank id."""
    return pl.col(account).hash(11).xor(pl.col(bank).cast(pl.UInt64) * pl.lit(MIX_1, pl.UInt64))


def row_columns(threshold: float) -> dict[str, pl.Expr]:
    """The per-transaction inputs of :func:`base_columns`, as expressions over typed columns.

    Row by row only (nothing across rows), so the loader can evaluate them while it reads:
    ``read_transactions(path, derive=row_columns(threshold)).derived`` is :func:`base_columns`'s
    ``derived``. ``minute`` here is the calendar minute since the epoch.
    """
    usd = pl.col("amount_paid") * pl.lit(_USD).gather(pl.col("payment_currency").to_physical())
    fmt = pl.col("payment_format").to_physical()
    cash = fmt == CASH
    src = _account_key("from_bank", "from_account")
    dst = _account_key("to_bank", "to_account")
    return {
        "minute": pl.col("ts").dt.epoch("s") // 60,
        "usd": usd,
        "fmt": fmt.cast(pl.Int8),
        "cash": cash,
        "currency_mismatch": pl.col("payment_currency") != pl.col("receiving_currency"),
        "cross_bank": pl.col("from_bank") != pl.col("to_bank"),
        "src": src,
        "dst": dst,
        "near": _near(cash, usd, threshold),
        "self_tx": src == dst,
    }


def _near(cash: pl.Expr, usd: pl.Expr, threshold: float) -> pl.Expr:
    """Cash in the band just under the threshold, [NEAR_LOW·threshold, threshold)."""
    return cash & usd.is_between(NEAR_LOW * threshold, threshold, "left")


def base_columns(
    tx: pl.DataFrame, threshold: float, derived: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Per-transaction columns: account keys, minute, USD amount and simple flags.

    ``minute`` counts from midnight of the first day, so ``minute % 1440`` is the time of day
    and ``minute // 1440`` the day. ``derived`` is :func:`row_columns` already evaluated on
    ``tx`` (by the loader); without it they are evaluated here. ``ValueError`` when
    ``derived`` was made for another threshold (its ``near`` flags disagree with this one).
    """
    rows = tx.select(**row_columns(threshold)) if derived is None else derived
    if derived is not None:
        expected = _near(pl.col("cash"), pl.col("usd"), threshold)
        if not rows.select((pl.col("near") == expected).all()).item():
            raise ValueError(f"derived columns were made for a threshold other than {threshold:g}")
    first = rows["minute"].min()
    midnight = 0 if first is None else int(first) - int(first) % 1440
    return rows.with_columns(pl.col("minute") - midnight)


def account_events(base: pl.DataFrame, first_pair: np.ndarray) -> dict[str, np.ndarray]:
    """Window features of each account at each of its events; returns columns per end.

    Keys ``src_<feature>`` and ``dst_<feature>`` hold, for every transaction, the features of the
    sender and of the receiver over events up to and including the transaction's minute (AMLworld
    stamps to the minute, so events of the same minute are treated as simultaneous).
    ``first_pair`` marks each transaction that is the first from its sender to its receiver.
    The events are grouped by (account, minute) and passed over once
    (:func:`oclab.finint.windows.account_windows`), on as many threads as Polars uses.
    """
    flags = first_pair.view(np.uint8) * np.uint8(FIRST_BIT)
    flags |= base["cash"].to_numpy().view(np.uint8) * np.uint8(CASH_BIT)
    flags |= base["near"].to_numpy().view(np.uint8) * np.uint8(NEAR_BIT)
    values = account_windows(
        *(base[c].to_numpy() for c in ("src", "dst", "minute", "usd")),
        flags,
        WINDOW_MIN,
        STRUCTURING_WINDOW_MIN,
        pl.thread_pool_size(),
    )
    names = [f"{end}_{name}" for end in ("src", "dst") for name in ACCOUNT_FEATURES]
    return dict(zip(names, values, strict=True))


def _row_features(tx: pl.DataFrame, base: pl.DataFrame) -> dict[str, np.ndarray | pl.Series]:
    """The features of a transaction alone (no other rows)."""
    return {
        "log_usd": np.log1p(base["usd"].to_numpy(), out=np.empty(base.height, np.float32)),
        "hour": ((base["minute"] % 1440) // 60).cast(pl.Int8),
        "weekday": tx["ts"].dt.weekday().cast(pl.Int8),
        "format": base["fmt"],
        "currency_mismatch": base["currency_mismatch"].cast(pl.Int8),
        "cross_bank": base["cross_bank"].cast(pl.Int8),
        "self_tx": base["self_tx"].cast(pl.Int8),
        "near_threshold": base["near"].cast(pl.Int8),
        "round_amount": (tx["amount_paid"] % 100 == 0).cast(pl.Int8),
    }


def build_features(
    tx: pl.DataFrame, threshold: float = 10_000.0, base: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The model's feature table, one row per transaction in ``tx`` order (no ids, no labels).

    ``base`` is :func:`base_columns` of ``tx`` when the caller already has it.
    """
    base = base_columns(tx, threshold) if base is None else base
    # The pair flags (compiled, releases the GIL) run beside the per-row columns (Polars); the
    # event sort waits for them: the first-pair bit travels through it with the other flags.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pairs = pool.submit(
            pair_flags, base["src"].to_numpy(), base["dst"].to_numpy(), base["minute"].to_numpy()
        )
        columns = _row_features(tx, base)
        first_pair, reverse = pairs.result()
    columns["reverse_seen"] = reverse.view(np.int8)
    columns.update(account_events(base, first_pair))
    return pl.DataFrame(columns)


FEATURE_NAMES: tuple[str, ...] = (
    "log_usd",
    "hour",
    "weekday",
    "format",
    "currency_mismatch",
    "cross_bank",
    "self_tx",
    "near_threshold",
    "round_amount",
    "reverse_seen",
    *(f"{end}_{name}" for end in ("src", "dst") for name in ACCOUNT_FEATURES),
)
