"""US gun supply to Mexico and the lethality of conflict (report I.A.4).

The supply index is 1 at the status quo and falls with enforcement of the "sporting purposes"
import standard, with dealer inspections beyond today's share and with trace sharing beyond
today's level (each cut an assumption with a wide range)::

    G = (1 - import_cut * standard)
        * max(0, 1 - inspection_cut * max(0, inspected - inspected_0))
        * (1 - trace_cut * max(0, sharing - sharing_0))

Lethality of conflict scales as ``G^e``. The elasticity ``e`` comes from the one natural
experiment we have: the 2004 expiry of the US assault-weapons ban raised the gun flow to the
affected municipios by ``awb_supply_shock`` and their homicides by ``awb_homicide_effect``
(Dube, Dube & García-Ponce 2013), so ``e = ln(1 + effect) / ln(1 + shock)``.

>>> import numpy as np
>>> round(float(lethality_elasticity({"awb_homicide_effect": 0.3, "awb_supply_shock": 0.3})), 6)
1.0
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from oclab.models.integrated_params import LEVER_PARAMS

_STATUS_QUO = {p.name: p.default for p in LEVER_PARAMS}


def _arr(params: Mapping[str, object], name: str) -> np.ndarray:
    return np.asarray(params[name], dtype=float)


def supply_index(params: Mapping[str, object]) -> np.ndarray:
    """Gun supply to Mexico relative to the status quo (1 = today's flow)."""
    standard = 1.0 - _arr(params, "import_standard_cut") * _arr(params, "guns_import_standard")
    inspected = np.maximum(
        0.0, _arr(params, "guns_dealer_inspection") - _STATUS_QUO["guns_dealer_inspection"]
    )
    inspection = np.maximum(0.0, 1.0 - _arr(params, "dealer_inspection_cut") * inspected)
    shared = np.maximum(0.0, _arr(params, "guns_trace_sharing") - _STATUS_QUO["guns_trace_sharing"])
    tracing = 1.0 - _arr(params, "trace_sharing_cut") * shared
    return standard * inspection * tracing


def lethality_elasticity(params: Mapping[str, object]) -> np.ndarray:
    """Elasticity of conflict lethality to gun supply, from the 2004 ban expiry."""
    return np.log1p(_arr(params, "awb_homicide_effect")) / np.log1p(
        _arr(params, "awb_supply_shock")
    )


def lethality_factor(params: Mapping[str, object]) -> np.ndarray:
    """Multiplier of conflict lethality (theta) from gun supply."""
    return np.maximum(supply_index(params), 1e-6) ** lethality_elasticity(params)
