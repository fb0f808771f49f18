"""Sweep results for other tools: EMA workbench's (experiments, outcomes) and BehaviorSpace CSV.

**EMA workbench** analysis functions (``prim.Prim``, ``cart.CART``, ``feature_scoring``) take
``experiments``, a pandas DataFrame with one column per uncertainty plus ``scenario``,
``policy`` and ``model``, and ``outcomes``, a dict of outcome name → numpy array with one entry
per experiment. :func:`export_ema` writes them as ``experiments.csv`` and ``outcomes.csv`` and
:func:`load_ema` reads them back in exactly that form. Mapping of names: EMA's ``scenario`` is
oclab's design sample (a sampled world), EMA's ``policy`` is oclab's scenario (the strategy),
EMA's ``model`` is the model name; outcomes are named ``<outcome>_y<years after restart>``.

**BehaviorSpace** (NetLogo) "table" output: six header lines, then one row per run and
recorded tick with ``[run number]``, the varied parameters, ``[step]`` and the metrics; R users
read it with ``read.csv(file, skip = 6)``. Here a run is one (sample, replicate, scenario) and
the step is the week since the start of the simulation.

Both exports stream chunk by chunk, so a large sweep is never held in memory at once.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from oclab.errors import InputError
from oclab.study import WEEKS_PER_YEAR
from oclab.sweep import outcome_column
from oclab.sweep_store import atomic_write, chunk_path, finished_chunks, load_spec

EXPERIMENTS = "experiments.csv"
OUTCOMES = "outcomes.csv"
BEHAVIORSPACE = "behaviorspace-table.csv"


def _chunks(folder: Path) -> list[Path]:
    spec = load_spec(folder)
    done = finished_chunks(folder)
    if len(done) < int(spec["chunks"]):
        raise InputError(folder, "manifest.json", "a finished sweep", f"{len(done)} chunks")
    return [chunk_path(folder, k) for k in sorted(done)]


def _outcome_columns(spec: dict[str, Any]) -> list[str]:
    return [outcome_column(o, y) for o in spec["outcomes"] for y in spec["report_years"]]


def export_ema(folder: str | Path, out_dir: str | Path | None = None) -> Path:
    """Write ``experiments.csv`` and ``outcomes.csv`` (EMA workbench's form); the folder."""
    root = Path(folder)
    spec = load_spec(root)
    out = Path(out_dir) if out_dir is not None else root / "ema"
    out.mkdir(parents=True, exist_ok=True)
    factors, outcomes = list(spec["factors"]), _outcome_columns(spec)

    def write(experiments: Path, results: Path) -> None:
        with (
            experiments.open("w", encoding="utf-8") as fe,
            results.open("w", encoding="utf-8") as fo,
        ):
            for k, path in enumerate(_chunks(root)):
                chunk = pl.read_parquet(path)
                chunk.select(
                    *factors,
                    pl.col("sample").alias("scenario"),
                    pl.col("scenario").cast(pl.String).alias("policy"),
                    pl.lit(spec["model"]).alias("model"),
                    "replicate",
                ).write_csv(fe, include_header=k == 0)
                chunk.select(outcomes).write_csv(fo, include_header=k == 0)

    # both files move into place together: write the outcomes inside the experiments' writer
    atomic_write(
        out / EXPERIMENTS,
        lambda tmp_e: atomic_write(out / OUTCOMES, lambda tmp_o: write(tmp_e, tmp_o)),
    )
    return out


def load_ema(folder: str | Path) -> tuple[Any, dict[str, np.ndarray]]:
    """``(experiments, outcomes)`` as EMA workbench's analysis functions take them.

    ``experiments`` is a pandas DataFrame (pandas is needed here, as by EMA workbench itself).
    """
    import pandas as pd

    root = Path(folder)
    for name in (EXPERIMENTS, OUTCOMES):
        if not (root / name).is_file():
            raise InputError(root, name, "a folder written by oclab's EMA export")
    experiments = pl.read_csv(root / EXPERIMENTS)
    outcomes = pl.read_csv(root / OUTCOMES)
    frame = pd.DataFrame({c: experiments[c].to_numpy() for c in experiments.columns})
    for column in ("policy", "model"):
        frame[column] = frame[column].astype("category")
    return frame, {c: outcomes[c].to_numpy() for c in outcomes.columns}


def export_behaviorspace(folder: str | Path, path: str | Path | None = None) -> Path:
    """Write a BehaviorSpace-style table CSV of the sweep; its path."""
    root = Path(folder)
    spec = load_spec(root)
    target = Path(path) if path is not None else root / BEHAVIORSPACE
    factors, outcomes = list(spec["factors"]), list(spec["outcomes"])
    restart_week = round((spec["restart_year"] - spec["start_year"]) * WEEKS_PER_YEAR)
    n_scenarios = len(spec["scenarios"])

    header = [
        [f"BehaviorSpace-style results (oclab sweep of {spec['model']})"],
        [str(root / "sweep.json")],
        [spec["study"]],
        [datetime.now(UTC).strftime("%m/%d/%Y %H:%M:%S:000 +0000")],
        ["method", "samples", "replicates", "seed"],
        [spec["method"], spec["design_rows"], spec["replicates"], spec["seed"]],
    ]

    def write(tmp: Path) -> None:
        with tmp.open("wb") as handle:
            lines = io.StringIO()
            csv.writer(lines, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(header)
            handle.write(lines.getvalue().encode("utf-8"))
            for k, path in enumerate(_chunks(root)):
                chunk = pl.read_parquet(path)
                # one BehaviorSpace run per (run, scenario), numbered from 1
                number = pl.col("run") * n_scenarios + pl.col("scenario").to_physical() + 1
                blocks = [
                    chunk.select(
                        number.alias("[run number]"),
                        *factors,
                        pl.col("scenario").cast(pl.String),
                        "sample",
                        "replicate",
                        pl.lit(restart_week + round(years * WEEKS_PER_YEAR)).alias("[step]"),
                        *(pl.col(outcome_column(o, years)).alias(o) for o in outcomes),
                    )
                    for years in spec["report_years"]
                ]
                table = pl.concat(blocks).sort("[run number]", "[step]")
                table.write_csv(handle, include_header=k == 0, quote_style="always")

    atomic_write(target, write)
    return target
