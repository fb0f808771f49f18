"""How the state shares its fixed incapacitation effort ``eta`` among cartel groups.

The report's first consensus point (Wilson Center 2009, I.A.1) contrasts a *scattershot*
approach with strategic use of force. Three ways to spend the same ``eta`` members a week:

* scattershot (Prieto-Curiel et al. 2023, the default): each group gets ``eta*C_i/sum(C)``;
* concentrated: a share ``focus`` of ``eta`` goes to the ``focus_groups`` groups that rank highest
  on a criterion (largest, most violent, fastest growing, most expanded beyond its home state),
  shared among them by size;
* containment: a share ``containment`` of ``eta`` goes to members active outside their home state,
  ``eta*C_i*e_i/sum(C*e)``, with ``e_i`` the expansion share of :func:`expansion_share`.

The remaining share stays scattershot. ``focus + containment`` above 1 is scaled down to 1, so
every strategy removes the same ``eta`` members a week in total (a fair comparison). Shares whose
target set is empty fall back to scattershot. All arrays are (slots, runs).
"""

from __future__ import annotations

import numpy as np

from oclab.data.network import CartelNetwork

CRITERIA: tuple[str, ...] = ("largest", "violent", "growing", "expanding")


def expansion_share(network: CartelNetwork) -> np.ndarray:
    """Share of each group's reported relations (rivalry plus alliance weight) with groups whose
    home ``State`` differs from its own, shape (groups,).

    The model has no geography, so this is a proxy (an assumption) for the part of a group's
    activity outside its home state: a relation with a group based elsewhere means presence
    where the two meet. Groups with no relations get 0.
    """
    states = np.asarray(network.states, dtype=object)
    ties = (network.rivals + network.allies).tocoo()
    away = states[ties.row] != states[ties.col]
    total = np.bincount(ties.row, weights=ties.data, minlength=network.size)
    outside = np.bincount(ties.row, weights=ties.data * away, minlength=network.size)
    return np.divide(outside, total, out=np.zeros(network.size), where=total > 0)


def top_groups(values: np.ndarray, active: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Mask (slots, runs) of the ``k`` (per run) active slots with the highest ``values``."""
    ranked = np.where(active, values, -np.inf)
    order = np.argsort(-ranked, axis=0, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(values.shape[0])[:, None], axis=0)
    return (ranks < np.round(k)[None, :]) & active


def arrest_hazard(
    members: np.ndarray,
    eta: np.ndarray,
    focus: np.ndarray,
    containment: np.ndarray,
    targeted: np.ndarray,
    expansion: np.ndarray,
) -> np.ndarray:
    """Per-member weekly incapacitation hazard of each slot (slots, runs).

    ``eta``, ``focus`` and ``containment`` are per run (runs,); ``targeted`` is the mask of the
    concentrated strategy; ``expansion`` the expansion share of each slot (slots, runs). The
    hazard times the members is each slot's share of ``eta``; it sums to ``eta`` over slots.
    """
    f = np.clip(focus, 0.0, 1.0)
    c = np.clip(containment, 0.0, 1.0)
    scale = np.maximum(f + c, 1.0)
    f, c = f / scale, c / scale
    total = members.sum(axis=0)
    base = 1.0 / np.where(total > 0, total, 1.0)
    in_target = members * targeted
    t_total = in_target.sum(axis=0)
    away = members * expansion
    a_total = away.sum(axis=0)
    # a share whose target set is empty is spent scattershot instead
    f_used = np.where(t_total > 0, f, 0.0)
    c_used = np.where(a_total > 0, c, 0.0)
    hazard = np.broadcast_to((1.0 - f_used - c_used) * base, members.shape).copy()
    hazard += targeted * (f_used / np.where(t_total > 0, t_total, 1.0))[None, :]
    hazard += expansion * (c_used / np.where(a_total > 0, a_total, 1.0))[None, :]
    hazard *= np.asarray(eta, dtype=float)[None, :]
    return hazard
