"""Sweeps: sampled worlds × scenarios × replicates, streamed to disk chunk by chunk.

A sweep takes a study and varies its uncertain parameters (the study's ``[priors]``, or, when
it has none, every parameter over its plausible range) along a design on the unit hypercube
(:mod:`oclab.sweep_design`: Latin hypercube, Sobol/Saltelli or Morris), mapped through each
prior's quantile function. Each sample is run ``replicates`` times; run ``r`` is replicate
``r % R`` of sample ``r // R``. Runs are cut into chunks of ``chunk_runs``; chunk ``k`` gets the
``k``-th child seed of the sweep's seed, so the results are the same on every executor.

Inside a chunk, as in :mod:`oclab.experiment`, the history runs once from the start to the
restart year and every scenario (strategy) continues from that state with the same dynamic
noise (common random numbers). Only what the analyses need is kept: each national outcome at
the restart ("today", year 0) and at every reporting year, one row per run and scenario. A
chunk's table goes to its own Parquet file as soon as it arrives (:mod:`oclab.sweep_store`), so
memory stays bounded by a window of chunks whatever the number of runs, and a rerun of the same
command skips the chunks already finished.

Any registered model works: the sweep uses only the model protocol (``PARAMS``, ``OUTCOMES``,
``init``, ``step``, ``observe``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from oclab.core.executors import Executor, SerialExecutor
from oclab.core.params import Prior
from oclab.core.results import check_output_dir
from oclab.core.rng import chunk_seeds, named_streams
from oclab.core.sim import advance
from oclab.errors import InputError
from oclab.models.registry import get_model
from oclab.study import WEEKS_PER_YEAR, Study
from oclab.sweep_design import METHODS, make_design
from oclab.sweep_store import (
    CHUNKS,
    DESIGN,
    SPEC,
    chunk_path,
    finished_chunks,
    read_json,
    record_finished,
    write_json,
    write_parquet,
)

#: Tag mixed into the seed of the design, so design and dynamics never share a stream.
_DESIGN_TAG = 0x5EED_DE51


def outcome_column(outcome: str, years: float) -> str:
    """Name of the column holding ``outcome`` ``years`` after the restart (0 = "today")."""
    return f"{outcome}_y{years:g}"


@dataclass(frozen=True, eq=False)
class Sweep:
    """A planned sweep: the study, the design and how it is cut into chunks."""

    study: Study
    method: str
    samples: int  # base samples asked for (the design may have more rows: Sobol, Morris)
    replicates: int
    factors: tuple[str, ...]
    priors: dict[str, Prior]
    unit: np.ndarray  # (design rows, factors) in [0, 1]
    chunk_runs: int

    @property
    def n_samples(self) -> int:
        return self.unit.shape[0]

    @property
    def runs(self) -> int:
        return self.n_samples * self.replicates

    @property
    def n_chunks(self) -> int:
        return -(-self.runs // self.chunk_runs)

    @property
    def years(self) -> tuple[float, ...]:
        """Years after the restart with a column per outcome: 0 ("today") and the reports."""
        return (0.0, *_later_years(self.study))

    def values(self) -> dict[str, np.ndarray]:
        """Each factor's value per design row (the prior's quantile of the unit coordinate)."""
        return {f: self.priors[f].ppf(self.unit[:, j]) for j, f in enumerate(self.factors)}

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description; its fingerprint identifies the sweep when resuming."""
        study = self.study
        document = {
            "study": study.name,
            "study_source": study.source,
            "model": study.model,
            "options": study.options,
            "method": self.method,
            "samples": self.samples,
            "design_rows": self.n_samples,
            "replicates": self.replicates,
            "runs": self.runs,
            "seed": study.seed,
            "chunk_runs": self.chunk_runs,
            "chunks": self.n_chunks,
            "factors": list(self.factors),
            "priors": {f: vars(self.priors[f]) for f in self.factors},
            "params": study.params,
            "scenarios": [s.name for s in study.scenarios],
            "scenario_changes": [
                {"name": s.name, "multiply": s.multiply, "set": s.set} for s in study.scenarios
            ],
            "start_year": study.start_year,
            "restart_year": study.restart_year,
            "report_years": list(self.years),
            "outcomes": list(get_model(study.model, study.source).OUTCOMES),
            "data": study.data,
        }
        # where the study file was read from does not change the sweep: leave it out of the hash
        hashed = {k: v for k, v in document.items() if k != "study_source"}
        digest = hashlib.sha256(json.dumps(hashed, sort_keys=True, default=str).encode())
        digest.update(np.ascontiguousarray(self.unit).tobytes())
        return document | {"fingerprint": digest.hexdigest()}


def _later_years(study: Study) -> list[float]:
    """The study's reporting years after the restart itself (year 0 is always recorded)."""
    return sorted({float(y) for y in study.report_years if y > 0})


def plan_sweep(
    study: Study,
    samples: int,
    replicates: int = 1,
    method: str = "lhs",
    *,
    scenarios: list[str] | None = None,
    chunk_runs: int | None = None,
) -> Sweep:
    """Check the request and build the design (nothing runs yet).

    ``scenarios`` keeps only the named scenarios (strategies) of the study; the baseline is
    always kept, since every comparison is made against it.
    """
    if method not in METHODS:
        raise InputError("--method", "method", f"one of {', '.join(METHODS)}", method)
    for name, value in (("samples", samples), ("replicates", replicates)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(f"--{name}", name, "a positive whole number", value)
    chunk = study.chunk_runs if chunk_runs is None else chunk_runs
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise InputError("--chunk-runs", "chunk_runs", "a positive whole number", chunk)
    if scenarios:
        known = [s.name for s in study.scenarios]
        for name in scenarios:
            if name not in known:
                raise InputError(study.source, "scenarios", f"one of {', '.join(known)}", name)
        kept = tuple(s for k, s in enumerate(study.scenarios) if k == 0 or s.name in scenarios)
        study = replace(study, scenarios=kept)
    params = get_model(study.model, study.source).PARAMS
    if study.priors:
        priors = {n: study.priors[n] for n in params.names if n in study.priors}
    else:  # no priors declared: every parameter with a range, over its plausible range
        priors = {p.name: p.default_prior for p in params if p.high > p.low}
    factors = tuple(priors)
    seed = int(np.random.SeedSequence([study.seed, _DESIGN_TAG]).generate_state(1)[0])
    unit = make_design(method, len(factors), samples, seed)
    return Sweep(study, method, samples, replicates, factors, priors, unit, chunk)


@dataclass(frozen=True)
class SweepChunk:
    """One chunk of a sweep: everything a worker needs, picklable."""

    study: Study
    data: Any
    index: int
    first_run: int
    replicates: int
    values: dict[str, np.ndarray]  # the factors' values per run of this chunk
    seed: np.random.SeedSequence


def _child(seed: np.random.SeedSequence, k: int) -> np.random.Generator:
    return np.random.default_rng(
        np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, k))
    )


def run_sweep_chunk(task: SweepChunk) -> pl.DataFrame:
    """Simulate one chunk: history once, then every scenario; one row per run and scenario."""
    study = task.study
    model = get_model(study.model, study.source)
    runs = len(next(iter(task.values.values())))
    streams = named_streams(task.seed)
    fixed = model.PARAMS.defaults() | study.params
    params = {name: np.full(runs, value, dtype=float) for name, value in fixed.items()}
    params |= {name: np.asarray(v, dtype=float) for name, v in task.values.items()}
    state = model.init(
        task.data, params, runs, np.random.default_rng(streams["init"]), **study.options
    )
    outcomes = list(model.OUTCOMES)
    today: dict[str, np.ndarray] = {}

    def keep_today(week: int, state: Any) -> None:
        today.update(model.observe(state, params))

    restart = study.restart_week
    at_restart = advance(
        model.step, state, params, 0, [restart], _child(streams["dynamics"], 0), keep_today
    )
    later = _later_years(study)
    report_weeks = [restart + round(y * WEEKS_PER_YEAR) for y in later]
    run_ids = np.arange(task.first_run, task.first_run + runs)
    frames = []
    for index, scenario in enumerate(study.scenarios):
        scenario_params = scenario.apply(params)
        seen: dict[int, dict[str, np.ndarray]] = {}

        def keep(week: int, state: Any, seen: dict = seen, p: dict = scenario_params) -> None:
            seen[week] = model.observe(state, p)

        advance(
            model.step,
            at_restart,
            scenario_params,
            restart,
            report_weeks,
            _child(streams["dynamics"], 1),
            keep,
        )
        columns: dict[str, Any] = {
            "scenario": np.full(runs, index, dtype=np.int32),
            "run": run_ids,
            "sample": run_ids // task.replicates,
            "replicate": (run_ids % task.replicates).astype(np.int32),
        }
        columns |= {name: params[name] for name in task.values}
        for outcome in outcomes:
            columns[outcome_column(outcome, 0.0)] = np.asarray(today[outcome], dtype=float)
            for years, week in zip(later, report_weeks, strict=True):
                columns[outcome_column(outcome, years)] = np.asarray(
                    seen[week][outcome], dtype=float
                )
        frames.append(pl.DataFrame(columns))
    names = [s.name for s in study.scenarios]
    return pl.concat(frames).with_columns(
        pl.col("scenario").replace_strict(
            dict(enumerate(names)), default=None, return_dtype=pl.Enum(names)
        )
    )


def sweep_tasks(sweep: Sweep, data: Any, indices: list[int]) -> Iterator[SweepChunk]:
    """The chunks ``indices`` of ``sweep``, built one at a time (memory stays bounded)."""
    seeds = chunk_seeds(sweep.study.seed, sweep.n_chunks)
    values = sweep.values()
    for k in indices:
        first = k * sweep.chunk_runs
        runs = np.arange(first, min(first + sweep.chunk_runs, sweep.runs))
        rows = runs // sweep.replicates
        chunk_values = {f: v[rows] for f, v in values.items()}
        yield SweepChunk(sweep.study, data, k, first, sweep.replicates, chunk_values, seeds[k])


def design_table(sweep: Sweep) -> pl.DataFrame:
    """One row per design sample: ``sample``, each factor's value and unit coordinate."""
    columns: dict[str, Any] = {"sample": np.arange(sweep.n_samples)}
    columns |= sweep.values()
    columns |= {f"u_{f}": sweep.unit[:, j] for j, f in enumerate(sweep.factors)}
    return pl.DataFrame(columns)


def prepare_folder(sweep: Sweep, out_dir: Path) -> set[int]:
    """Create or reopen the sweep folder; the chunks already finished there.

    Reopening a folder written by a different sweep is an :class:`InputError`: resuming must
    never mix two sweeps.
    """
    check_output_dir(out_dir)
    spec = sweep.describe()
    if (out_dir / SPEC).is_file():
        previous = read_json(out_dir / SPEC)
        if previous.get("fingerprint") != spec["fingerprint"]:
            raise InputError(
                out_dir,
                SPEC,
                "the same sweep to resume (same study, method, samples, replicates, seed and "
                "chunking), or a new --out folder",
            )
        return finished_chunks(out_dir)
    (out_dir / CHUNKS).mkdir(parents=True, exist_ok=True)
    write_parquet(out_dir / DESIGN, design_table(sweep))
    write_json(out_dir / SPEC, spec)  # written last: its presence means the folder is set up
    return set()


def run_sweep(
    sweep: Sweep,
    out_dir: str | Path,
    executor: Executor | None = None,
    *,
    data: Any = None,
    progress: Callable[[int], None] | None = None,
    window: int = 16,
) -> Path:
    """Run every unfinished chunk of ``sweep`` and store it in ``out_dir``; the folder.

    Chunks are handed to the executor ``window`` at a time and each is written as soon as it
    returns, so at most a window of chunk tables is ever held in memory.
    """
    out = Path(out_dir)
    study = sweep.study
    if data is None:
        data = get_model(study.model, study.source).load_data(study.data)
    with executor or SerialExecutor() as ex:  # entered first: an unreachable cluster writes nothing
        done = prepare_folder(sweep, out)
        todo = [k for k in range(sweep.n_chunks) if k not in done]
        for start in range(0, len(todo), window):
            batch = todo[start : start + window]
            results = ex.map(run_sweep_chunk, sweep_tasks(sweep, data, batch))
            for k, table in zip(batch, results, strict=True):
                write_parquet(chunk_path(out, k), table)
                done.add(k)
                record_finished(out, done, sweep.n_chunks)
                if progress is not None:
                    progress(1)
    record_finished(out, done, sweep.n_chunks)
    return out
