"""The detection pipeline: features, rules, model, evaluation and ranked alerts with reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from oclab.finint.evaluate import Scores, content_tie, temporal_split, time_order
from oclab.finint.features import base_columns, build_features
from oclab.finint.model import Trained, fit, model_reasons
from oclab.finint.rules import RuleSettings, run_rules


@dataclass
class Detection:
    """Ranked alerts, consolidation points, held-out scores and notes for the analyst."""

    alerts: pl.DataFrame
    consolidation_points: pl.DataFrame
    scores: dict[str, Scores] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    cut: float | None = None


def _days(ts: pl.Series) -> float:
    if ts.len() < 2:
        return 1.0
    return max((ts.max() - ts.min()).total_seconds() / 86400, 1 / 24)


def detect(
    tx: pl.DataFrame,
    rng: np.random.Generator,
    *,
    alerts_per_day: int = 100,
    settings: RuleSettings | None = None,
    branches: pl.DataFrame | None = None,
    derived: pl.DataFrame | None = None,
) -> Detection:
    """Run rules and (when the data carry labels) the learned model on ``tx`` (any row order).

    Alerts are transactions flagged by the model (score at or above the F1-optimal cut chosen
    on validation data) or by any rule, ranked by model score, then by the number of rules hit.
    ``within_capacity`` marks the first ``alerts_per_day`` x days alerts. ``derived`` is
    :func:`~oclab.finint.features.row_columns` for ``settings.threshold`` evaluated on ``tx``
    (as the loader returns it), when already at hand.
    """
    settings = settings or RuleSettings()
    base = base_columns(tx, settings.threshold, derived)
    features = build_features(tx, settings.threshold, base)
    rules = run_rules(tx, base, features, settings, branches)
    out = Detection(pl.DataFrame(), rules.consolidation_points, notes=list(rules.notes))
    y = tx["is_laundering"].to_numpy().astype(np.int8)
    split = np.full(tx.height, -1, dtype=np.int8)
    trained: Trained | None = None
    n = tx.height
    # Same-minute rows have no order in the data: ties go by content, so the split, the
    # training sample and the alerts' ranks do not depend on the order of the file's rows.
    tie = content_tie(tx)
    if y.sum() >= 5 and n >= 100:
        ts = tx["ts"]
        in_time = time_order(ts, tie)
        by_time = temporal_split(in_time)
        days = (_days(ts.filter(by_time == 1)), _days(ts.filter(by_time == 2)))
        try:
            trained = fit(
                features,
                y,
                rng,
                split=by_time,
                time_order=in_time,
                alerts_per_day=alerts_per_day,
                days=days,
            )
        except ValueError as exc:
            out.notes.append(f"model not trained: {exc}")
    else:
        out.notes.append("model not trained: fewer than 5 labelled laundering transactions")
    if trained is not None:
        prob, split, out.cut = trained.prob, trained.split, trained.cut
        out.scores = {"validation": trained.validation, "test": trained.test}
        flagged_model = prob >= trained.cut
    else:
        prob = rules.hits["n_rules"].to_numpy() / 10.0
        flagged_model = np.zeros(n, dtype=bool)
    flagged = flagged_model | (rules.hits["n_rules"].to_numpy() > 0)
    period = tx["ts"]
    if trained is not None:
        # Alerts cover the held-out test period only: scores on training rows are in-sample.
        flagged &= split == 2
        period = tx["ts"].filter(pl.Series(split == 2))
        out.notes.append("alerts cover the test period (last 20 % of transactions in time)")
    index = np.flatnonzero(flagged)
    reasons = rules.hits["reasons"].gather(index)
    if trained is not None:
        why = model_reasons(features[index], trained.typical)
        parts = pl.DataFrame(
            {
                "model": why,
                "score": prob[index],
                "flagged": flagged_model[index],
                "rules": reasons,
            }
        )
        reasons = parts.select(
            pl.concat_str(
                [
                    pl.when("flagged").then(
                        pl.format("{} (score {})", "model", pl.col("score").round(3))
                    ),
                    pl.col("rules").replace("", None),
                ],
                separator="; ",
                ignore_nulls=True,
            )
        ).to_series()
    alerts = (
        tx[index]
        .with_columns(
            score=pl.Series(prob[index]),
            rules=rules.hits["n_rules"].gather(index),
            split=pl.Series(split[index]).replace_strict(
                {-1: "all", 0: "train", 1: "validation", 2: "test"}, return_dtype=pl.String
            ),
            reasons=reasons,
            _tie=tie.gather(index),
        )
        .sort(["score", "rules", "ts", "_tie"], descending=[True, True, False, False])
        .drop("_tie")
        .with_row_index("rank", offset=1)
    )
    capacity = round(alerts_per_day * _days(period))
    out.alerts = alerts.with_columns(within_capacity=pl.col("rank") <= capacity)
    return out
