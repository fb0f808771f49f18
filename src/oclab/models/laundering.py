"""Money laundering under reporting thresholds, analyst capacity and bulk-cash inspection (I.A.3).

The report's argument, made explicit: lowering the reporting threshold multiplies the reports
filed, legitimate and illicit alike; only the reports analysts digest can catch anything, so
without capacity a lower threshold mainly burdens legitimate customers. Traffickers adapt by
structuring below the threshold (at a cost that grows as the threshold falls) and by moving
about half of their proceeds as bulk cash, which inspection seizes — more effectively inland at
consolidation points than at the border. Per year, vectorised over runs::

    reports(T)   = reports_at_10k * (10,000 / T)^a                  (Pareto tail, assumption)
    digested     = min(1, capacity / reports(T))
    reported     = min(1, illicit_reported_share * (10,000 / T)^a)
    caught       = (1 - bulk) * reported * digested * aml_loss_if_digested
    structuring  = (1 - bulk) * structuring_cost * 10,000 / T
    seized       = bulk * bulk_cash_seizure * effort * ((1 - inland) + inland * gain)
    cost share   = laundering_base_fee + caught + structuring + seized     (at most 0.95)
    friction     = reports(T) * 365 * cost_per_report                     ($/yr, legitimate)

The functional forms are assumptions (see ``docs/odd/integrated.md``); the calibration points are
the FY2023 count of currency transaction reports and the report's "about half is bulk cash".
``oclab finint thresholds`` measures the same trade-off on transaction data.

>>> import numpy as np
>>> p = {"aml_threshold": np.array([10_000.0, 1_000.0]), "reports_at_10k": 57_000.0,
...      "report_tail_exponent": 1.0, "aml_analyst_capacity": 5_000.0}
>>> reports_per_day(p).round()
array([ 57000., 570000.])
>>> digested_share(p).round(4)
array([0.0877, 0.0088])
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

REFERENCE_THRESHOLD = 10_000.0
MAX_COST_SHARE = 0.95


def _arr(params: Mapping[str, object], name: str) -> np.ndarray:
    return np.asarray(params[name], dtype=float)


def _threshold_ratio(params: Mapping[str, object]) -> np.ndarray:
    return REFERENCE_THRESHOLD / _arr(params, "aml_threshold")


def reports_per_day(params: Mapping[str, object]) -> np.ndarray:
    """Reports filed a day at the threshold (legitimate and illicit)."""
    return _arr(params, "reports_at_10k") * _threshold_ratio(params) ** _arr(
        params, "report_tail_exponent"
    )


def digested_share(params: Mapping[str, object]) -> np.ndarray:
    """Share of filed reports that analysts read."""
    return np.minimum(1.0, _arr(params, "aml_analyst_capacity") / reports_per_day(params))


def cost_components(params: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Shares of proceeds lost by traffickers, by channel, per run."""
    bulk = _arr(params, "bulk_cash_share")
    ratio = _threshold_ratio(params)
    reported = np.minimum(
        1.0,
        _arr(params, "illicit_reported_share") * ratio ** _arr(params, "report_tail_exponent"),
    )
    inland = _arr(params, "bulk_cash_inland_share")
    reach = (1.0 - inland) + inland * _arr(params, "inland_inspection_gain")
    return {
        "fee": np.broadcast_to(_arr(params, "laundering_base_fee"), np.shape(ratio)),
        "caught": (1.0 - bulk)
        * reported
        * digested_share(params)
        * _arr(params, "aml_loss_if_digested"),
        "structuring": (1.0 - bulk) * _arr(params, "structuring_cost") * ratio,
        "seized": np.minimum(
            1.0, bulk * _arr(params, "bulk_cash_seizure") * _arr(params, "bulk_cash_inspection")
        )
        * reach,
    }


def cost_share(params: Mapping[str, object]) -> np.ndarray:
    """Share of proceeds traffickers lose to laundering, all channels (at most 0.95)."""
    total = sum(cost_components(params).values())
    return np.minimum(np.asarray(total, dtype=float), MAX_COST_SHARE)


def legitimate_friction(params: Mapping[str, object]) -> np.ndarray:
    """Yearly burden of reporting on legitimate customers and banks ($/yr)."""
    return reports_per_day(params) * 365.0 * _arr(params, "cost_per_report")
