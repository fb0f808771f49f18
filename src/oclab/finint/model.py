"""The learned detector: histogram gradient boosting on the leakage-free graph features.

scikit-learn's :class:`~sklearn.ensemble.HistGradientBoostingClassifier` is the same algorithm
family as the LightGBM/XGBoost baselines of Altman et al. (2023, Table 2: graph features +
gradient-boosted trees, 62.9-63.2 minority F1 on HI-Small): histogram binning makes training
linear in rows and multi-threaded, it handles missing values natively, and it is already a
dependency (no LightGBM/XGBoost binary to ship).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from oclab.finint.evaluate import Scores, best_cut, score
from oclab.finint.features import FEATURE_NAMES

PREDICT_ROWS = 500_000


def _matrix(features: pl.DataFrame) -> np.ndarray:
    return features.select(pl.col(FEATURE_NAMES).cast(pl.Float32)).to_numpy()


@dataclass
class Trained:
    """A fitted classifier, its F1-optimal cut (from validation) and held-out scores."""

    model: HistGradientBoostingClassifier
    cut: float
    validation: Scores
    test: Scores
    prob: np.ndarray  # score of each validation and test row; NaN on (in-sample) training rows
    split: np.ndarray  # 0 train, 1 validation, 2 test
    typical: np.ndarray  # 99th percentile of each feature among legitimate training rows


def fit(
    features: pl.DataFrame,
    y: np.ndarray,
    rng: np.random.Generator,
    *,
    split: np.ndarray,
    time_order: np.ndarray | None = None,
    alerts_per_day: int,
    days: tuple[float, float],
    max_iter: int = 100,
    max_negatives: int = 200_000,
) -> Trained:
    """Train on ``split`` 0, pick the cut on 1, test on 2 (the first 60 %, next 20 % and last
    20 % in time: :func:`oclab.finint.evaluate.temporal_split`).

    ``alerts_per_day`` is the analysts' capacity; ``days`` the (validation, test) durations in
    days, so precision at capacity uses k = capacity x days of each split. At most
    ``max_negatives`` legitimate training rows are used (all laundering rows are), drawn and
    used in ``time_order`` (:func:`oclab.finint.evaluate.time_order`; rows are in time order
    when it is not given), so the model does not depend on the order of the file's rows.
    """
    train = split == 0
    order = np.arange(len(y)) if time_order is None else time_order
    if y[train].sum() == 0:
        raise ValueError("no laundering transaction in the training period")
    model = HistGradientBoostingClassifier(
        max_iter=max_iter,
        learning_rate=0.1,
        max_leaf_nodes=31,
        l2_regularization=1.0,
        early_stopping=False,
        categorical_features=[FEATURE_NAMES.index("format")],
        random_state=int(rng.integers(2**31 - 1)),
    )
    # Negative downsampling bounds training time on large files; sample weights of 1/rate keep
    # the scores on the scale of the full data (positives are all kept).
    rows = order[train[order]]  # training rows in time order
    neg = rows[y[rows] == 0]
    rate = min(1.0, max_negatives / max(neg.size, 1))
    if rate < 1.0:
        chosen = np.zeros(len(y), dtype=bool)
        chosen[rows[y[rows] == 1]] = True
        chosen[rng.choice(neg, max_negatives, False)] = True
        keep = order[chosen[order]]
    else:
        keep = rows
    weight = np.where(y[keep] == 1, 1.0, 1.0 / rate)
    # OpenMP threads spin badly on a busy small machine; small fits run faster on one thread.
    threads = 1 if keep.size < 200_000 or (os.cpu_count() or 1) <= 2 else None
    x_keep = _matrix(features[keep])
    with threadpool_limits(limits=threads, user_api="openmp"):
        model.fit(x_keep, y[keep], sample_weight=weight)
    # Only validation and test rows are scored (training rows' scores are in-sample and never
    # alerted on): scoring was 80 % of detect's time on 5 M rows. Prediction is one parallel
    # loop over rows, so it takes every OpenMP thread (2.3 s against 3.2 s per 500,000 rows on
    # 2 cores). Scored in slices: scikit-learn copies its input to float64.
    scored = np.flatnonzero(split > 0)
    prob = np.full(len(y), np.nan)
    for start in range(0, scored.size, PREDICT_ROWS):
        rows = scored[start : start + PREDICT_ROWS]
        prob[rows] = model.predict_proba(_matrix(features[rows]))[:, 1]
    val, test = split == 1, split == 2
    cut = best_cut(y[val], prob[val])
    k_val = max(1, round(alerts_per_day * days[0]))
    k_test = max(1, round(alerts_per_day * days[1]))
    legit = x_keep[y[keep] == 0]  # the (sampled) legitimate training rows
    typical = (
        np.quantile(legit, 0.99, axis=0) if legit.size else np.full(len(FEATURE_NAMES), np.inf)
    )
    return Trained(
        model,
        cut,
        score(y[val], prob[val], cut, k_val),
        score(y[test], prob[test], cut, k_test),
        prob,
        split,
        typical,
    )


def model_reasons(features: pl.DataFrame, typical: np.ndarray, top: int = 3) -> pl.Series:
    """For each row, the features above the legitimate 99th percentile (most extreme first)."""
    x = features.select(pl.col(FEATURE_NAMES).cast(pl.Float64)).to_numpy()
    scale = np.where(np.abs(typical) > 0, np.abs(typical), 1.0)
    excess = np.where(x > typical, (x - typical) / scale, -np.inf)
    order = np.argsort(-excess, axis=1)[:, :top]
    names = np.asarray(FEATURE_NAMES)
    parts = []
    for j in range(top):
        idx = order[:, j]
        ok = np.isfinite(excess[np.arange(len(idx)), idx])
        parts.append(pl.Series(np.where(ok, names[idx], "")).replace("", None))
    frame = pl.DataFrame({f"r{j}": p for j, p in enumerate(parts)})
    text = pl.concat_str(pl.all(), separator=", ", ignore_nulls=True)
    return frame.select(
        pl.when(text == "")
        .then(pl.lit("model: no single feature stands out"))
        .otherwise(pl.lit("model: unusual ") + text)
        .alias("model_reason")
    ).to_series()
