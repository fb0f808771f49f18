"""The time loop: advance a batch of runs to each recording time and record what it observes.

The loop knows nothing about any model: it calls the model's ``step`` between recording times
and hands the state to ``record`` at each of them. Models advance the whole batch at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

Step = Callable[[Any, dict[str, np.ndarray], float, np.random.Generator], Any]
Record = Callable[[int, Any], None]


def advance(
    step: Step,
    state: Any,
    params: dict[str, np.ndarray],
    week: int,
    record_weeks: Iterable[int],
    rng: np.random.Generator,
    record: Record,
) -> Any:
    """Step ``state`` from ``week`` through each of ``record_weeks`` (ascending), recording at each.

    A recording week equal to the current week records without stepping.
    """
    for target in record_weeks:
        if target < week:
            raise ValueError("recording weeks must not go back in time")
        if target > week:
            state = step(state, params, float(target - week), rng)
            week = target
        record(week, state)
    return state


def recording_weeks(first: int, last: int, every: int, extra: Iterable[int] = ()) -> list[int]:
    """Weeks ``first, first+every, ...`` up to and including ``last``, plus ``extra`` in range."""
    weeks = set(range(first, last + 1, every)) | {last}
    weeks |= {w for w in extra if first <= w <= last}
    return sorted(weeks)
