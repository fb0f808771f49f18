"""Kingpin strikes, fragmentation into successor groups, and consolidation by absorption.

**Slots and lineages.** Splitting changes the number of groups, which a (groups, runs) array
cannot do per run. So the state holds *slots*: the network's groups first, then spare slots with
zero members. Each slot has a ``root`` (per run): the network group its lineage descends from.
When a group is struck, its members are shared equally among ``successors`` slots (the struck
slot and ``successors - 1`` free spare slots) with the same root. Successors therefore inherit
the rivals and allies of the struck group, and they are rivals of each other with rivalry weight
``sibling_rivalry`` (Prieto-Curiel et al. 2023's ``K = (R + 1)/(A + 1)`` with ``R`` set to that
weight between slots of one lineage). When no spare slot is free the arrays grow (zeros), so
capacity never limits the number of splits. A spare slot is reused once it has no members.

**Conflict surge.** For ``surge_weeks`` after a strike, the conflict intensity of the struck
slots is multiplied by ``1 + surge``, given and received: deaths of slot ``a`` are
``theta*f_a*C_a*(K (f*C))_a`` with ``f = 1 + surge`` on surging slots, else 1. This is the
kingpin shock of Prieto-Curiel et al. (2025, arXiv:2508.06509, supporting model "Cartel shocks
and fragmentation": conflict ``theta`` scaled by ``k`` for 26 weeks); ``surge`` is calibrated to
the rise in violence after leader removals (Calderón et al. 2015; see
``tests/validation/test_kingpin_calibration.py``).

**Consolidation (assumption).** A network group whose members fall below ``absorb_ratio`` times
the members of its largest rival loses ``absorption_rate`` of its members a week to that rival
(members defect or are taken over). This is our rule, after Guerrero-Gutiérrez (2011)'s account of
large cartels absorbing or destroying weaker ones; it is not from a fitted model. Only the
network's own groups (slots ``< groups``) absorb or are absorbed; successor slots do not.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from scipy import sparse

GROW_MIN = 8  # spare slots added at least when the arrays grow


@dataclass(frozen=True)
class Lineage:
    """Per-slot bookkeeping of a batch: ``root`` and ``surge_left`` are (slots, runs)."""

    root: np.ndarray  # int: network group each slot descends from
    surge_left: np.ndarray  # weeks of conflict surge left
    clock: np.ndarray  # (runs,) strikes due (a strike happens when it reaches 1)
    strikes: np.ndarray  # (runs,) strikes so far

    @classmethod
    def fresh(cls, groups: int, runs: int) -> Lineage:
        """Every slot its own network group, no surge, no strikes."""
        root = np.broadcast_to(np.arange(groups)[:, None], (groups, runs)).copy()
        zeros = np.zeros(runs)
        return cls(root, np.zeros((groups, runs)), zeros, zeros.copy())


def grow(members: np.ndarray, lineage: Lineage, extra: int) -> tuple[np.ndarray, Lineage]:
    """``extra`` more empty slots at the end."""
    runs = members.shape[1]
    pad = np.zeros((extra, runs))
    return np.vstack([members, pad]), replace(
        lineage,
        root=np.vstack([lineage.root, np.zeros((extra, runs), dtype=lineage.root.dtype)]),
        surge_left=np.vstack([lineage.surge_left, pad]),
    )


def by_root(values: np.ndarray, root: np.ndarray, groups: int) -> np.ndarray:
    """Sum of ``values`` (slots, runs) over the slots of each lineage: (groups, runs)."""
    runs = values.shape[1]
    flat = root * runs + np.arange(runs)[None, :]
    total = np.bincount(flat.ravel(), weights=values.ravel(), minlength=groups * runs)
    return total.reshape(groups, runs)


def conflict(
    members: np.ndarray,
    root: np.ndarray,
    rivals: sparse.csr_array,
    inv_allies: np.ndarray,
    sibling_rivalry: np.ndarray,
) -> np.ndarray:
    """``(K C)_a`` over slots (slots, runs), ``K_ab = (R_ab + 1)/(A_a + 1)``, ``K_aa = 0``.

    ``R_ab`` is the network rivalry of the two roots, or ``sibling_rivalry`` (runs,) when both
    slots share a root. With one slot per group this is the model's own ``K C``.
    """
    groups, runs = rivals.shape[0], members.shape[1]
    cols = np.arange(runs)[None, :]
    lineage = by_root(members, root, groups)
    kc = (rivals @ lineage)[root, cols]
    kc += (lineage[root, cols] - members) * sibling_rivalry[None, :]
    kc += members.sum(axis=0)[None, :] - members
    kc *= inv_allies.ravel()[root]
    return kc


def strike(
    members: np.ndarray,
    lineage: Lineage,
    groups: int,
    struck: np.ndarray,
    successors: np.ndarray,
    surge_weeks: np.ndarray,
    integer: bool,
) -> tuple[np.ndarray, Lineage]:
    """Split slot ``struck[r]`` of every run ``r`` with ``struck[r] >= 0`` into ``successors[r]``
    slots of equal size (integer sizes, remainder to the struck slot, when ``integer``)."""
    runs = members.shape[1]
    hit = struck >= 0
    k = np.where(hit, np.maximum(np.round(successors), 1).astype(int), 1)
    need = k - 1
    free = (np.arange(members.shape[0]) >= groups)[:, None] & (members <= 0)
    short = int(np.max(need - free.sum(axis=0), initial=0))
    if short > 0:
        members, lineage = grow(members, lineage, max(short, GROW_MIN))
        free = (np.arange(members.shape[0]) >= groups)[:, None] & (members <= 0)
    chosen = free & (np.cumsum(free, axis=0) <= need[None, :])
    cols = np.arange(runs)
    at = np.where(hit, struck, 0)
    size = members[at, cols]
    share = size / k
    if integer:
        share = np.floor(share)
    members, root, surge = members.copy(), lineage.root.copy(), lineage.surge_left.copy()
    members = np.where(chosen, share[None, :], members)
    root = np.where(chosen, root[at, cols][None, :], root)
    surge = np.where(chosen, surge_weeks[None, :], surge)
    members[at[hit], cols[hit]] = (size - share * need)[hit]
    surge[at[hit], cols[hit]] = surge_weeks[hit]
    strikes = lineage.strikes + hit
    return members, replace(lineage, root=root, surge_left=surge, strikes=strikes)


@dataclass(frozen=True)
class RivalEdges:
    """The network's rivalry edges in CSR order, for per-run largest-rival searches."""

    rows: np.ndarray  # source group of each edge
    cols: np.ndarray  # its rival
    starts: np.ndarray  # first edge of each group that has rivals
    with_rivals: np.ndarray  # those groups

    @classmethod
    def from_rivals(cls, rivals: sparse.csr_array) -> RivalEdges:
        csr = sparse.csr_array(rivals)
        csr.sort_indices()
        degree = np.diff(csr.indptr)
        rows = np.repeat(np.arange(csr.shape[0]), degree)
        with_rivals = np.flatnonzero(degree > 0)
        return cls(rows, csr.indices.copy(), csr.indptr[with_rivals], with_rivals)


def absorbers(members: np.ndarray, edges: RivalEdges, groups: int, ratio: np.ndarray) -> np.ndarray:
    """For each network group (groups, runs): its largest rival if the group is below ``ratio``
    times that rival's members and still has members, else -1."""
    runs = members.shape[1]
    out = np.full((groups, runs), -1)
    if edges.cols.size == 0:
        return out
    sizes = members[edges.cols]  # (edges, runs)
    best = np.maximum.reduceat(sizes, edges.starts, axis=0)
    best_per_edge = best[np.searchsorted(edges.with_rivals, edges.rows)]
    first = np.where(sizes == best_per_edge, np.arange(sizes.shape[0])[:, None], sizes.shape[0])
    arg = np.minimum.reduceat(first, edges.starts, axis=0)
    rival = edges.cols[arg]
    own = members[edges.with_rivals]
    weak = (own > 0) & (own < ratio[None, :] * best)
    out[edges.with_rivals] = np.where(weak, rival, -1)
    return out


def absorption_flow(members: np.ndarray, target: np.ndarray, amount: np.ndarray) -> np.ndarray:
    """Change of members (slots, runs) when network group ``i`` hands ``amount[i]`` (groups,
    runs) to slot ``target[i]`` (``-1``: none)."""
    groups, runs = target.shape
    moving = np.where(target >= 0, amount, 0.0)
    change = np.zeros_like(members)
    change[:groups] -= moving
    flat = np.where(target >= 0, target, 0) * runs + np.arange(runs)[None, :]
    inflow = np.bincount(flat.ravel(), weights=moving.ravel(), minlength=members.size)
    change += inflow.reshape(members.shape)
    return change
