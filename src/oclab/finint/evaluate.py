"""Evaluation with the published protocol: minority-class F1, precision, recall, precision at
the analysts' capacity and PR-AUC, on the temporal 60/20/20 split of Altman et al. (2023)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.metrics import average_precision_score, precision_recall_fscore_support

#: Share of transactions (in time order) in train, validation and test (Altman et al. 2023, §5).
SPLIT = (0.6, 0.2, 0.2)


def time_order(ts: pl.Series, tie: pl.Series | None = None) -> np.ndarray:
    """Row indices in time order; same-time rows by ``tie``, then in row order.

    AMLworld stamps to the minute and its files are not sorted, so the order of same-minute rows
    is the file's accident. With ``tie`` a hash of each row's content (:func:`content_tie`),
    the order, and so the split and the training sample, is the same in any row order.
    """
    n = ts.len()
    if tie is None and ts.is_sorted():
        return np.arange(n)
    frame = ts.to_frame("ts") if tie is None else pl.DataFrame({"ts": ts, "tie": tie})
    return (
        frame.select(pl.int_range(n).sort_by(frame.columns, maintain_order=True))
        .to_series()
        .to_numpy()
    )


def content_tie(tx: pl.DataFrame) -> pl.Series:
    """A 64-bit hash of each row's values: a tie-break that travels with the row, not its place.

    Identical rows share it (and are interchangeable). Polars' row hash is fixed for a given
    Polars version (the lock file pins it), not across versions.
    """
    return tx.hash_rows(seed=0).alias("tie")


def temporal_split(order: np.ndarray, split: tuple[float, float, float] = SPLIT) -> np.ndarray:
    """Split label per row, by time: 0 train, 1 validation, 2 test.

    ``order`` lists the rows in time order (:func:`time_order`), so the labels are those of the
    time-sorted table whatever the order of the rows: files need not be sorted first.
    """
    n = order.size
    edges = np.round(np.cumsum(split)[:2] * n).astype(np.int64)
    labels = np.zeros(n, dtype=np.int8)
    labels[order[edges[0] : edges[1]]] = 1
    labels[order[edges[1] :]] = 2
    return labels


@dataclass(frozen=True)
class Scores:
    """Minority-class metrics on one split (percentages as fractions)."""

    f1: float
    precision: float
    recall: float
    precision_at_k: float
    k: int
    pr_auc: float
    positives: int
    rows: int

    def lines(self, name: str) -> list[str]:
        """Readable lines for the terminal."""
        return [
            f"{name}: {self.rows:,} transactions, {self.positives:,} laundering",
            f"  minority-class F1 {100 * self.f1:.1f}  precision {100 * self.precision:.1f}"
            f"  recall {100 * self.recall:.1f}  PR-AUC {100 * self.pr_auc:.1f}",
            f"  precision at analyst capacity (top {self.k:,} alerts) "
            f"{100 * self.precision_at_k:.1f}",
        ]


def precision_at_k(y: np.ndarray, score: np.ndarray, k: int) -> float:
    """Share of laundering among the ``k`` highest scores (ties broken by order)."""
    if k <= 0 or y.size == 0:
        return float("nan")
    top = np.argsort(-score, kind="stable")[: min(k, y.size)]
    return float(y[top].mean())


def score(y: np.ndarray, prob: np.ndarray, cut: float, k: int) -> Scores:
    """Metrics of the predictions ``prob >= cut`` and of the top-``k`` ranking."""
    pred = prob >= cut
    p, r, f, _ = precision_recall_fscore_support(
        y, pred, average="binary", pos_label=1, zero_division=0
    )
    auc = float(average_precision_score(y, prob)) if y.any() else float("nan")
    return Scores(
        float(f), float(p), float(r), precision_at_k(y, prob, k), k, auc, int(y.sum()), y.size
    )


def best_cut(y: np.ndarray, prob: np.ndarray) -> float:
    """The probability cut that maximises minority-class F1 (chosen on validation data)."""
    order = np.argsort(-prob, kind="stable")
    hits = np.cumsum(y[order])
    flagged = np.arange(1, y.size + 1)
    f1 = 2 * hits / (flagged + max(int(y.sum()), 1))
    best = int(np.argmax(f1)) if y.size else 0
    return float(prob[order][best]) if y.size else 0.5
