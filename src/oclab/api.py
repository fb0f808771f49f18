"""The Python API behind the CLI: run a study and store its results, summary and report.

>>> from oclab.api import bundled_study
>>> bundled_study("demo").model
'cartels'
"""

from __future__ import annotations

import dataclasses
import platform
import sys
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from importlib import metadata, resources
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl

from oclab import __version__
from oclab.analysis.summary import summarize
from oclab.core.executors import make_executor
from oclab.core.results import (
    META,
    REPORT,
    RESULTS,
    SUMMARY,
    Writer,
    check_output_dir,
    csv_writer,
    json_writer,
    parquet_writer,
    text_writer,
    write_outputs,
)
from oclab.experiment import chunk_tasks, run_study
from oclab.models.registry import get_model
from oclab.study import Study, load_study

BUNDLED_STUDIES = ("demo",)


def bundled_study(name: str) -> Study:
    """A study shipped inside the package (``demo``: the default study)."""
    path = resources.files("oclab") / "scenarios" / f"{name}.toml"
    return load_study(Path(str(path)))


def versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape the numbers."""
    found = {"python": platform.python_version(), "oclab": __version__}
    for package in ("numpy", "scipy", "polars", "matplotlib"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "absent"
    return found


def headline_outcomes(model: ModuleType) -> tuple[str, ...]:
    """The outcomes a model's reports lead with (``HEADLINE``, else its first two outcomes)."""
    return tuple(getattr(model, "HEADLINE", tuple(model.OUTCOMES)[:2]))


def study_metadata(study: Study, data_source: str, command: str, seconds: float) -> dict[str, Any]:
    """Everything needed to read and reproduce a results folder."""
    model = get_model(study.model, study.source)
    described = dataclasses.asdict(study)
    described |= study.options
    return {
        "title": f"oclab study: {study.name}",
        "description": study.description,
        "study": described,
        "command": command,
        "versions": versions(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 3),
        "parameters": model.PARAMS.table(),
        "outcomes": model.OUTCOMES,
        "headline": list(headline_outcomes(model)),
        "model_summary": model.SUMMARY,
        "data_source": data_source,
    }


def prepare(study: Study, out_dir: Path, engine: str = "serial", address: str | None = None) -> Any:
    """Check everything that can be checked before simulating; return the model's data."""
    check_output_dir(out_dir)
    make_executor(engine, address=address)  # checks the engine and the address's form
    return get_model(study.model, study.source).load_data(study.data)


def execute(
    study: Study,
    out_dir: Path,
    *,
    engine: str = "serial",
    address: str | None = None,
    command: str | None = None,
    progress: Callable[[int], None] | None = None,
    data: Any = None,
    extra_outputs: Callable[[pl.DataFrame, pl.DataFrame], Mapping[str, Writer]] | None = None,
    annotate: Callable[[pl.DataFrame, pl.DataFrame], Mapping[str, Any]] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Run ``study``, then write results, summary, metadata and report into ``out_dir``.

    ``annotate(results, summary)`` may add entries to the metadata before the report is rendered
    (e.g. ``claims``); ``extra_outputs(results, summary)`` may add files (name -> writer),
    written with the rest.
    """
    from oclab.report.html import render_report  # matplotlib is only loaded when reporting

    if data is None:
        data = prepare(study, out_dir, engine, address)
    started = time.perf_counter()
    results = run_study(study, make_executor(engine, address=address), progress=progress, data=data)
    summary = summarize(results, study.start_year, study.restart_year, study.report_years)
    meta = study_metadata(
        study,
        getattr(data, "source", str(study.data)),
        command or " ".join(sys.argv),
        time.perf_counter() - started,
    )
    if annotate is not None:
        meta |= annotate(results, summary)
    report = render_report(results, summary, meta)
    writers: dict[str, Writer] = {
        RESULTS: parquet_writer(results),
        SUMMARY: csv_writer(summary),
        META: json_writer(meta),
        REPORT: text_writer(report),
    }
    if extra_outputs is not None:
        writers |= extra_outputs(results, summary)
    write_outputs(out_dir, writers)
    return results, summary


def n_chunks(study: Study) -> int:
    """How many chunks ``study`` is cut into (for progress bars)."""
    return len(chunk_tasks(study, None))
