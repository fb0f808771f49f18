"""Experimental designs on the unit hypercube: Latin hypercube, Sobol (Saltelli) and Morris.

A design is an array of shape (samples, factors) with values in [0, 1]; a factor's prior maps
it to parameter values through its quantile function (:meth:`oclab.core.params.Prior.ppf`), so
the same design serves any prior. The Sobol and Morris designs come from SALib, the field's
reference implementation, because their structure (Saltelli's A/B matrices, Morris
trajectories) is what SALib's estimators expect back, row for row.

>>> latin_hypercube(3, 4, seed=1).shape
(4, 3)
"""

from __future__ import annotations

import numpy as np

from oclab.errors import InputError

METHODS: tuple[str, ...] = ("lhs", "sobol", "morris")
MORRIS_LEVELS = 4


def unit_problem(names: list[str] | tuple[str, ...]) -> dict[str, object]:
    """A SALib problem over the unit hypercube (values are mapped through priors afterwards)."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def latin_hypercube(k: int, n: int, seed: int) -> np.ndarray:
    """``n`` Latin hypercube points in ``k`` dimensions (scipy's stratified sampler)."""
    from scipy.stats import qmc  # imported here: ``oclab --help`` must stay fast

    return qmc.LatinHypercube(d=k, rng=np.random.default_rng(seed)).random(n)


def sobol_design(k: int, n: int, seed: int) -> np.ndarray:
    """Saltelli's design for first-order and total Sobol indices: ``n·(k+2)`` rows.

    ``n`` must be a power of two (the balance properties of the Sobol sequence need it).
    """
    from SALib.sample import sobol  # SALib is imported lazily: it is slow to import

    if n < 2 or n & (n - 1):
        raise InputError("--samples", "samples", "a power of two >= 2 for --method sobol", n)
    names = [f"x{j}" for j in range(k)]
    return sobol.sample(unit_problem(names), n, calc_second_order=False, scramble=True, seed=seed)


def morris_design(k: int, n: int, seed: int, levels: int = MORRIS_LEVELS) -> np.ndarray:
    """``n`` Morris trajectories of ``k+1`` points each on a ``levels``-level grid."""
    from SALib.sample import morris

    names = [f"x{j}" for j in range(k)]
    return morris.sample(unit_problem(names), n, num_levels=levels, seed=seed)


def make_design(method: str, k: int, n: int, seed: int) -> np.ndarray:
    """The unit design of ``method`` (``lhs``, ``sobol`` or ``morris``) for ``n`` base samples."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError("--samples", "samples", "a positive whole number", n)
    if k < 1:
        raise InputError("--samples", "factors", "at least one uncertain parameter", k)
    if method == "lhs":
        return latin_hypercube(k, n, seed)
    if method == "sobol":
        return sobol_design(k, n, seed)
    if method == "morris":
        return morris_design(k, n, seed)
    raise InputError("--method", "method", f"one of {', '.join(METHODS)}", method)
