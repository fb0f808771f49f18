"""Run a study: chunks of runs, the shared history, then every scenario from the restart.

For each chunk of runs: draw the uncertain parameters and the initial state (streams ``params``
and ``init``), run the history from the start to the restart year under the baseline, then run
each scenario from that same state with the same dynamic noise (common random numbers), so
scenarios are compared in pairs, run by run. Each scenario's rows include the shared history,
so every trajectory is complete from the start year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import polars as pl

from oclab.core.executors import Executor, SerialExecutor
from oclab.core.rng import chunk_seeds, named_streams
from oclab.core.sim import advance, recording_weeks
from oclab.models.registry import get_model
from oclab.study import WEEKS_PER_YEAR, Scenario, Study

GROUP_OUTCOME = "group_members"


@dataclass(frozen=True)
class ChunkTask:
    """One chunk of runs: everything a worker needs, picklable."""

    study: Study
    data: Any
    index: int
    first_run: int
    runs: int
    seed: np.random.SeedSequence


def sample_params(
    study: Study, params_spec: Any, n: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Per-run parameter values: defaults, then the study's fixed values, then prior draws."""
    values = params_spec.defaults() | study.params
    out = {name: np.full(n, value, dtype=float) for name, value in values.items()}
    for name in params_spec.names:  # declaration order, so draws do not depend on the file's order
        if name in study.priors:
            out[name] = study.priors[name].sample(rng, n)
    return out


class _Recorder:
    """Collects observations as arrays and builds one tidy table at the end."""

    def __init__(self, study: Study, model: ModuleType, labels: tuple[str, ...], runs: np.ndarray):
        self.study, self.model, self.labels, self.runs = study, model, labels, runs
        self.scenarios = [s.name for s in study.scenarios]
        self.outcomes = list(model.OUTCOMES)
        self.group_weeks = {0, study.restart_week} | {
            study.restart_week + round(y * WEEKS_PER_YEAR) for y in study.report_years
        }
        self.national: list[tuple[int, int, np.ndarray]] = []  # scenario, week, (outcomes, runs)
        self.groups: list[tuple[int, int, np.ndarray]] = []  # scenario, week, (runs, groups)

    def recorder(self, scenario: int, params: dict[str, np.ndarray]) -> Callable[[int, Any], None]:
        def record(week: int, state: Any) -> None:
            observed = self.model.observe(state, params)
            self.national.append((scenario, week, np.stack([observed[o] for o in self.outcomes])))
            if week in self.group_weeks and hasattr(self.model, "group_members"):
                self.groups.append((scenario, week, self.model.group_members(state)))

        return record

    def table(self) -> pl.DataFrame:
        n, n_out = len(self.runs), len(self.outcomes)
        block = n_out * n
        national = {
            "scenario": np.repeat([r[0] for r in self.national], block),
            "run": np.tile(self.runs, n_out * len(self.national)),
            "week": np.repeat([r[1] for r in self.national], block),
            "outcome": np.tile(np.repeat(np.arange(n_out), n), len(self.national)),
            "value": np.concatenate([r[2].ravel() for r in self.national]),
        }
        frames = [pl.DataFrame(national).with_columns(group=pl.lit(None, dtype=pl.UInt32))]
        if self.groups:
            g = len(self.labels)
            frames.append(
                pl.DataFrame(
                    {
                        "scenario": np.repeat([r[0] for r in self.groups], n * g),
                        "run": np.tile(np.repeat(self.runs, g), len(self.groups)),
                        "week": np.repeat([r[1] for r in self.groups], n * g),
                        "outcome": np.full(n * g * len(self.groups), n_out),
                        "value": np.concatenate([r[2].ravel() for r in self.groups]),
                        "group": np.tile(np.arange(g), n * len(self.groups)),
                    }
                )
            )
        table = pl.concat(frames, how="vertical_relaxed")
        return table.select(
            _labels("scenario", self.scenarios),
            pl.col("run").cast(pl.Int32),
            (
                pl.lit(self.study.start_year) + pl.col("week").cast(pl.Float64) / WEEKS_PER_YEAR
            ).alias("time"),
            _labels("outcome", [*self.outcomes, GROUP_OUTCOME]),
            pl.col("value").cast(pl.Float64),
            _labels("group", list(self.labels)),
            pl.col("week").cast(pl.Int32),
        )


def _labels(column: str, names: list[str]) -> pl.Expr:
    """Integer codes in ``column`` replaced by their names, as a Polars Enum (compact, ordered)."""
    return (
        pl.col(column)
        .replace_strict(dict(enumerate(names)), default=None, return_dtype=pl.Enum(names))
        .alias(column)
    )


def _child(seed: np.random.SeedSequence, k: int) -> np.random.Generator:
    return np.random.default_rng(
        np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, k))
    )


def run_chunk(task: ChunkTask) -> pl.DataFrame:
    """Simulate one chunk of runs through the history and every scenario; a tidy table.

    Rows before the restart week belong to the baseline (the history every scenario shares);
    every scenario has its own rows from the restart week on.
    """
    study = task.study
    model = get_model(study.model, study.source)
    streams = named_streams(task.seed)
    params = sample_params(study, model.PARAMS, task.runs, np.random.default_rng(streams["params"]))
    state = model.init(
        task.data, params, task.runs, np.random.default_rng(streams["init"]), **study.options
    )
    runs = np.arange(task.first_run, task.first_run + task.runs)
    recorder = _Recorder(study, model, model.group_labels(task.data), runs)
    record_history = recorder.recorder(0, params)

    def record_before_restart(week: int, state: Any) -> None:
        if week < study.restart_week:  # the restart week is recorded by every scenario
            record_history(week, state)

    at_restart = advance(
        model.step,
        state,
        params,
        0,
        recording_weeks(0, study.restart_week, study.record_every_weeks),
        _child(streams["dynamics"], 0),
        record_before_restart,
    )
    report_weeks = [study.restart_week + round(y * WEEKS_PER_YEAR) for y in study.report_years]
    projection_weeks = recording_weeks(
        study.restart_week, study.end_week, study.record_every_weeks, report_weeks
    )
    for index, scenario in enumerate(study.scenarios):
        _project(
            model,
            study,
            scenario,
            params,
            at_restart,
            projection_weeks,
            _child(streams["dynamics"], 1),
            lambda p, i=index: recorder.recorder(i, p),
        )
    return recorder.table()


def _project(
    model: ModuleType,
    study: Study,
    scenario: Scenario,
    params: dict[str, np.ndarray],
    state: Any,
    record_weeks: list[int],
    rng: np.random.Generator,
    recorder_for: Callable[[dict[str, np.ndarray]], Callable[[int, Any], None]],
) -> Any:
    """Run one scenario from the restart, segment by segment between its parameter changes."""
    restart = study.restart_week
    bounds = [restart + w for w in scenario.change_weeks() if restart + w < study.end_week]
    starts, ends = [restart, *bounds], [*bounds, study.end_week]
    for first, (begin, end) in enumerate(zip(starts, ends, strict=True)):
        segment_params = scenario.params_at(params, begin - restart)
        record = recorder_for(segment_params)
        targets = [w for w in record_weeks if begin < w < end or (first == 0 and w == begin)]

        def record_in_segment(week: int, state: Any, record=record) -> None:
            if week in record_weeks:
                record(week, state)

        state = advance(
            model.step, state, segment_params, begin, [*targets, end], rng, record_in_segment
        )
    return state


def chunk_tasks(study: Study, data: Any) -> list[ChunkTask]:
    """The study cut into chunks of ``study.chunk_runs`` runs, each with its own seed."""
    starts = list(range(0, study.runs, study.chunk_runs))
    seeds = chunk_seeds(study.seed, len(starts))
    return [
        ChunkTask(study, data, k, first, min(study.chunk_runs, study.runs - first), seeds[k])
        for k, first in enumerate(starts)
    ]


def drawn_params(study: Study) -> pl.DataFrame:
    """Every run's parameter values, drawn exactly as :func:`run_chunk` draws them (one row per
    run, one column per parameter), so outcomes can be related to the uncertain inputs."""
    model = get_model(study.model, study.source)
    frames = []
    for task in chunk_tasks(study, None):
        rng = np.random.default_rng(named_streams(task.seed)["params"])
        values = sample_params(study, model.PARAMS, task.runs, rng)
        run = np.arange(task.first_run, task.first_run + task.runs)
        frames.append(pl.DataFrame({"run": run} | values))
    return pl.concat(frames)


def run_study(
    study: Study,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
    data: Any = None,
) -> pl.DataFrame:
    """Run every chunk of ``study`` on ``executor`` (serial by default); one tidy table.

    ``data`` is the model's loaded data; by default it is loaded from ``study.data``.
    """
    if data is None:
        data = get_model(study.model, study.source).load_data(study.data)
    tasks = chunk_tasks(study, data)
    tables = []
    with executor or SerialExecutor() as ex:
        for table in ex.map(run_chunk, tasks):
            tables.append(table)
            if progress is not None:
                progress(1)
    return pl.concat(tables).sort(
        ["scenario", "run", "week", "outcome", "group"], maintain_order=True
    )
