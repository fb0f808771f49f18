"""Injected, reproducible random streams.

All randomness descends from one root seed through :class:`numpy.random.SeedSequence`. An
ensemble is cut into chunks of a fixed number of runs (the chunk size is part of the study, not
of the executor); chunk ``k`` gets the ``k``-th child of the root, and inside a chunk each purpose
(initial state, parameter draws, dynamics) gets its own named child. So the same seed gives the
same numbers whether chunks run serially, in a process pool or on a cluster, and strategies
compared in one study see the same initial states and the same dynamic noise (common random
numbers, for paired comparisons).

>>> a = chunk_streams(7, 3)[1]["dynamics"].random()
>>> b = chunk_streams(7, 3)[1]["dynamics"].random()
>>> a == b
True
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

STREAMS: tuple[str, ...] = ("init", "params", "dynamics")


def as_generator(
    seed: int | np.random.Generator | np.random.SeedSequence | None,
) -> np.random.Generator:
    """Normalise a seed, a :class:`~numpy.random.SeedSequence` or a generator into a generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or isinstance(seed, Integral | np.random.SeedSequence):
        return np.random.default_rng(seed)
    raise TypeError(f"cannot make a random generator from {type(seed).__name__}")


def chunk_seeds(seed: int, n_chunks: int) -> list[np.random.SeedSequence]:
    """One independent :class:`~numpy.random.SeedSequence` per chunk, from the root ``seed``."""
    return np.random.SeedSequence(seed).spawn(n_chunks)


def named_streams(chunk_seed: np.random.SeedSequence) -> dict[str, np.random.SeedSequence]:
    """The child seed of each named purpose in :data:`STREAMS` for one chunk."""
    children = np.random.SeedSequence(chunk_seed.entropy, spawn_key=chunk_seed.spawn_key).spawn(
        len(STREAMS)
    )
    return dict(zip(STREAMS, children, strict=True))


def chunk_streams(seed: int, n_chunks: int) -> list[dict[str, np.random.Generator]]:
    """Fresh generators for every chunk and purpose (convenience for tests and examples)."""
    return [
        {name: np.random.default_rng(s) for name, s in named_streams(c).items()}
        for c in chunk_seeds(seed, n_chunks)
    ]
