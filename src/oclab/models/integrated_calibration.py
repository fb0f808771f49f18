"""Calibrations of the integrated model from oclab's data tools.

:func:`judicial_params` reads the judicial observatory's feed (``oclab observatory feed``, JSON)
and returns the judicial-reform lever's calibration: ``conviction_now``, the conviction
probability of the system as it stands (the two procedural systems weighted by the accusatorial
share of the latest year), and ``conviction_reformed``, what a completed reform can reach (the
upper quartile of the states' conviction probabilities: the best-performing states show what the
system can do). Values are validated; a problem names the file and the field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from oclab.errors import InputError

SYSTEMS: tuple[str, ...] = ("inquisitorial", "accusatorial")


def _probability(value: object, source: str, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise InputError(source, field, "a probability in [0, 1]", value)
    return float(value)


def _table(value: object, source: str, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InputError(source, field, "a JSON object", value)
    return value


def judicial_params_from_feed(feed: Mapping[str, Any], source: str = "<feed>") -> dict[str, float]:
    """``conviction_now`` and ``conviction_reformed`` from a parsed observatory feed."""
    national = _table(feed.get("national"), source, "national")
    by_system = _table(
        national.get("conviction_probability"), source, "national.conviction_probability"
    )
    p = {
        s: _probability(by_system.get(s), source, f"national.conviction_probability.{s}")
        for s in SYSTEMS
    }
    shares = _table(
        national.get("accusatorial_share_by_year"), source, "national.accusatorial_share_by_year"
    )
    if not shares:
        raise InputError(source, "national.accusatorial_share_by_year", "at least one year")
    last = max(shares, key=lambda year: int(year))
    share = _probability(shares[last], source, f"national.accusatorial_share_by_year.{last}")
    now = share * p["accusatorial"] + (1 - share) * p["inquisitorial"]
    states = feed.get("by_state")
    if not isinstance(states, list):
        raise InputError(source, "by_state", "a list of states")
    values = [
        _probability(
            s.get("conviction_probability"), source, f"by_state[{k}].conviction_probability"
        )
        for k, s in enumerate(states)
        if isinstance(s, Mapping) and s.get("conviction_probability") is not None
    ]
    if not values:
        raise InputError(source, "by_state", "at least one state with a conviction probability")
    return {"conviction_now": now, "conviction_reformed": float(np.quantile(values, 0.75))}


def judicial_params(path: str | Path) -> dict[str, float]:
    """The judicial-reform calibration from an observatory feed file."""
    file = Path(path)
    try:
        feed = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(file, "path", "an observatory feed (oclab observatory feed)") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(file, "syntax", f"JSON ({exc})") from None
    return judicial_params_from_feed(_table(feed, str(file), "document"), str(file))
